from odoo import Command
from odoo.tests import tagged

from odoo.addons.aftersales_warranty.tests.test_coverage import VISIT_START

from .common import PartsCommon


@tagged("post_install", "-at_install")
class TestServiceReportParts(PartsCommon):
    def test_parts_on_the_service_report(self):
        self._inventory(self.seal, self.warehouse.lot_stock_id, 5.0)
        visit = self._start_visit([])
        visit.part_ids = [
            Command.create(
                {"product_id": self.seal.id, "quantity": 2.0, "location_id": self.warehouse.lot_stock_id.id}
            ),
            Command.create({"product_id": self.pump.id, "quantity": 1.0, "removed": True}),
        ]
        report = self.env.ref("aftersales_service.action_report_visit_service")
        html = report._render_qweb_html(report.report_name, visit.ids)[0].decode()
        self.assertIn("Door Seal DS-7", html)
        self.assertIn("Drain Pump DP-1", html)
        self.assertIn("removed from the unit", html)
        self.assertIn(visit.lot_id.name, html)

    def test_parts_on_the_dispatch_slip(self):
        visit = self._visit(technician_id=self.tech_a.id, scheduled_start=VISIT_START)
        visit.action_schedule()
        visit.part_ids = [
            Command.create({"product_id": self.seal.id, "quantity": 2.0, "location_id": self.van.id}),
            Command.create({"product_id": self.board.id, "quantity": 1.0, "removed": True}),
        ]
        request = self._request(1.0, visit=visit)
        report = self.env.ref("aftersales_service.action_report_visit_slip")
        html = report.with_user(self.tech_a.user_id)._render_qweb_html(report.report_name, visit.ids)[0].decode()
        self.assertIn('name="slip_part_lines"', html)
        self.assertIn("Door Seal DS-7", html)
        # what was requested for the visit, with its request
        self.assertIn("Drain Pump DP-1", html)
        self.assertIn(request.name, html)
        # a part removed from the unit is not one to take along
        self.assertNotIn("Control Board CB-2", html)
