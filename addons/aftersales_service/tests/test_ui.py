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
