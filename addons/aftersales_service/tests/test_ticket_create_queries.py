from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import AftersalesCommon

# An agent opening a phone ticket alone, counted as a request pays it: the create, the flush and
# the pre-commit hooks (tracking). The acknowledgement e-mailed to the customer at once (its
# rendering and its notification) costs more than the ticket itself.
TICKET_QUERIES = 31
ACKNOWLEDGED_TICKET_QUERIES = 85


@tagged("post_install", "-at_install")
class TestTicketCreateQueries(AftersalesCommon):
    """A ticket created alone costs a fixed number of queries, whatever the database holds around it:
    customers with contacts and tags, SLA policies on customer tags, other tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the company routes by no rule: the team given takes the ticket
        cls.env["aftersales.routing.rule"].search([]).active = False
        cls.phone_agent = new_test_user(
            cls.env,
            login="as_phone_agent",
            name="Paula Phone",
            email="paula.phone@example.com",
            groups="aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman",
        )
        cls.team.member_ids = [Command.link(cls.phone_agent.id)]
        vip = cls.env["res.partner.category"].create({"name": "VIP"})
        cls.env["aftersales.sla.policy"].create(
            {
                "name": "VIP customers",
                "sequence": 1,
                "team_id": cls.team.id,
                "calendar_id": cls.calendar.id,
                "partner_category_ids": [Command.set(vip.ids)],
                "response_hours": 2.0,
                "resolution_hours": 8.0,
            }
        )
        cls.customers = cls.env["res.partner"]
        for index in range(3):
            company = cls.env["res.partner"].create(
                {
                    "name": f"Laundry {index}",
                    "is_company": True,
                    "email": f"service@laundry{index}.example.com",
                    "category_id": [Command.set(vip.ids)] if index == 0 else [],
                }
            )
            cls.customers |= company
            cls.customers |= cls.env["res.partner"].create(
                [
                    {
                        "name": f"Contact {index}-{contact}",
                        "parent_id": company.id,
                        "email": f"contact{contact}@laundry{index}.example.com",
                    }
                    for contact in range(3)
                ]
            )
        cls.Ticket = cls.env["aftersales.ticket"].with_user(cls.phone_agent)

    def _phone_ticket_vals(self, customer):
        return {
            "name": "Machine does not drain",
            "description": "<p>Reported by phone.</p>",
            "partner_id": customer.id,
            "product_id": self.product.id,
            "team_id": self.team.id,
            "ticket_type_id": self.type_repair.id,
            "priority": "1",
            "channel": "phone",
        }

    def _create_alone(self, customer):
        """Create a ticket as the agent with an empty cache, as a new request does."""
        self.env.invalidate_all()
        return self.Ticket.create(self._phone_ticket_vals(customer))

    def test_ticket_alone_queries(self):
        self.company.aftersales_notify_ticket = False
        # the registry's caches (access rights, rules) are warm in a running server
        self._create_alone(self.customers[0])
        self.env.flush_all()
        for customer in (self.customers[1], self.customers[4]):
            with self.subTest(customer=customer.name), self.assertQueryCount(TICKET_QUERIES):
                ticket = self._create_alone(customer)
            self.assertEqual(ticket.team_id, self.team)
            self.assertEqual(ticket.service_address_id, customer)
            self.assertTrue(ticket.first_response_date, "the agent on the phone answered the customer")
            self.assertTrue(ticket.sla_policy_id)

    def test_acknowledged_ticket_alone_queries(self):
        self.company.aftersales_notify_ticket = True
        self._create_alone(self.customers[0])
        self.env.flush_all()
        with self.assertQueryCount(ACKNOWLEDGED_TICKET_QUERIES):
            ticket = self._create_alone(self.customers[1])
        self.assertIn(ticket.partner_id, ticket.message_partner_ids)
        self.assertTrue(
            ticket.message_ids.filtered(lambda message: message.message_type == "comment"),
            "the customer was acknowledged at once",
        )

    def test_delivery_address_of_a_contact(self):
        """The service address is the customer's delivery address, found among the contacts of its
        company; a contact without one is served at its own address."""
        company = self.customers[4]
        contact = self.customers[5]
        self.assertEqual(self._create_alone(contact).service_address_id, contact)
        delivery = self.env["res.partner"].create(
            {"name": "Back door", "type": "delivery", "parent_id": company.id, "street": "Dock 4"}
        )
        self.assertEqual(contact.address_get(["delivery"])["delivery"], delivery.id)
        self.assertEqual(self._create_alone(contact).service_address_id, delivery)
        self.assertEqual(self._create_alone(delivery).service_address_id, delivery)
