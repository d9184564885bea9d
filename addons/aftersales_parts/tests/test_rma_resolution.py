from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import RmaCommon


@tagged("post_install", "-at_install")
class TestRmaResolution(RmaCommon):
    """Inspection of received units and replacements of serial-tracked units."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lots = cls.env["stock.lot"].create(
            [{"name": name, "product_id": cls.product.id} for name in ("RS-0001", "RS-0002", "RS-0003")]
        )
        for lot in cls.lots:
            cls.env["stock.quant"]._update_available_quantity(cls.product, cls.warehouse.lot_stock_id, 1.0, lot_id=lot)
        cls.serial_order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 2.0})],
            }
        )
        cls.serial_order.action_confirm()
        cls.serial_delivery = cls.serial_order.picking_ids
        cls.serial_delivery.action_assign()
        cls.serial_delivery.move_ids.move_line_ids.unlink()
        move = cls.serial_delivery.move_ids
        cls.env["stock.move.line"].create(
            [dict(move._prepare_move_line_vals(quantity=1.0), lot_id=lot.id) for lot in cls.lots[:2]]
        )
        cls._validate(cls.serial_delivery)
        cls.serial_move = move
        cls.Warranty = cls.env["aftersales.warranty"]

    def _received_rma(self, lines, **values):
        rma = self._rma(lines, **values)
        rma.with_user(self.rma_user).action_approve()
        receipt = rma.sudo().return_picking_ids
        self._validate(receipt.with_user(self.stock_user))
        self.assertEqual(rma.state, "received")
        return rma

    def _serial_rma(self, lot, resolution="replacement"):
        return self._received_rma(
            [(self.serial_move, 1.0, {"lot_id": lot.id, "resolution": resolution, "invoice_line_id": False})],
            sale_order_id=self.serial_order.id,
            picking_id=self.serial_delivery.id,
            invoice_id=False,
        )

    def test_replacement_carries_warranty(self):
        old = self.Warranty.search([("lot_id", "=", self.lots[0].id), ("state", "=", "active")])
        self.assertEqual(len(old), 1)
        # the warranty started a while ago: the replacement gets what is left of it
        old.write({"start_date": fields.Date.today() - timedelta(days=100)})
        end = old.end_date
        rma = self._serial_rma(self.lots[0])
        line = rma.line_ids
        delivery = line.with_user(self.rma_user).action_replace()
        self.assertEqual(delivery.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(delivery.partner_id, self.customer)
        self.assertEqual(delivery.move_ids.product_id, self.product)
        self.assertEqual(rma.out_picking_count, 1)
        with self.assertRaisesRegex(UserError, "already on its way"):
            line.action_replace()
        new_lot = self.lots[2]
        delivery.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            dict(delivery.move_ids._prepare_move_line_vals(quantity=1.0), lot_id=new_lot.id)
        )
        self._validate(delivery.with_user(self.stock_user))
        self.assertEqual(delivery.state, "done")
        new = self.Warranty.search([("lot_id", "=", new_lot.id)])
        self.assertEqual(len(new), 1, "no second, full-length warranty for the replacement unit")
        self.assertEqual(new.state, "active")
        self.assertEqual(new.start_date, fields.Date.today())
        self.assertEqual(new.end_date, end)
        self.assertEqual(new.policy_id, old.policy_id)
        self.assertEqual(new.picking_id, delivery)
        self.assertEqual(old.state, "void")
        self.assertEqual(old.void_reason, "Replaced by RS-0003")
        self.assertEqual(line.replacement_lot_id, new_lot)
        self.assertFalse(self.Warranty.search([("picking_id", "=", delivery.id), ("origin", "=", "sale")]))

    def test_scrap(self):
        rma = self._received_rma([(self.box_move, 2.0, {})])
        line = rma.line_ids
        line.write({"condition": "defective", "decision": "scrap"})
        line.with_user(self.rma_user).action_inspect()
        self.assertEqual(line.scrap_id.state, "done")
        self.assertEqual(line.scrap_id.scrap_qty, 2.0)
        self.assertEqual(line.scrap_id.product_id, self.box)
        self.assertTrue(line.decision_applied)
        with self.assertRaisesRegex(UserError, "already applied"):
            line.action_inspect()

    def test_back_to_customer(self):
        rma = self._serial_rma(self.lots[1], resolution="return")
        line = rma.line_ids
        line.write({"condition": "good", "decision": "customer"})
        line.with_user(self.rma_user).action_inspect()
        picking = line.out_picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_code, "outgoing")
        self.assertEqual(picking.partner_id, self.customer)
        self.assertEqual(picking.move_line_ids.lot_id, self.lots[1])
        self.assertEqual(picking.location_dest_id.usage, "customer")
        self._validate(picking.with_user(self.stock_user))
        warranties = self.Warranty.search([("lot_id", "=", self.lots[1].id), ("state", "=", "active")])
        self.assertEqual(len(warranties), 1, "the unit sent back keeps one warranty")
        self.assertEqual(warranties.picking_id, picking)

    def test_repair(self):
        rma = self._serial_rma(self.lots[1], resolution="repair")
        line = rma.line_ids
        line.write({"condition": "defective", "decision": "repair"})
        with self.assertRaisesRegex(UserError, "Only units sent to repair"):
            line.action_send_back()
        line.with_user(self.rma_user).action_inspect()
        ticket = line.repair_ticket_id
        self.assertTrue(ticket)
        self.assertEqual(ticket.lot_id, self.lots[1])
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.ticket_type_id, self.env.ref("aftersales_service.ticket_type_repair"))
        self.assertEqual(rma.repair_ticket_count, 1)
        with self.assertRaisesRegex(UserError, "before sending the unit back"):
            line.action_send_back()
        closed = self.env["aftersales.ticket.stage"].search([("is_closed", "=", True)], limit=1)
        ticket.write({"stage_id": closed.id, "resolution": "<p>Control board replaced.</p>"})
        line.action_send_back()
        self.assertEqual(line.out_picking_ids.move_line_ids.lot_id, self.lots[1])
        self.assertFalse(line.repair_order_id, "the company repairs by tickets")
        self.assertEqual(rma.repair_order_count, 0)

    def test_not_received_refused(self):
        rma = self._rma([(self.box_move, 1.0, {"resolution": "replacement"})])
        rma.with_user(self.rma_user).action_approve()
        line = rma.line_ids
        line.decision = "scrap"
        with self.assertRaisesRegex(UserError, "not received yet"):
            line.with_user(self.rma_user).action_inspect()
        with self.assertRaisesRegex(UserError, "not received yet"):
            line.with_user(self.rma_user).action_replace()
        self.assertFalse(line.scrap_id)

    def test_back_to_stock(self):
        rma = self._received_rma([(self.box_move, 1.0, {})])
        line = rma.line_ids
        line.write({"condition": "good", "decision": "stock"})
        line.with_user(self.rma_user).action_inspect()
        self.assertTrue(line.decision_applied)
        self.assertFalse(line.out_picking_ids, "a restocking is no delivery of the return")
        transfer = line.inspection_ids.picking_id
        self.assertEqual(transfer.location_id, self.warehouse.aftersales_inspection_location_id)
        self.assertEqual(transfer.location_dest_id, self.warehouse.lot_stock_id)
        with self.assertRaisesRegex(AccessError, "Decision Applied"):
            line.with_user(self.rma_user).write({"decision_applied": False})
        with self.assertRaisesRegex(UserError, "Choose what becomes"):
            line.sudo().write({"decision_applied": False, "decision": False})
            line.with_user(self.rma_user).action_inspect()

    def test_repair_order_sends_the_unit_back(self):
        """Receive, inspect to repair, repair by a repair order, deliver the unit back to the customer."""
        self.company.aftersales_rma_repair_mode = "order"
        ticket = self._ticket()
        rma = self._received_rma(
            [(self.serial_move, 1.0, {"lot_id": self.lots[1].id, "resolution": "repair", "invoice_line_id": False})],
            sale_order_id=self.serial_order.id,
            picking_id=self.serial_delivery.id,
            invoice_id=False,
            ticket_id=ticket.id,
        )
        line = rma.line_ids
        receipt = rma.sudo().return_picking_ids
        received_at = receipt.move_line_ids.location_dest_id
        self.assertEqual(received_at, self.warehouse.aftersales_inspection_location_id)
        line.write({"condition": "defective", "decision": "repair"})
        line.with_user(self.rma_user).action_inspect()
        self.assertFalse(line.repair_ticket_id, "no ticket: a repair order")
        repair = line.repair_order_id
        self.assertEqual(repair.state, "draft")
        self.assertEqual(repair.product_id, self.product)
        self.assertEqual(repair.lot_id, self.lots[1])
        self.assertEqual(repair.product_qty, 1.0)
        self.assertEqual(repair.partner_id, self.customer)
        self.assertEqual(repair.picking_type_id, self.warehouse.repair_type_id)
        self.assertEqual(repair.product_location_src_id, received_at)
        self.assertEqual(repair.product_location_dest_id, received_at)
        self.assertEqual(repair.picking_id, receipt, "the return the unit came back with")
        self.assertEqual(repair.aftersales_rma_line_id, line)
        self.assertEqual(repair.aftersales_rma_id, rma)
        self.assertEqual(repair.aftersales_ticket_id, ticket)
        self.assertTrue(repair.under_warranty, "the warranty voided by the return covers parts and labour")
        self.assertEqual(rma.repair_order_count, 1)
        self.assertEqual(rma.repair_ticket_count, 0)
        action = rma.with_user(self.rma_user).action_view_repair_orders()
        self.assertEqual((action["res_model"], action["res_id"]), ("repair.order", repair.id))
        action = repair.with_user(self.rma_user).action_view_aftersales_rma()
        self.assertEqual((action["res_model"], action["res_id"]), ("aftersales.rma", rma.id))

        with self.assertRaisesRegex(UserError, "already has repair order"):
            line.with_user(self.rma_user).action_create_repair_order()
        with self.assertRaisesRegex(UserError, "Finish repair order"):
            line.with_user(self.rma_user).action_send_back()
        self.assertEqual(self.env["repair.order"].search_count([("aftersales_rma_line_id", "=", line.id)]), 1)

        # the warehouse repairs it; once repaired it goes back to the customer
        repair = repair.with_user(self.stock_user)
        self.assertIs(repair.action_validate(), True)
        self.assertEqual(repair.state, "confirmed")
        repair.action_repair_start()
        self.assertEqual(repair.state, "under_repair")
        self.assertFalse(line.out_picking_ids)
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")
        delivery = line.out_picking_ids
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(delivery.partner_id, self.customer)
        self.assertEqual(delivery.location_id, received_at)
        self.assertEqual(delivery.location_dest_id.usage, "customer")
        self.assertEqual(delivery.move_line_ids.lot_id, self.lots[1])
        self.assertEqual(rma.out_picking_count, 1)
        with self.assertRaisesRegex(UserError, "already sent back"):
            line.with_user(self.rma_user).action_send_back()
        self._validate(delivery.with_user(self.stock_user))
        self.assertEqual(delivery.state, "done")
        customers = self.env.ref("stock.stock_location_customers")
        at_customer = self.env["stock.quant"]._gather(self.product, customers, lot_id=self.lots[1], strict=True)
        self.assertEqual(sum(at_customer.mapped("quantity")), 1.0, "the repaired unit is at the customer")
        in_stock = self.env["stock.quant"]._gather(self.product, received_at, lot_id=self.lots[1], strict=True)
        self.assertEqual(sum(in_stock.mapped("quantity")), 0.0)
        warranties = self.Warranty.search([("lot_id", "=", self.lots[1].id), ("state", "=", "active")])
        self.assertEqual(len(warranties), 1, "the unit sent back keeps one warranty")

    def test_repair_order_refusals(self):
        self.company.aftersales_rma_repair_mode = "order"
        rma = self._rma([(self.box_move, 1.0, {"resolution": "repair"})])
        rma.with_user(self.rma_user).action_approve()
        line = rma.line_ids
        line.decision = "repair"
        with self.assertRaisesRegex(UserError, "not received yet"):
            line.with_user(self.rma_user).action_inspect()
        with self.assertRaisesRegex(UserError, "not received yet"):
            line.with_user(self.rma_user).action_create_repair_order()
        self.assertFalse(line.repair_order_id)
        self._validate(rma.sudo().return_picking_ids.with_user(self.stock_user))
        line.decision = "stock"
        with self.assertRaisesRegex(UserError, "not to be repaired"):
            line.with_user(self.rma_user).action_create_repair_order()
        line.decision = "repair"
        line.with_user(self.rma_user).action_inspect()
        first = line.repair_order_id
        self.assertFalse(first.under_warranty, "no serial, no warranty")
        with self.assertRaisesRegex(UserError, "already applied"):
            line.with_user(self.rma_user).action_inspect()
        with self.assertRaisesRegex(UserError, "already has repair order"):
            line.with_user(self.rma_user).action_create_repair_order()
        # a cancelled repair order may be replaced by a new one
        first.with_user(self.stock_user).action_repair_cancel()
        second = line.with_user(self.rma_user).action_create_repair_order()
        self.assertNotEqual(second, first)
        self.assertEqual(line.repair_order_id, second)
