from datetime import date

from odoo.tests import tagged

from .test_coverage import VISIT_START, CoverageCommon


@tagged("post_install", "-at_install")
class TestVisitSlipCoverage(CoverageCommon):
    """The dispatch slip says what covers the unit: its warranty and its service contract."""

    def test_slip_shows_the_warranty(self):
        warranty = self._running_warranty(start=date(2026, 1, 1))
        visit = self._visit(technician_id=self.tech_a.id, scheduled_start=VISIT_START)
        report = self.env.ref("aftersales_service.action_report_visit_slip")
        for user in (self.agent, self.tech_a.user_id):
            with self.subTest(user=user.login):
                html = report.with_user(user)._render_qweb_html(report.report_name, visit.ids)[0].decode()
                self.assertIn('name="warranty"', html)
                self.assertIn(warranty.name, html)
                self.assertIn("Active", html)
                self.assertIn('name="contract"', html)

    def test_slip_without_warranty(self):
        visit = self._visit(technician_id=self.tech_a.id, scheduled_start=VISIT_START)
        report = self.env.ref("aftersales_service.action_report_visit_slip")
        html = report.with_user(self.agent)._render_qweb_html(report.report_name, visit.ids)[0].decode()
        self.assertIn("Warranty:", html)
        self.assertIn("none", html)
