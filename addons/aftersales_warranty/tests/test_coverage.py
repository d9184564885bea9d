from ast import literal_eval
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.aftersales_service.tests.common import SIGNATURE
from odoo.addons.aftersales_service.tests.common_fees import AftersalesFeesCommon

from .common import WarrantyCommon

VISIT_START = datetime(2026, 6, 9, 10, 0)


class CoverageCommon(WarrantyCommon, AftersalesFeesCommon):
    """The warranty fixtures with the fee products and the visit flow of the service tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.labour_product.standard_price = 30.0
        cls.zone_product.standard_price = 15.0
        cls.extension_product = cls.env["product.product"].create(
            {
                "name": "Extended warranty +12 months",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 79.0,
                "taxes_id": [Command.clear()],
                "aftersales_extension_months": 12,
                "aftersales_extension_parts": True,
                "aftersales_extension_labour": True,
                "aftersales_extension_travel": True,
            }
        )

    def _running_warranty(self, lot=None, start=date(2026, 1, 1)):
        warranty = self._warranty(lot_id=(lot or self.lot).id)
        warranty._start(start)
        return warranty

    def _start_visit(self, lines):
        visit = self._visit()
        visit.write({"technician_id": self.tech_a.id, "scheduled_start": VISIT_START})
        visit.action_schedule()
        with freeze_time(VISIT_START):
            visit.action_start()
        visit.write({"line_ids": [Command.create(vals) for vals in lines]})
        return visit

    def _finish_visit(self, visit):
        visit.write({"work_report": "<p>Done.</p>", "signature": SIGNATURE, "signed_by": "Wendy Washer"})
        with freeze_time(datetime(2026, 6, 9, 11, 30)):
            visit.action_done()
        return visit

    def _sell_extension(self, lots, quantity=None):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.extension_product.id,
                            "product_uom_qty": quantity or len(lots),
                            "aftersales_extended_lot_ids": [Command.set(lots.ids)],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        return order


@tagged("post_install", "-at_install")
class TestCoverage(CoverageCommon):
    def test_covered_labour_is_free_travel_billed(self):
        warranty = self._running_warranty()
        visit = self._do_visit(self._visit(), lines=[{"line_type": "labour"}, {"line_type": "travel_zone"}])
        labour, travel = visit.line_ids
        self.assertEqual(labour.coverage, "warranty")
        self.assertEqual(labour.covering_warranty_id, warranty)
        self.assertEqual(labour.visit_date, date(2026, 6, 9))
        self.assertEqual(labour.cost_amount, 45.0, "1.5 hours at a cost of 30")
        self.assertEqual(labour.covered_amount, 120.0, "1.5 hours at the customer's 80")
        self.assertEqual(labour.price_subtotal, 0.0)
        self.assertEqual(travel.coverage, "billable", "the policy leaves travel out")
        self.assertFalse(travel.covering_warranty_id)
        self.assertEqual(travel.cost_amount, 15.0, "the cost is known for billed lines too")
        self.assertEqual(travel.covered_amount, 0.0)

        labour_sale, travel_sale = labour.sale_line_ids, travel.sale_line_ids
        self.assertEqual(labour_sale.price_subtotal, 0.0)
        self.assertEqual(labour_sale.discount, 100.0)
        self.assertIn(f"Covered by warranty {warranty.name}", labour_sale.name)
        self.assertEqual(travel_sale.price_subtotal, 40.0)
        self.assertEqual(labour_sale.order_id.amount_untaxed, 40.0)
        self.assertEqual(self.ticket.visit_line_ids, visit.line_ids)
        self.assertEqual(self.ticket.warranty_covered_amount, 120.0)

    def test_contract_covers_what_the_warranty_does_not(self):
        warranty = self._running_warranty()
        contract = self.env["aftersales.contract"].create(
            {
                "partner_id": self.customer.id,
                "product_id": self.fee_product.id,
                "start_date": date(2026, 1, 1),
                "term_months": 12,
                "recurring_amount": 100.0,
                "covers_parts": False,
                "covers_labour": True,
                "covers_travel": True,
                "lot_ids": [Command.set(self.lot.ids)],
            }
        )
        contract.action_start()
        self.ticket.invalidate_recordset(["contract_id"])
        self.ticket._compute_contract_id()
        self.assertEqual(self.ticket.contract_id, contract)
        visit = self._do_visit(self._visit(), lines=[{"line_type": "labour"}, {"line_type": "travel_zone"}])
        labour, travel = visit.line_ids
        self.assertEqual(labour.coverage, "warranty", "the manufacturer pays first")
        self.assertEqual(labour.covering_warranty_id, warranty)
        self.assertEqual(travel.coverage, "contract", "the warranty leaves travel out, the contract covers it")
        self.assertEqual(travel.covering_contract_id, contract)
        self.assertIn(f"Covered by contract {contract.name}", travel.sale_line_ids.name)
        self.assertEqual(travel.sale_line_ids.order_id.amount_untaxed, 0.0)
        warranty._void_by_hand("Returned")
        second = self._do_visit(self._visit(), start=datetime(2026, 6, 10, 10, 0), lines=[{"line_type": "labour"}])
        self.assertEqual(second.line_ids.coverage, "contract", "without the warranty, the contract pays")

    def test_expired_unit_is_billed_fully(self):
        warranty = self._running_warranty(start=date(2024, 1, 1))
        self.assertEqual(warranty.state, "expired")
        visit = self._do_visit(self._visit(), lines=[{"line_type": "labour"}, {"line_type": "travel_zone"}])
        self.assertEqual(set(visit.line_ids.mapped("coverage")), {"billable"})
        self.assertFalse(visit.line_ids.covering_warranty_id)
        self.assertEqual(visit.line_ids.sale_line_ids.mapped("price_subtotal"), [120.0, 40.0])
        self.assertEqual(sum(visit.line_ids.mapped("covered_amount")), 0.0)

    def test_unit_without_serial_or_warranty_is_billed(self):
        visit = self._do_visit(self._visit(), lines=[{"line_type": "labour"}])
        self.assertEqual(visit.line_ids.coverage, "billable")
        self.assertEqual(visit.line_ids.sale_line_ids.price_subtotal, 120.0)

    def test_visit_after_the_end_is_billed(self):
        with freeze_time("2026-06-01"):
            warranty = self._running_warranty(start=date(2024, 6, 1))  # ends 2026-05-31, grace until 2026-06-10
        self.assertEqual(warranty.state, "active")
        # the warranty's own terms (a change of the policy applies to new units only)
        warranty.grace_days = 0
        visit = self._do_visit(self._visit(), lines=[{"line_type": "labour"}])
        self.assertEqual(visit.line_ids.coverage, "billable", "the visit on 2026-06-09 is after the end")

    def test_visit_day_is_the_local_day(self):
        """Started at 15:30 UTC on 10 June, 00:30 on 11 June in Tokyo: for a technician there, the visit is on
        the 11th, and the warranty that started that day covers it."""
        warranty = self._running_warranty(start=date(2026, 6, 11))
        technician = self.tech_a.user_id
        technician.tz = "Asia/Tokyo"
        visit = self._do_visit(
            self._visit(),
            start=datetime(2026, 6, 10, 15, 30),
            hours=0.5,
            lines=[{"line_type": "labour"}],
            user=technician,
        )
        self.assertEqual(visit.line_ids.visit_date, date(2026, 6, 11))
        self.assertEqual(visit.line_ids.coverage, "warranty")
        self.assertEqual(visit.line_ids.covering_warranty_id, warranty)

    def test_manager_overrides_coverage(self):
        warranty = self._running_warranty()
        visit = self._start_visit([{"line_type": "labour"}, {"line_type": "travel_zone"}])
        labour, travel = visit.line_ids
        self.assertEqual(labour.coverage, "warranty")
        # a user or a technician cannot decide the coverage
        for user in (self.agent, self.tech_a.user_id):
            with self.assertRaises(AccessError):
                labour.with_user(user).write({"coverage_override": "billable", "coverage_override_reason": "No"})
        # a manager must say why
        with self.assertRaises(ValidationError):
            labour.with_user(self.manager).write({"coverage_override": "billable"})
        with self.assertRaises(ValidationError):
            labour.with_user(self.manager).write({"coverage_override": "billable", "coverage_override_reason": " "})
        labour.with_user(self.manager).write(
            {"coverage_override": "billable", "coverage_override_reason": "Damage caused by misuse"}
        )
        travel.with_user(self.manager).write(
            {"coverage_override": "warranty", "coverage_override_reason": "Second trip for our mistake"}
        )
        self.assertEqual(labour.coverage, "billable")
        self.assertEqual(travel.coverage, "warranty")
        self.assertEqual(travel.covering_warranty_id, warranty)
        notes = visit.message_ids.mapped("body")
        self.assertTrue(any("Damage caused by misuse" in note for note in notes))
        self.assertTrue(any("Second trip for our mistake" in note for note in notes))

        self._finish_visit(visit)
        self.assertEqual(labour.sale_line_ids.price_subtotal, 120.0)
        self.assertEqual(travel.sale_line_ids.price_subtotal, 0.0)
        self.assertEqual(travel.covered_amount, 40.0)
        # billed lines keep their coverage, whatever happens to the warranty later
        warranty._void_by_hand("Unit replaced")
        self.assertEqual(travel.coverage, "warranty")

    def test_warranty_cost_report(self):
        self._running_warranty()
        self._do_visit(self._visit(), lines=[{"line_type": "labour"}, {"line_type": "travel_zone"}])
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_warranty.aftersales_visit_line_action_warranty_cost"
        )
        groups = self.env["aftersales.visit.line"]._read_group(
            literal_eval(action["domain"]),
            ["unit_product_id", "lot_id", "visit_date:month"],
            ["cost_amount:sum", "covered_amount:sum"],
        )
        self.assertEqual(len(groups), 1)
        product, lot, _month, cost, covered = groups[0]
        self.assertEqual((product, lot, cost, covered), (self.product, self.lot, 45.0, 120.0))

    def test_coverage_query_count_does_not_grow(self):
        self._running_warranty()
        one = self._start_visit([{"line_type": "labour"}])
        other_ticket = self._ticket(name="Noisy drum", lot_id=self.lot.id)
        four = self._visit(ticket=other_ticket)
        four.write({"line_ids": [Command.create({"line_type": kind}) for kind in ("labour", "fee", "fee", "labour")]})
        queries = []
        for lines in (one.line_ids, four.line_ids):
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            for fname in ("coverage", "covering_warranty_id"):
                self.env.add_to_compute(lines._fields[fname], lines)
            lines._recompute_recordset(["coverage", "covering_warranty_id"])
            queries.append(self.cr.sql_log_count - start)
        self.assertEqual(set(four.line_ids.mapped("coverage")), {"warranty"})
        self.assertLessEqual(queries[1], queries[0], "deciding coverage must not query per line")


@tagged("post_install", "-at_install")
class TestWarrantyExtension(CoverageCommon):
    def test_extension_on_confirmation_and_refund(self):
        warranty = self._running_warranty()
        self.assertEqual(warranty.end_date, date(2027, 12, 31))
        self.assertFalse(warranty.covers_travel)
        order = self._sell_extension(self.lot)
        extension = order.order_line.aftersales_extension_ids
        self.assertEqual(extension.state, "active")
        self.assertEqual(extension.warranty_id, warranty)
        self.assertEqual(warranty.extension_months, 12)
        self.assertEqual(warranty.end_date, date(2028, 12, 31))
        self.assertEqual(warranty.covered_until, date(2029, 1, 10))
        self.assertTrue(warranty.covers_travel, "the extension adds travel")

        invoice = order._create_invoices()
        invoice.action_post()
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "Extension returned", "journal_id": invoice.journal_id.id})
        )
        action = reversal.refund_moves()
        refund = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(extension.state, "active", "a draft credit note changes nothing")
        refund.action_post()
        self.assertEqual(extension.state, "cancelled")
        self.assertEqual(warranty.extension_months, 0)
        self.assertEqual(warranty.end_date, date(2027, 12, 31))
        self.assertFalse(warranty.covers_travel)

    def test_cancelling_the_order_cancels_the_extension(self):
        warranty = self._running_warranty()
        order = self._sell_extension(self.lot)
        self.assertEqual(warranty.end_date, date(2028, 12, 31))
        order._action_cancel()
        self.assertEqual(order.order_line.aftersales_extension_ids.state, "cancelled")
        self.assertEqual(warranty.end_date, date(2027, 12, 31))

    def test_extension_sold_before_the_warranty_attaches_later(self):
        lot = self.env["stock.lot"].create({"name": "WM7-0002", "product_id": self.product.id})
        order = self._sell_extension(lot)
        extension = order.order_line.aftersales_extension_ids
        self.assertEqual(extension.state, "pending")
        self.assertFalse(extension.warranty_id)
        warranty = self._warranty(lot_id=lot.id)
        self.assertEqual(extension.state, "active")
        self.assertEqual(extension.warranty_id, warranty)
        self.assertEqual(warranty.extension_months, 12)
        warranty._start(date(2026, 3, 1))
        self.assertEqual(warranty.end_date, date(2029, 2, 28), "two years plus twelve months")

    def test_extension_covers_a_visit_later(self):
        self.policy.covers_travel = False
        self._running_warranty()
        self._sell_extension(self.lot)
        visit = self._do_visit(self._visit(), lines=[{"line_type": "travel_zone"}])
        self.assertEqual(visit.line_ids.coverage, "warranty")
        self.assertEqual(visit.line_ids.sale_line_ids.price_subtotal, 0.0)

    def test_extending_a_void_warranty_is_refused(self):
        warranty = self._running_warranty()
        warranty._void_by_hand("Unit replaced")
        with self.assertRaises(UserError):
            self._sell_extension(self.lot)
        with self.assertRaises(ValidationError):
            self.env["aftersales.warranty.extension"].create(
                {"lot_id": self.lot.id, "warranty_id": warranty.id, "months": 12, "state": "active"}
            )

    def test_bad_input(self):
        lot = self.env["stock.lot"].create({"name": "WM7-0003", "product_id": self.product.id})
        with self.assertRaises(UserError):
            self._sell_extension(lot, quantity=2)  # one serial for two units
        with self.assertRaises(UserError):
            self._sell_extension(self.env["stock.lot"])  # no serial at all
        with self.assertRaises(ValidationError):
            self.extension_product.aftersales_extension_months = -1
        with self.assertRaises(ValidationError):
            self.product.aftersales_extension_months = 12  # a storable product extends nothing
        with self.assertRaises(ValidationError):
            self.env["aftersales.warranty.extension"].create({"lot_id": lot.id, "months": 0})
        order = self._sell_extension(lot)
        with self.assertRaises(UserError):
            order.order_line.aftersales_extension_ids.unlink()
