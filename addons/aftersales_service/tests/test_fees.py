from datetime import datetime

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common_fees import AftersalesFeesCommon


@tagged("post_install", "-at_install")
class TestServiceFees(AftersalesFeesCommon):
    def _standard_lines(self):
        return [
            {"line_type": "labour"},
            {"line_type": "travel_zone"},
            {"line_type": "fee"},
            {"line_type": "fee", "goodwill": True, "goodwill_reason": "Second call-out for the same fault"},
        ]

    def test_defaults_from_visit_type_zone_and_pricelist(self):
        visit = self._visit(technician_id=self.tech_a.id, time_spent=2.0)
        labour, travel, km, fee = self.env["aftersales.visit.line"].create(
            [
                {"visit_id": visit.id, "line_type": line_type}
                for line_type in ("labour", "travel_zone", "travel_km", "fee")
            ]
        )
        self.assertEqual(labour.product_id, self.labour_product)
        self.assertEqual(labour.quantity, 2.0, "labour takes the time spent on the visit")
        self.assertEqual(labour.price_unit, 80.0, "the customer's pricelist sets the hourly rate")
        self.assertEqual(labour.price_subtotal, 160.0)
        self.assertEqual(travel.product_id, self.zone_product, "the zone of the address sets the travel fee")
        self.assertEqual((travel.quantity, travel.price_unit), (1.0, 40.0))
        self.assertEqual(km.product_id, self.km_product)
        self.assertEqual(km.quantity, visit._travel_km())
        self.assertGreater(km.quantity, 0.0, "depot and customer both have coordinates")
        self.assertEqual((fee.product_id, fee.price_unit), (self.fee_product, 30.0))
        visit.time_spent = 3.0
        self.assertEqual(labour.quantity, 3.0)
        self.assertEqual(visit.fee_amount, 240.0 + 40.0 + km.price_subtotal + 30.0)

    def test_lines_in_form(self):
        visit = self._visit(technician_id=self.tech_a.id, time_spent=1.0)
        with Form(visit) as form:
            with form.line_ids.new() as line:
                line.line_type = "labour"
                self.assertEqual(line.product_id, self.labour_product)
                self.assertEqual(line.price_unit, 80.0)
            with form.line_ids.new() as line:
                line.line_type = "fee"
                line.goodwill = True
                line.goodwill_reason = "Loyal customer"
        self.assertEqual(visit.fee_amount, 80.0)
        self.assertIn("Loyal customer", visit.line_ids[1].name)

    def test_fees_reach_order_and_invoice(self):
        visit = self._do_visit(self._visit(), hours=1.5, lines=self._standard_lines(), user=self.tech_a.user_id)
        self.assertEqual(visit.state, "done")
        order = self.ticket.fee_order_id
        self.assertTrue(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.pricelist_id, self.pricelist)
        self.assertEqual(visit.fee_order_ids, order)
        self.assertEqual(order.aftersales_visit_ids, visit)
        self.assertEqual(order.order_line.aftersales_visit_id, visit)
        labour = order.order_line.filtered(lambda line: line.product_id == self.labour_product)
        self.assertEqual((labour.product_uom_qty, labour.price_unit), (1.5, 80.0))
        goodwill = order.order_line.filtered(lambda line: line.aftersales_visit_line_id.goodwill)
        self.assertEqual((goodwill.discount, goodwill.price_subtotal), (100.0, 0.0))
        self.assertIn("Second call-out for the same fault", goodwill.name)
        # 1.5 h x 80 + travel 40 + fee 30 + goodwill 0
        self.assertEqual(order.amount_untaxed, 190.0)
        self.assertEqual(self.ticket.fee_order_count, 1)
        self.assertEqual(self.ticket.action_view_fee_order()["res_id"], order.id)
        self.assertEqual(order.action_view_aftersales_visits()["domain"], [("id", "in", visit.ids)])
        invoice = order._create_invoices()
        self.assertEqual(invoice.amount_untaxed, 190.0)
        self.assertEqual(invoice.partner_id, self.customer)
        invoice.action_post()
        self.assertEqual(order.invoice_status, "invoiced")

    def test_second_visit_same_order_then_new_order(self):
        first = self._do_visit(self._visit(), lines=[{"line_type": "fee"}])
        order = self.ticket.fee_order_id
        second = self._do_visit(
            self._visit(visit_type_id=self.type_follow_up.id, previous_visit_id=first.id),
            start=datetime(2026, 6, 10, 10, 0),
            hours=1.0,
            lines=[{"line_type": "labour"}, {"line_type": "travel_zone"}],
        )
        self.assertEqual(self.ticket.fee_order_id, order, "the order can still take lines")
        self.assertEqual(second.fee_order_ids, order)
        self.assertEqual(order.amount_untaxed, 30.0 + 80.0 + 40.0)
        self.assertEqual(order.aftersales_visit_ids, first | second)
        # once the order is locked, the next fees start a new order
        order.action_lock()
        third = self._do_visit(
            self._visit(visit_type_id=self.type_follow_up.id),
            start=datetime(2026, 6, 11, 10, 0),
            lines=[{"line_type": "fee"}],
        )
        new_order = self.ticket.fee_order_id
        self.assertNotEqual(new_order, order)
        self.assertEqual((new_order.state, new_order.amount_untaxed), ("sale", 30.0))
        self.assertEqual(third.fee_order_ids, new_order)
        self.assertEqual(self.ticket.fee_order_count, 2)
        self.assertEqual(self.ticket.action_view_fee_order()["domain"], [("id", "in", (order | new_order).ids)])

    def test_visit_without_lines_bills_nothing(self):
        self._do_visit(self._visit())
        self.assertFalse(self.ticket.fee_order_id)

    def test_bad_input(self):
        visit = self._visit(technician_id=self.tech_a.id)
        with self.assertRaisesRegex(ValidationError, "goodwill reason"):
            self.env["aftersales.visit.line"].create({"visit_id": visit.id, "line_type": "fee", "goodwill": True})
        with self.assertRaisesRegex(ValidationError, "negative"):
            self.env["aftersales.visit.line"].create({"visit_id": visit.id, "line_type": "fee", "quantity": -1.0})
        line = self.env["aftersales.visit.line"].create({"visit_id": visit.id, "line_type": "fee"})
        with self.assertRaisesRegex(ValidationError, "negative"):
            line.price_unit = -5.0
        with self.assertRaisesRegex(ValidationError, "goodwill reason"):
            line.write({"goodwill": True, "goodwill_reason": "  "})

    def test_done_visit_lines_are_frozen(self):
        visit = self._do_visit(self._visit(), lines=[{"line_type": "fee"}])
        line = visit.line_ids
        with self.assertRaisesRegex(UserError, "billed"):
            line.quantity = 2.0
        with self.assertRaisesRegex(UserError, "billed"):
            self.env["aftersales.visit.line"].create({"visit_id": visit.id, "line_type": "labour"})
        with self.assertRaisesRegex(UserError, "billed"):
            line.unlink()
        with self.assertRaisesRegex(UserError, "billed"):
            visit.write({"line_ids": [Command.create({"line_type": "fee"})]})
        # the time spent may still be corrected: the billed quantity stays
        labour_visit = self._do_visit(
            self._visit(visit_type_id=self.type_follow_up.id),
            start=datetime(2026, 6, 10, 10, 0),
            hours=2.0,
            lines=[{"line_type": "labour"}],
        )
        labour_visit.time_spent = 5.0
        self.assertEqual(labour_visit.line_ids.quantity, 2.0)
