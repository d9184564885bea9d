from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import AftersalesCommon


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
class TestTechnicianUi(AftersalesCommon, HttpCase):
    """A technician with nothing but the technician role finishes today's visit
    on a phone-sized screen."""

    browser_size = "375x667"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tech_user = new_test_user(
            cls.env,
            login="as_tour_tech",
            name="Theo Tour",
            groups="base.group_user,aftersales_service.aftersales_service_group_technician",
            tz="UTC",
        )
        cls.technician = cls.env["aftersales.technician"].create(
            {"user_id": cls.tech_user.id, "resource_calendar_id": cls.calendar.id}
        )
        cls.customer.write({"street": "12 Rue Haute", "city": "Brussels"})
        old_customer = cls.env["res.partner"].create({"name": "Olga Oldclient", "city": "Ghent"})
        tickets = cls.env["aftersales.ticket"].create(
            [
                {"name": "Machine does not drain", "partner_id": cls.customer.id, "team_id": cls.team.id},
                {"name": "Noisy dryer", "partner_id": old_customer.id, "team_id": cls.team.id},
            ]
        )
        # the planning rules (zones, skills, hours) are tested elsewhere
        Visit = cls.env["aftersales.visit"].with_context(aftersales_assignment_checked=True)
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        repair = cls.env.ref("aftersales_service.visit_type_repair")
        cls.visit = Visit.create(
            {
                "ticket_id": tickets[0].id,
                "visit_type_id": repair.id,
                "technician_id": cls.technician.id,
                "scheduled_start": now,
                "state": "confirmed",
            }
        )
        cls.old_visit = Visit.create(
            {
                "ticket_id": tickets[1].id,
                "visit_type_id": cls.env.ref("aftersales_service.visit_type_follow_up").id,
                "technician_id": cls.technician.id,
                "partner_id": old_customer.id,
                "scheduled_start": now - timedelta(days=1),
                "state": "done",
                "work_report": "<p>Nothing to do.</p>",
            }
        )

    def test_technician_visit_on_phone_tour(self):
        self.assertTrue(self.visit.requires_signature)
        self.start_tour(
            "/odoo/action-aftersales_service.aftersales_visit_action_my",
            "aftersales_technician_tour",
            login=self.tech_user.login,
        )
        self.assertRecordValues(self.visit, [{"state": "done", "signed_by": "Wendy Washer"}])
        self.assertTrue(self.visit.signature, "the customer signed")
        self.assertTrue(self.visit.signed_on)
        self.assertTrue(self.visit.check_in)
        self.assertIn("drain pump", self.visit.work_report)
