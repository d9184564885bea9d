from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common_reception import CarryInReceptionCommon


@tagged("post_install", "-at_install")
class TestCarryInReception(CarryInReceptionCommon):
    def _stock_figures(self):
        """What our stock says of the motorcycle: WH/Stock's quantity, the valuation layers and the value."""
        product = self.motorcycle.with_context(location=self.warehouse.lot_stock_id.id)
        layers = self.env["stock.valuation.layer"].search([("product_id", "=", self.motorcycle.id)])
        return product.qty_available, len(layers), self.motorcycle.value_svl

    def _quants(self, carry_in):
        return self.env["stock.quant"].search(
            [("product_id", "=", carry_in.product_id.id), ("location_id", "=", carry_in.location_id.id)]
        )

    def test_receive_the_unit_from_the_ticket(self):
        ticket = self.bike_ticket.with_user(self.counter)
        action = ticket.action_receive_unit()
        self.assertEqual(
            (action["res_model"], action["context"]), ("aftersales.carry.in", {"default_ticket_id": ticket.id})
        )
        form = Form(self.env["aftersales.carry.in"].with_user(self.counter).with_context(**action["context"]))
        self.assertEqual(form.partner_id, self.customer)
        self.assertEqual(form.product_id, self.motorcycle)
        self.assertEqual(form.lot_id, self.bike_lot)
        self.assertEqual(form.warehouse_id, self.warehouse)
        self.assertEqual(form.state, "draft")
        carry_in = form.save()
        self.assertEqual(ticket.carry_in_count, 1)
        self.assertTrue(ticket.carry_in_open, "the button to receive the unit is hidden while it is in the centre")
        self.assertEqual(ticket.action_view_carry_ins()["res_id"], carry_in.id)
        # one stay at a time for the ticket's unit
        with self.assertRaisesRegex(UserError, "already has a unit at the service centre"):
            ticket.action_receive_unit()
        with self.assertRaises(UserError) as refusal:  # in a savepoint: the refused record is rolled back
            self.env["aftersales.carry.in"].with_user(self.counter).create({"ticket_id": ticket.id})
        self.assertIn("already has a unit at the service centre", str(refusal.exception))
        carry_in.action_cancel()
        ticket.invalidate_recordset(["carry_in_open"])
        self.assertFalse(ticket.carry_in_open)
        self.assertEqual(ticket.action_receive_unit()["res_model"], "aftersales.carry.in")
        # no customer, no reception
        anonymous = self._ticket(partner_id=False).with_user(self.counter)
        with self.assertRaisesRegex(UserError, "Set the customer"):
            anonymous.action_receive_unit()

    def test_received_as_the_customers_stock(self):
        before = self._stock_figures()
        carry_in = self._answer_intake(self._new_carry_in())
        carry_in.action_receive()
        self.assertEqual(carry_in.state, "received")
        self.assertEqual(carry_in.received_by_id, self.counter)
        self.assertTrue(carry_in.received_date)
        picking = carry_in.sudo().reception_picking_id
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.picking_type_id, self.warehouse.in_type_id)
        self.assertEqual(
            (picking.partner_id, picking.owner_id, picking.origin), (self.customer, self.customer, carry_in.name)
        )
        self.assertEqual(picking.move_line_ids.owner_id, self.customer)
        quant = self._quants(carry_in)
        self.assertEqual(len(quant), 1)
        self.assertEqual((quant.quantity, quant.lot_id, quant.owner_id), (1.0, self.bike_lot, self.customer))
        # the location is out of WH/Stock, and nothing of ours changed
        self.assertNotEqual(carry_in.location_id.location_id, self.warehouse.lot_stock_id)
        self.assertEqual(self._stock_figures(), before)
        self.assertFalse(picking.move_ids.stock_valuation_layer_ids)
        # told in both chatters
        self.assertTrue(any("received" in message.body for message in carry_in.message_ids))
        self.assertTrue(any(carry_in.name in message.body for message in self.bike_ticket.message_ids))

    def test_a_delivery_never_reserves_the_customers_unit(self):
        carry_in = self._received()
        customer = self.env["res.partner"].create({"name": "Other Buyer"})
        out = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": customer.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    Command.create(
                        {
                            "name": "3 motorcycles",
                            "product_id": self.motorcycle.id,
                            "product_uom_qty": 3.0,
                            "location_id": self.warehouse.lot_stock_id.id,
                            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                        }
                    )
                ],
            }
        )
        out.action_confirm()
        out.action_assign()
        self.assertEqual(out.move_ids.quantity, 2.0)
        self.assertNotIn(self.bike_lot, out.move_line_ids.lot_id)
        self.assertFalse(out.move_line_ids.owner_id)
        self.assertEqual(self._quants(carry_in).reserved_quantity, 0.0)

    def test_new_serial_typed_at_the_counter(self):
        ticket = self._ticket(partner_id=self.customer.id, product_id=self.motorcycle.id)
        carry_in = self._answer_intake(self._new_carry_in(ticket=ticket))
        self.assertFalse(carry_in.lot_id)
        with self.assertRaisesRegex(UserError, "tracked by serial number"):
            carry_in.action_receive()
        with Form(carry_in) as form:
            form.lot_name = "MC-0777"
        carry_in.action_receive()
        self.assertEqual(carry_in.lot_id.name, "MC-0777")
        self.assertEqual(ticket.lot_id, carry_in.lot_id, "the ticket knows its unit's serial number now")
        self.assertEqual(carry_in.lot_id.product_id, self.motorcycle)
        self.assertFalse(carry_in.lot_name)
        self.assertEqual(self._quants(carry_in).lot_id, carry_in.lot_id)

    def test_bad_input_moves_nothing(self):
        pickings = self.env["stock.picking"].search_count([])
        carry_in = self._new_carry_in()
        # required intake checks first
        with self.assertRaisesRegex(UserError, "Answer the required intake checks .*Mileage"):
            carry_in.action_receive()
        self._answer_intake(carry_in)
        # a serial of another product
        other_lot = self.env["stock.lot"].create({"name": "DR-1", "product_id": self.other_product.id})
        carry_in.sudo().lot_id = other_lot
        with self.assertRaisesRegex(UserError, "is not one of"):
            carry_in.action_receive()
        # a unit that stock does not track
        service_like = self.env["product.product"].create({"name": "Garden Chair", "categ_id": self.motorcycles.id})
        with Form(carry_in) as form:
            form.lot_id = self.env["stock.lot"]
            form.product_id = service_like
        with self.assertRaisesRegex(UserError, "not tracked in inventory"):
            carry_in.action_receive()
        self.assertEqual(carry_in.state, "draft")
        self.assertFalse(carry_in.sudo().reception_picking_id)
        self.assertEqual(self.env["stock.picking"].search_count([]), pickings)
        self.assertFalse(self._quants(carry_in))
        # a stay that is over is not received again
        carry_in.action_cancel()
        with self.assertRaisesRegex(UserError, "not possible .* at stage Cancelled"):
            carry_in.action_receive()

    def test_unit_already_in_the_centre(self):
        self._received()
        ticket = self._ticket(partner_id=self.customer.id, product_id=self.motorcycle.id, lot_id=self.bike_lot.id)
        carry_in = self._answer_intake(self._new_carry_in(ticket=ticket))
        with self.assertRaisesRegex(UserError, "already in the service centre"):
            carry_in.action_receive()

    def test_technician_cannot_receive(self):
        carry_in = self._answer_intake(self._new_carry_in())
        with self.assertRaises(AccessError):
            carry_in.with_user(self.tech_user).action_receive()
        # not even the technician of the unit's workshop job
        carry_in.sudo().visit_id = self._visit(ticket=self.bike_ticket, technician_id=self.tech_a.id)
        with self.assertRaisesRegex(AccessError, "by an after-sales agent"):
            carry_in.with_user(self.tech_user).action_receive()
        with self.assertRaises(AccessError):
            self.bike_ticket.with_user(self.tech_user).action_receive_unit()
        self.assertEqual(carry_in.state, "draft")

    def test_workflow_fields_refused_to_rpc(self):
        carry_in = self._new_carry_in()
        picking = self.env["stock.picking"].search([], limit=1)
        for vals in (
            {"state": "received"},
            {"reception_picking_id": picking.id},
            {"received_by_id": self.counter.id},
            {"intake_signed_by": "Somebody"},
        ):
            with self.assertRaises(AccessError):
                carry_in.write(vals)
        self.assertEqual(carry_in.state, "draft")

    def test_unit_editable_at_the_counter_only(self):
        carry_in = self._new_carry_in()
        self.assertEqual(
            (carry_in.partner_id, carry_in.product_id, carry_in.lot_id), (self.customer, self.motorcycle, self.bike_lot)
        )
        other = self.env["res.partner"].create({"name": "Walk-in Customer"})
        carry_in.write({"partner_id": other.id})
        carry_in.write({"partner_id": self.customer.id})
        self._answer_intake(carry_in).action_receive()
        for vals in ({"partner_id": other.id}, {"product_id": self.product.id}, {"lot_id": False}, {"lot_name": "X"}):
            with self.assertRaisesRegex(UserError, "is received"):
                carry_in.write(vals)
        self.assertEqual((carry_in.partner_id, carry_in.lot_id), (self.customer, self.bike_lot))
