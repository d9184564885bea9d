from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from .test_coverage import VISIT_START, CoverageCommon


@tagged("post_install", "-at_install")
class TestVisitQuotationCoverage(CoverageCommon):
    """A quotation proposes what the customer pays: the fees the warranty covers stay out of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_agent = new_test_user(
            cls.env,
            login="as_cover_quote_agent",
            name="Quinn Cover",
            groups="aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman",
        )
        cls.company.write({"portal_confirmation_sign": True, "portal_confirmation_pay": False})
        cls.ticket.partner_id = cls.customer

    def _visit_with(self, lines):
        visit = (
            self.env["aftersales.visit"]
            .with_user(self.sales_agent)
            .create(
                {
                    "ticket_id": self.ticket.id,
                    "visit_type_id": self.type_repair_visit.id,
                    "technician_id": self.tech_a.id,
                    "scheduled_start": VISIT_START,
                    "line_ids": [Command.create(vals) for vals in lines],
                }
            )
        )
        visit.action_schedule()
        return visit

    def test_covered_fees_are_not_quoted(self):
        self._running_warranty(start=date(2026, 1, 1))
        covered = self._visit_with([{"line_type": "labour", "quantity": 1.0}])
        self.assertEqual(covered.line_ids.coverage, "warranty")
        self.assertEqual(covered.fee_amount, 0.0)
        with self.assertRaisesRegex(UserError, "nothing to pay"):
            covered.action_send_quotation()
        covered.action_cancel()

        visit = self._visit_with([{"line_type": "labour", "quantity": 1.0}, {"line_type": "travel_zone"}])
        self.assertEqual(visit.fee_amount, 40.0)
        visit.action_send_quotation()
        order = visit.quotation_id
        travel = visit.line_ids.filtered(lambda line: line.line_type == "travel_zone")
        self.assertEqual(order.order_line.aftersales_visit_line_id, travel)
        self.assertEqual(order.amount_untaxed, 40.0)

        # accepted: at the end of the visit the covered labour joins the same order, free of charge
        order.sudo()._validate_order()
        technician = self.tech_a.user_id
        work = visit.with_user(technician)
        with freeze_time(VISIT_START):
            work.action_start()
        work.write({"work_report": "<p>Done.</p>", "signature": SIGNATURE, "signed_by": "Wendy Washer"})
        with freeze_time(datetime(2026, 6, 9, 11, 30)):
            work.action_done()
        self.assertEqual(visit.fee_order_ids, order)
        self.assertEqual(order.order_line.aftersales_visit_line_id, visit.line_ids)
        labour = order.order_line.filtered(lambda line: line.aftersales_visit_line_id.line_type == "labour")
        self.assertEqual(labour.discount, 100.0)
        self.assertIn("Covered by warranty", labour.name)
        self.assertEqual(order.amount_untaxed, 40.0)
