from datetime import datetime

from odoo.tests import HttpCase, new_test_user, tagged

from .common import AftersalesCommon
from .common_fees import AftersalesFeesCommon
from .test_survey import AftersalesSurveyCommon


@tagged("post_install", "-at_install")
class TestUi(AftersalesCommon, HttpCase):
    """The back-office flow in a real browser: from a confirmed sale order to a
    solved ticket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour_user = new_test_user(
            cls.env,
            login="as_tour_agent",
            name="Tessa Tour",
            email="tessa.tour@example.com",
            groups="aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman_all_leads",
        )
        cls.team.member_ids = [(4, cls.tour_user.id)]

    def test_ticket_from_sale_order_tour(self):
        self.assertEqual(self.sale_order.state, "sale")
        self.assertFalse(self.sale_order.aftersales_ticket_ids)
        self.start_tour(
            f"/odoo/action-sale.action_orders/{self.sale_order.id}",
            "aftersales_ticket_tour",
            login=self.tour_user.login,
        )
        ticket = self.env["aftersales.ticket"].search([("sale_order_id", "=", self.sale_order.id)])
        self.assertEqual(len(ticket), 1, "the tour opened one ticket for the order")
        self.assertRecordValues(
            ticket,
            [
                {
                    "name": "Drum leaks water during the wash",
                    "partner_id": self.customer.id,
                    "sale_order_id": self.sale_order.id,
                    "user_id": self.tour_user.id,
                    "stage_id": self.stage_solved.id,
                    "is_closed": True,
                }
            ],
        )
        self.assertIn("Replaced the door seal", ticket.resolution)
        self.assertTrue(ticket.closed_date)
        self.assertEqual(self.sale_order.aftersales_ticket_count, 1)


@tagged("post_install", "-at_install")
class TestFollowupUi(AftersalesFeesCommon, HttpCase):
    """An agent records the follow-up call of a repaired ticket, then closes the ticket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_followed = cls.env["aftersales.ticket.type"].create(
            {"name": "Repair with a call", "followup_required": True, "followup_delay": 3}
        )
        cls.ticket.write(
            {
                "ticket_type_id": cls.type_followed.id,
                "user_id": cls.agent.id,
                "resolution": "<p>Replaced the drain pump.</p>",
            }
        )

    def test_followup_call_then_close_tour(self):
        self._do_visit(self._visit(), start=datetime(2026, 6, 9, 10, 0))
        followup = self.ticket.followup_ids
        self.assertEqual(followup.state, "planned")
        self.assertFalse(self.ticket.is_closed)
        self.start_tour(
            f"/odoo/action-aftersales_service.aftersales_ticket_action/{self.ticket.id}",
            "aftersales_followup_tour",
            login=self.agent.login,
        )
        self.assertRecordValues(
            followup,
            [
                {
                    "state": "done",
                    "satisfied": "yes",
                    "problem_solved": "yes",
                    "fee_correct": "yes",
                    "done_by_id": self.agent.id,
                }
            ],
        )
        self.assertTrue(followup.call_date)
        self.assertIn("drains well since the repair", followup.notes)
        self.assertFalse(followup.activity_ids, "the call activity is done")
        self.assertTrue(self.ticket.is_closed, "closed for good once the call is recorded")
        self.assertTrue(self.ticket.stage_id.is_closed)
        self.assertTrue(self.ticket.closed_date)


@tagged("post_install", "-at_install")
class TestKpiUi(AftersalesCommon, HttpCase):
    """A manager reads the KPI overview, drills into the tickets and finds the Excel reports."""

    # a manager's After-Sales menu bar is long: on a laptop-sized screen Reporting goes under "More"
    browser_size = "1920x1080"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager.tz = "UTC"
        team = cls.env["aftersales.team"].create({"name": "KPI Tour Team", "user_id": cls.manager.id})
        cls.env["aftersales.ticket"].create(
            {"name": "KPI tour ticket", "partner_id": cls.customer.id, "team_id": team.id}
        )

    def test_kpi_overview_and_reports_tour(self):
        export = self.env.ref("aftersales_service.aftersales_ticket_action_export_xlsx")
        self.assertEqual(export.binding_model_id.model, "aftersales.ticket")
        self.assertEqual(export.binding_view_types, "list")
        self.start_tour(
            "/odoo/action-aftersales_service.aftersales_kpi_overview_action",
            "aftersales_kpi_tour",
            login=self.manager.login,
        )


@tagged("post_install", "-at_install")
class TestCsatUi(AftersalesSurveyCommon, HttpCase):
    """An agent reads the satisfaction score of a closed ticket."""

    def test_satisfaction_answers_from_ticket_tour(self):
        ticket = self._closed_ticket(technician=self.tech_a)
        self._answer(ticket.csat_answer_ids, 4, conduct=5, comment="Quick and tidy.")
        self.assertEqual(ticket.csat_score, 4)
        self.start_tour(
            f"/odoo/action-aftersales_service.aftersales_ticket_action/{ticket.id}",
            "aftersales_csat_tour",
            login=self.agent.login,
        )
