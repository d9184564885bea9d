from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_fees import AftersalesFeesCommon


@tagged("post_install", "-at_install")
class TestPrintDocuments(AftersalesFeesCommon):
    """The dispatch slip of a visit and the printout of a ticket, printed by the agent and by the
    technician of the visit, on records the agent created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.slip = cls.env.ref("aftersales_service.action_report_visit_slip")
        cls.ticket_report = cls.env.ref("aftersales_service.action_report_ticket")
        cls.customer.phone = "+32 2 555 01 01"
        cls.type_repair_visit.step_ids.active = False
        cls.type_repair_visit.step_ids = [
            Command.create({"name": "Check the drain pump"}),
            Command.create({"name": "Run a test cycle", "required": True}),
        ]
        Ticket = cls.env["aftersales.ticket"].with_user(cls.agent)
        cls.printed_ticket = Ticket.create(
            {
                "name": "Water stays in the drum",
                "partner_id": cls.customer.id,
                "lot_id": cls.lot.id,
                "team_id": cls.team.id,
                "description": "<p>The drum is full of water after each wash.</p>",
            }
        ).with_env(cls.env)
        Visit = cls.env["aftersales.visit"].with_user(cls.agent)
        cls.own_visit = Visit.create(
            {
                "ticket_id": cls.printed_ticket.id,
                "visit_type_id": cls.type_repair_visit.id,
                "technician_id": cls.tech_a.id,
                "scheduled_start": datetime(2026, 6, 9, 10, 0),
            }
        ).with_env(cls.env)
        cls.other_visit = Visit.create(
            {
                "ticket_id": cls.ticket.id,
                "visit_type_id": cls.type_repair_visit.id,
                "technician_id": cls.tech_b.id,
                "scheduled_start": datetime(2026, 6, 9, 14, 0),
            }
        ).with_env(cls.env)

    def _html(self, report, records, user):
        html, report_type = report.with_user(user)._render_qweb_html(report.report_name, records.ids)
        self.assertEqual(report_type, "html")
        return html.decode()

    def test_slip_as_agent_and_own_technician(self):
        for user in (self.agent, self.tech_a.user_id):
            with self.subTest(user=user.login):
                html = self._html(self.slip, self.own_visit, user)
                for text in (
                    "Dispatch Slip",
                    self.own_visit.name,
                    "Wendy Washer",
                    "+32 2 555 01 01",
                    "Water stays in the drum",
                    "The drum is full of water after each wash.",
                    "Washing Machine WM-7",
                    "WM7-0001",
                    "Tara Tech",
                    'name="checklist"',
                    "Check the drain pump",
                    "Run a test cycle",
                    'name="notes"',
                    'name="signature"',
                ):
                    self.assertIn(text, html)
        pdf, _report_type = self.slip.with_user(self.tech_a.user_id)._render_qweb_pdf(
            self.slip.report_name, self.own_visit.ids
        )
        self.assertTrue(pdf)

    def test_slip_without_checklist_has_no_section(self):
        visit = self.own_visit.copy({"visit_type_id": self.type_follow_up.id})
        self.assertFalse(visit.step_ids, "the follow-up type has no checklist")
        html = self._html(self.slip, visit, self.agent)
        self.assertNotIn('name="checklist"', html)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_technician_cannot_print_another_visit(self):
        with self.assertRaises(AccessError):
            self._html(self.slip, self.other_visit, self.tech_a.user_id)
        with self.assertRaises(AccessError):
            self._html(self.ticket_report, self.ticket, self.tech_a.user_id)

    def test_ticket_as_agent_and_own_technician(self):
        self.own_visit.action_schedule()
        for user in (self.agent, self.tech_a.user_id):
            with self.subTest(user=user.login):
                html = self._html(self.ticket_report, self.printed_ticket, user)
                for text in (
                    self.printed_ticket.reference,
                    "Wendy Washer",
                    "Washing Machine WM-7",
                    "WM7-0001",
                    "Water stays in the drum",
                    "The drum is full of water after each wash.",
                    "Solve by",
                    self.own_visit.name,
                    "Scheduled",
                    "Tara Tech",
                ):
                    self.assertIn(text, html)

    def test_ticket_lists_the_results_of_the_visits(self):
        visit = self._do_visit(self.own_visit, user=self.tech_a.user_id)
        html = self._html(self.ticket_report, self.printed_ticket, self.agent)
        self.assertIn(visit.name, html)
        self.assertIn("Done.", html)
        self.assertIn("Done", html)
