from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from ..models.aftersales_warranty import GIVEN_COMPUTED_FIELDS
from .common import WarrantyCommon

# registering the units of a delivery (flush included), whatever their number: the delivery's moves,
# lines and order, the units already registered and the running warranties of the serials (one
# query), the sequence, the insert with its computed fields, the pending extensions and the
# delivery's note
REGISTRATION_QUERIES = 27


@tagged("post_install", "-at_install")
class TestWarrantyRegistration(WarrantyCommon):
    """Warranties registered from deliveries, started by their trigger, released by returns."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.Warranty = cls.env["aftersales.warranty"]
        policy_vals = {"duration": 1, "duration_unit": "year", "grace_days": 5}
        cls.policy_invoice = cls.env["aftersales.warranty.policy"].create(
            {"name": "One year from invoice", "start_trigger": "invoice", **policy_vals}
        )
        cls.policy_installation = cls.env["aftersales.warranty.policy"].create(
            {"name": "One year from installation", "start_trigger": "installation", **policy_vals}
        )
        cls.fridge = cls.env["product.product"].create(
            {
                "name": "Fridge FR-1",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 800.0,
                "aftersales_warranty_policy_id": cls.policy_invoice.id,
            }
        )
        cls.oven = cls.env["product.product"].create(
            {
                "name": "Built-in Oven OV-9",
                "is_storable": True,
                "tracking": "serial",
                "aftersales_requires_installation": True,
                "aftersales_warranty_policy_id": cls.policy_installation.id,
            }
        )
        cls.kettle = cls.env["product.product"].create(
            {"name": "Kettle KT-2", "is_storable": True, "aftersales_warranty_policy_id": cls.policy.id}
        )
        cls.new_owner = cls.env["res.partner"].create({"name": "Nora Newowner"})

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @classmethod
    def _stock(cls, product, quantity=0, serials=()):
        lots = cls.env["stock.lot"]
        for serial in serials:
            lot = cls.env["stock.lot"].create({"name": serial, "product_id": product.id, "company_id": cls.company.id})
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, 1.0, lot_id=lot)
            lots |= lot
        if not serials:
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, quantity)
        return lots

    def _sell(self, product, quantity):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": quantity})],
            }
        )
        order.action_confirm()
        return order

    def _validate(self, picking):
        picking.action_assign()
        picking.move_ids.picked = True
        result = picking.button_validate()
        self.assertIs(result, True)
        self.assertEqual(picking.state, "done")

    def _return(self, picking, quantity, lot=None):
        """Return ``quantity`` of the delivery's only move (the unit ``lot``) through the return wizard."""
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_ids=picking.ids, active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = quantity
        return_picking = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        return_picking.action_assign()
        if lot:
            return_picking.move_ids.move_line_ids.unlink()
            return_picking.move_ids.move_line_ids = [
                Command.create(
                    {
                        "product_id": lot.product_id.id,
                        "lot_id": lot.id,
                        "quantity": 1,
                        "location_id": return_picking.location_id.id,
                        "location_dest_id": return_picking.location_dest_id.id,
                        "picking_id": return_picking.id,
                    }
                )
            ]
        return_picking.move_ids.picked = True
        return_picking.button_validate()
        self.assertEqual(return_picking.state, "done")
        return return_picking

    def _invoice(self, order, invoice_date):
        invoice = order._create_invoices()
        invoice.invoice_date = invoice_date
        invoice.action_post()
        return invoice

    def _warranties(self, order):
        return self.Warranty.search([("sale_order_id", "=", order.id)], order="lot_name, id")

    # ------------------------------------------------------------------
    # Registration and start triggers
    # ------------------------------------------------------------------

    @freeze_time("2026-03-10 12:00:00")
    def test_delivery_starts_three_serials(self):
        lots = self._stock(self.product, serials=["REG-1", "REG-2", "REG-3"])
        order = self._sell(self.product, 3)
        picking = order.picking_ids
        self.assertFalse(self._warranties(order), "nothing before the delivery is done")
        self._validate(picking)
        warranties = self._warranties(order)
        self.assertRecordValues(
            warranties,
            [
                {
                    "origin": "sale",
                    "partner_id": self.customer.id,
                    "product_id": self.product.id,
                    "lot_id": lot.id,
                    "quantity": 1.0,
                    "policy_id": self.policy.id,
                    "sale_line_id": order.order_line.id,
                    "picking_id": picking.id,
                    "move_id": picking.move_ids.id,
                    "invoice_id": False,
                    "state": "active",
                    "start_date": date(2026, 3, 10),
                    "end_date": date(2028, 3, 9),
                    "covered_until": date(2028, 3, 19),
                }
                for lot in lots
            ],
        )
        # the invoice only gets linked: the clock already runs
        invoice = self._invoice(order, date(2026, 3, 20))
        self.assertEqual(warranties.invoice_id, invoice)
        self.assertEqual(set(warranties.mapped("start_date")), {date(2026, 3, 10)})
        # smart buttons
        self.assertEqual(picking.aftersales_warranty_count, 3)
        self.assertEqual(order.aftersales_warranty_count, 3)
        self.assertEqual(lots[0].aftersales_warranty_count, 1)
        for record in (picking, order, lots[0]):
            action = record.action_view_aftersales_warranties()
            self.assertEqual(
                self.Warranty.search(action["domain"]), warranties & self.Warranty.search(action["domain"])
            )
        self.assertEqual(self.Warranty.search(lots[0].action_view_aftersales_warranties()["domain"]), warranties[0])

    @freeze_time("2026-03-10 12:00:00")
    def test_registration_inserts_what_the_computes_give(self):
        """The values a delivery gives the computed fields of its warranties are those of their computes."""
        customer_contact = self.env["res.partner"].create({"name": "Carl Contact", "parent_id": self.customer.id})
        for product, serials in ((self.product, ["CMP-1", "CMP-2"]), (self.fridge, ["CMP-3"])):
            self._stock(product, serials=serials)
            order = self.env["sale.order"].create(
                {
                    "partner_id": customer_contact.id,
                    "order_line": [Command.create({"product_id": product.id, "product_uom_qty": len(serials)})],
                }
            )
            order.action_confirm()
            self._validate(order.picking_ids)
            warranties = self._warranties(order)
            self.assertEqual(len(warranties), len(serials))
            inserted = warranties.read(GIVEN_COMPUTED_FIELDS)
            self.assertEqual(warranties.commercial_partner_id, self.customer)
            for name in GIVEN_COMPUTED_FIELDS:
                self.env.add_to_compute(warranties._fields[name], warranties)
            self.env.flush_all()
            warranties.invalidate_recordset()
            self.assertEqual(warranties.read(GIVEN_COMPUTED_FIELDS), inserted)

    def test_invoice_trigger_waits_for_the_posted_invoice(self):
        self._stock(self.fridge, serials=["FR-1", "FR-2", "FR-3"])
        order = self._sell(self.fridge, 3)
        self._validate(order.picking_ids)
        warranties = self._warranties(order)
        self.assertEqual(len(warranties), 3)
        self.assertRecordValues(warranties, [{"state": "draft", "start_date": False, "end_date": False}] * 3)
        invoice = order._create_invoices()
        invoice.invoice_date = date(2026, 4, 1)
        self.assertEqual(set(warranties.mapped("state")), {"draft"}, "a draft invoice starts nothing")
        invoice.action_post()
        self.assertRecordValues(
            warranties,
            [
                {
                    "state": "active",
                    "start_date": date(2026, 4, 1),
                    "end_date": date(2027, 3, 31),
                    "invoice_id": invoice.id,
                }
            ]
            * 3,
        )

    def test_invoice_trigger_invoice_before_delivery(self):
        self._stock(self.fridge, serials=["FR-9"])
        order = self._sell(self.fridge, 1)
        invoice = self._invoice(order, date(2026, 2, 1))
        self._validate(order.picking_ids)
        self.assertRecordValues(
            self._warranties(order), [{"state": "active", "start_date": date(2026, 2, 1), "invoice_id": invoice.id}]
        )

    def test_installation_trigger_waits_for_the_visit(self):
        self._stock(self.oven, serials=["OV9-1", "OV9-2", "OV9-3"])
        order = self._sell(self.oven, 3)
        self._validate(order.picking_ids)
        warranties = self._warranties(order)
        self.assertRecordValues(warranties, [{"state": "draft", "start_date": False}] * 3)
        self._invoice(order, date(2026, 6, 1))
        self.assertEqual(set(warranties.mapped("state")), {"draft"}, "the invoice does not start an installation")
        visits = self.env["aftersales.visit"].search([("picking_id", "=", order.picking_ids.id)])
        self.assertEqual(len(visits), 3)
        visit = visits.filtered(lambda v: v.ticket_id.lot_id.name == "OV9-2")
        technician = self.env["aftersales.technician"].create(
            {
                "user_id": new_test_user(
                    self.env, login="reg_tech", groups="aftersales_service.aftersales_service_group_technician"
                ).id,
                "resource_calendar_id": self.calendar.id,
            }
        )
        with visit._assignment_checked():
            visit.write({"technician_id": technician.id, "scheduled_start": datetime(2026, 6, 9, 10, 0)})
        visit.action_schedule()
        with freeze_time("2026-06-09 10:05:00"):
            visit.action_start()
        card = visit.installation_card_id
        card.write({"location": "Kitchen", "customer_name": "Wendy Washer"})
        card.action_return()
        card.action_confirm()
        visit.step_ids.filtered("required").write({"done": True})
        visit.write({"work_report": "<p>Built in.</p>", "signature": SIGNATURE, "signed_by": "Wendy"})
        with freeze_time("2026-06-09 11:30:00"):
            visit.action_done()
        installed = warranties.filtered(lambda w: w.lot_id == visit.ticket_id.lot_id)
        self.assertRecordValues(installed, [{"state": "active", "start_date": date(2026, 6, 9)}])
        self.assertEqual(set((warranties - installed).mapped("state")), {"draft"}, "other units wait")

    # ------------------------------------------------------------------
    # Never twice
    # ------------------------------------------------------------------

    def test_backorder_and_rerun_register_nothing_twice(self):
        self._stock(self.product, serials=["BO-1", "BO-2", "BO-3"])
        order = self._sell(self.product, 3)
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.move_line_ids.sorted("id")[-1].unlink()
        picking.move_ids.picked = True
        result = picking.button_validate()
        Form(self.env[result["res_model"]].with_context(**result["context"])).save().process()
        self.assertEqual(picking.state, "done")
        first = self._warranties(order)
        self.assertEqual(len(first), 2)
        backorder = picking.backorder_ids
        self.assertTrue(backorder)
        self._validate(backorder)
        warranties = self._warranties(order)
        self.assertEqual(len(warranties), 3)
        self.assertEqual(len(warranties.lot_id), 3)
        self.assertEqual((warranties - first).picking_id, backorder)
        # the hook running again registers nothing
        self.assertFalse((picking | backorder)._aftersales_register_warranties())
        (picking | backorder)._action_done()
        self.assertEqual(self._warranties(order), warranties)
        self.assertEqual(set(warranties.mapped("state")), {"active"})

    def test_warehouse_user_without_service_role_registers(self):
        clerk = new_test_user(
            self.env, login="reg_clerk", name="Carl Clerk", groups="base.group_user,stock.group_stock_user"
        )
        self._stock(self.fridge, serials=["CLERK-1"])
        order = self._sell(self.fridge, 1)
        self._invoice(order, date(2026, 1, 15))
        self._validate(order.picking_ids.with_user(clerk))
        self.assertRecordValues(self._warranties(order), [{"state": "active", "start_date": date(2026, 1, 15)}])
        self.assertEqual(order.picking_ids.with_user(clerk).aftersales_warranty_count, 1)

    def test_receipts_unpolicied_and_undone_pickings_register_nothing(self):
        self._stock(self.other_product, serials=["DR3-1"])
        order = self._sell(self.other_product, 1)
        self.assertFalse(order.picking_ids._aftersales_register_warranties(), "not done yet")
        self._validate(order.picking_ids)
        self.assertFalse(self._warranties(order), "the dryer has no policy")
        supplier = self.env.ref("stock.stock_location_suppliers")
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "location_id": supplier.id,
                "location_dest_id": self.warehouse.lot_stock_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.kettle.name,
                            "product_id": self.kettle.id,
                            "product_uom_qty": 2,
                            "location_id": supplier.id,
                            "location_dest_id": self.warehouse.lot_stock_id.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        self._validate(receipt)
        self.assertFalse(self.Warranty.search([("picking_id", "=", receipt.id)]))

    # ------------------------------------------------------------------
    # Returns
    # ------------------------------------------------------------------

    def test_return_voids_and_delivery_again_registers_anew(self):
        lot = self._stock(self.product, serials=["RET-1"])
        order = self._sell(self.product, 1)
        self._validate(order.picking_ids)
        old = self._warranties(order)
        self.assertEqual(old.state, "active")
        return_picking = self._return(order.picking_ids, 1, lot)
        self.assertRecordValues(old, [{"state": "void", "void_reason": f"Returned with {return_picking.name}"}])
        return_picking._aftersales_release_returned_warranties()
        self.assertEqual(old.void_reason, f"Returned with {return_picking.name}", "running again changes nothing")

        # the unit, back in stock, is sold and delivered again
        second = self._sell(self.product, 1)
        self._validate(second.picking_ids)
        new = self._warranties(second)
        self.assertRecordValues(new, [{"lot_id": lot.id, "state": "active"}])
        self.assertEqual(self.Warranty._lookup("RET-1"), new)
        self.assertEqual(lot.aftersales_warranty_count, 2)

    def test_delivery_again_voids_the_former_warranty(self):
        lot = self._stock(self.product, serials=["AGAIN-1"])
        order = self._sell(self.product, 1)
        self._validate(order.picking_ids)
        old = self._warranties(order)
        return_picking = self._return(order.picking_ids, 1, lot)
        # say the former warranty was restarted by hand meanwhile
        old.write({"state": "active", "void_reason": False})
        second = self._sell(self.product, 1)
        self._validate(second.picking_ids)
        self.assertRecordValues(
            old, [{"state": "void", "void_reason": f"Delivered again with {second.picking_ids.name}"}]
        )
        self.assertEqual(self._warranties(second).state, "active")
        self.assertNotEqual(return_picking, second.picking_ids)

    def test_untracked_one_warranty_per_move_shortened_by_returns(self):
        self._stock(self.kettle, 5)
        order = self._sell(self.kettle, 5)
        picking = order.picking_ids
        self._validate(picking)
        warranty = self._warranties(order)
        self.assertRecordValues(
            warranty, [{"lot_id": False, "quantity": 5.0, "move_id": picking.move_ids.id, "state": "active"}]
        )
        first_return = self._return(picking, 2)
        self.assertRecordValues(warranty, [{"quantity": 3.0, "state": "active"}])
        first_return._aftersales_release_returned_warranties()
        self.assertEqual(warranty.quantity, 3.0, "running again shortens nothing more")
        second_return = self._return(picking, 3)
        self.assertRecordValues(
            warranty, [{"quantity": 3.0, "state": "void", "void_reason": f"Returned with {second_return.name}"}]
        )

    # ------------------------------------------------------------------
    # Transfer, expiry, scale
    # ------------------------------------------------------------------

    def _transfer_wizard(self, warranties, user=None, **values):
        Transfer = self.env["aftersales.warranty.transfer"]
        if user:
            Transfer = Transfer.with_user(user)
        form = Form(Transfer.with_context(active_model="aftersales.warranty", active_ids=warranties.ids))
        form.partner_id = values.get("partner", self.new_owner)
        form.transfer_date = values.get("transfer_date", date(2026, 5, 1))
        form.note = values.get("note", "Sold with the house")
        return form.save()

    def test_transfer_wizard(self):
        self._stock(self.product, serials=["TR-1", "TR-2"])
        order = self._sell(self.product, 2)
        self._validate(order.picking_ids)
        warranties = self._warranties(order)
        action = warranties.action_open_transfer()
        self.assertEqual(action["res_model"], "aftersales.warranty.transfer")
        wizard = self._transfer_wizard(warranties, user=self.agent)
        self.assertEqual(wizard.warranty_ids, warranties)
        self._flush_tracking()  # the delivery's transaction ends
        wizard.action_transfer()
        self.assertEqual(warranties.partner_id, self.new_owner)
        self.assertEqual(warranties.commercial_partner_id, self.new_owner)
        self._flush_tracking()
        warranties.invalidate_recordset(["message_ids"])
        for warranty in warranties:
            note = warranty.message_ids.filtered(lambda m: "Ownership transferred" in (m.body or ""))
            self.assertEqual(len(note), 1)
            self.assertIn("Wendy Washer", note.body)
            self.assertIn("2026-05-01", note.body)
            self.assertIn("Sold with the house", note.body)
            self.assertIn(self.new_owner.id, warranty.message_ids.tracking_value_ids.mapped("new_value_integer"))

        # refusals: the same owner, void or expired warranties
        with self.assertRaisesRegex(UserError, "already belong"):
            self._transfer_wizard(warranties).action_transfer()
        warranties[0]._void_by_hand("Stolen")
        with self.assertRaisesRegex(UserError, "void or expired"):
            self._transfer_wizard(warranties, partner=self.customer).action_transfer()
        warranties[1].state = "expired"
        with self.assertRaisesRegex(UserError, "void or expired"):
            self._transfer_wizard(warranties[1], partner=self.customer).action_transfer()
        self.assertEqual(warranties.partner_id, self.new_owner)

    def test_delivered_warranties_expire_after_grace_days(self):
        self._stock(self.product, serials=["EXP-D1"])
        order = self._sell(self.product, 1)
        with freeze_time("2026-03-10 12:00:00"):
            self._validate(order.picking_ids)
        warranty = self._warranties(order)
        self.assertRecordValues(warranty, [{"end_date": date(2028, 3, 9), "covered_until": date(2028, 3, 19)}])
        with freeze_time("2028-03-19 12:00:00"):
            self.Warranty._cron_expire()
            self.assertEqual(warranty.state, "active", "still within the grace days")
        with freeze_time("2028-03-20 12:00:00"):
            self.Warranty._cron_expire()
            self.assertEqual(warranty.state, "expired")

    def test_registration_queries_do_not_grow_with_the_units(self):
        """The clerk validating a delivery registers its serials in the same queries, however many."""
        clerk = new_test_user(
            self.env, login="reg_count_clerk", name="Cora Count", groups="base.group_user,stock.group_stock_user"
        )
        product = self.env["product.product"].create(
            {"name": "Toaster TS-1", "is_storable": True, "tracking": "serial"}
        )
        pickings = []
        for count in (2, 3, 12):
            self._stock(product, serials=[f"TS{count}-{n}" for n in range(count)])
            order = self._sell(product, count)
            self._validate(order.picking_ids.with_user(clerk))
            pickings.append(order.picking_ids.with_user(clerk))
        # the policy set after the deliveries: the registration, as the validation runs it, is left to do
        product.aftersales_warranty_policy_id = self.policy
        # the first registration fills the worker's caches (the clerk's access rules, the sequence)
        self.env.invalidate_all()
        pickings[0]._aftersales_register_warranties()
        for count, picking in zip((3, 12), pickings[1:], strict=True):
            self.env.invalidate_all()
            with self.subTest(units=count), self.assertQueryCount(REGISTRATION_QUERIES):
                warranties = picking._aftersales_register_warranties()
            self.assertEqual(len(warranties), count)
            self.assertEqual(warranties.lot_id, picking.move_line_ids.lot_id)
            self.assertEqual(set(warranties.mapped("state")), {"active"})

    def test_reference_indexed_by_a_btree(self):
        """Deliveries insert warranties by the hundred: their reference is indexed by a btree, which
        costs the insert little, not by trigrams."""
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'aftersales_warranty' AND indexname = %s",
            ["aftersales_warranty__name_index"],
        )
        (definition,) = self.env.cr.fetchone()
        self.assertIn("USING btree", definition)
