from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common import AftersalesCommon

# An agent opening a phone ticket alone, counted as a request pays it: the create, the flush and the
# pre-commit hooks (tracking, the trigger of the scheduled action that renders the acknowledgement
# e-mailed to the customer). Issue 21: at most 20; 18 here, one more with the warranty addon, which
# looks for the unit's contract.
TICKET_QUERIES = 18
# the warranty addon, when installed, looks for the running contract of the unit or the address (one
# query more: 19 with the three addons) and, for a unit, its warranty (one more)
WARRANTY_ADDON_QUERIES = 1
WARRANTY_ADDON_UNIT_QUERIES = 2
# with the serial number of a unit the customer bought: the unit, its delivery lines, their move, the
# sale order line and order, the delivery's address, the revisits of the serial number
TICKET_WITH_UNIT_QUERIES = 26
# what each more ticket of a batch costs: its reference (the sequence's next number)
QUERIES_PER_MORE_TICKET = 1


@tagged("post_install", "-at_install")
class TestTicketCreateQueries(AftersalesCommon):
    """A ticket created alone costs a fixed number of queries, whatever the database holds around it:
    customers with contacts and tags, SLA policies on customer tags, other tickets; a batch costs no
    more per ticket than its reference."""

    def _warranty_addon(self, unit=False):
        if "aftersales.contract" not in self.env:
            return 0
        return WARRANTY_ADDON_UNIT_QUERIES if unit else WARRANTY_ADDON_QUERIES

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the company routes by no rule: the team given takes the ticket
        cls.env["aftersales.routing.rule"].search([]).active = False
        cls.company.aftersales_notify_ticket = True
        cls.company.email = "service@example.com"
        cls.phone_agent = new_test_user(
            cls.env,
            login="as_phone_agent",
            name="Paula Phone",
            email="paula.phone@example.com",
            groups="aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman,"
            "stock.group_production_lot",
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
        # a unit sold and delivered to each of the first two companies
        cls.lots = cls.env["stock.lot"]
        for index, customer in enumerate(cls.customers.filtered("is_company")[:2]):
            cls.lots |= cls._sell_and_deliver(customer, cls.product, f"WM7-Q{index}")[1]
        cls.Ticket = cls.env["aftersales.ticket"].with_user(cls.phone_agent)

    def _phone_ticket_vals(self, customer, lot=None):
        return {
            "name": "Machine does not drain",
            "description": "<p>Reported by phone.</p>",
            "partner_id": customer.id,
            "product_id": self.product.id,
            "lot_id": lot.id if lot else False,
            "team_id": self.team.id,
            "ticket_type_id": self.type_repair.id,
            "priority": "1",
            "channel": "phone",
        }

    def _create_alone(self, customer, lot=None):
        """Create a ticket as the agent with an empty cache, as a new request does."""
        self.env.invalidate_all()
        return self.Ticket.create(self._phone_ticket_vals(customer, lot))

    def _count_batch(self, size):
        """Queries of ``size`` tickets created at once by the agent, flush and pre-commit hooks included."""
        vals_list = [self._phone_ticket_vals(self.customers[index % len(self.customers)]) for index in range(size)]
        self.env.flush_all()
        self.env.cr.flush()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        tickets = self.Ticket.create(vals_list)
        self.env.flush_all()
        self.env.cr.flush()
        count = self.cr.sql_log_count - start
        self.assertEqual(len(tickets), size)
        return count

    def test_ticket_with_unit_alone_queries(self):
        # the registry's caches (access rights, rules, policies) are warm in a running server
        self._create_alone(self.customers[2], self.lots[1])
        self.env.flush_all()
        cases = ((self.customers[0], self.lots[0], "VIP customers"), (self.customers[4], self.lots[1], "Standard"))
        for customer, lot, policy in cases:
            with (
                self.subTest(customer=customer.name),
                self.assertQueryCount(TICKET_WITH_UNIT_QUERIES + self._warranty_addon(unit=True)),
            ):
                ticket = self._create_alone(customer, lot)
            self.assertEqual(ticket.sla_policy_id.name, policy)
            self.assertEqual(ticket.team_id, self.team)
            self.assertEqual(ticket.product_id, self.product)
            self.assertTrue(ticket.first_response_date, "the agent on the phone answered the customer")
            self.assertTrue(ticket.sla_resolve_deadline)
            self.assertIn(ticket.partner_id, ticket.message_partner_ids)
            self.assertIn(self.phone_agent.partner_id, ticket.message_partner_ids)
            self.assertTrue(ticket.received_pending, "the acknowledgement is due")

    def test_ticket_alone_queries(self):
        self._create_alone(self.customers[2])
        self.env.flush_all()
        with self.assertQueryCount(TICKET_QUERIES + self._warranty_addon()):
            ticket = self._create_alone(self.customers[1])
        self.assertEqual(ticket.service_address_id, self.customers[1])
        self.assertEqual(ticket.sla_policy_id.name, "VIP customers")

    def test_batch_queries_do_not_grow(self):
        """Tickets opened many at once (an import) cost one query more each, for their reference."""
        self._count_batch(2)
        small, large = self._count_batch(5), self._count_batch(25)
        self.assertLessEqual(large - small, 20 * QUERIES_PER_MORE_TICKET, f"5 tickets: {small}, 25 tickets: {large}")

    def test_acknowledgement_triggered_once_per_transaction(self):
        """Tickets opened one by one in one transaction wake the scheduled action once, when the
        transaction commits; tickets rolled back wake it not."""
        cron = self.env.ref("aftersales_service.ir_cron_aftersales_ticket_received")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search([("cron_id", "=", cron.id)])
        for customer in self.customers[:3]:
            self.Ticket.create(self._phone_ticket_vals(customer))
        self.assertEqual(Trigger.search([("cron_id", "=", cron.id)]), before, "written just before commit")
        self.env.cr.flush()  # what the commit runs first
        triggers = Trigger.search([("cron_id", "=", cron.id)]) - before
        self.assertEqual(len(triggers), 1)
        self.assertLessEqual(triggers.call_at, fields.Datetime.now(), "at once")
        # a ticket of the next transaction gets a trigger of its own; one rolled back, none
        with self.assertRaises(InterruptedError), self.env.cr.savepoint():
            self.Ticket.create(self._phone_ticket_vals(self.customers[3]))
            raise InterruptedError
        self.env.cr.flush()
        self.assertEqual(Trigger.search([("cron_id", "=", cron.id)]) - before, triggers)
        self.Ticket.create(self._phone_ticket_vals(self.customers[4]))
        self.env.cr.flush()
        self.assertEqual(len(Trigger.search([("cron_id", "=", cron.id)]) - before), 2)

    def test_acknowledged_by_the_scheduled_action(self):
        """The acknowledgement of a ticket opened alone, and of tickets opened at once, is posted by the
        scheduled action: one e-mail to each customer, signed by the company, and not an answer of the
        team (the response target still runs), even when the company has no e-mail address of its own."""
        self.company.email = False
        alone = self.Ticket.create(dict(self._phone_ticket_vals(self.customers[1]), channel="email"))
        at_once = self.Ticket.create(
            [dict(self._phone_ticket_vals(customer), channel="web") for customer in self.customers[4:6]]
        )
        tickets = alone | at_once
        self.assertEqual(tickets.mapped("received_pending"), [True] * 3)
        self.assertFalse(tickets.message_ids.filtered(lambda message: message.message_type == "comment"))
        self._run_acknowledgements()
        for ticket in tickets:
            acknowledgement = ticket.message_ids.filtered(lambda message: message.message_type == "comment")
            self.assertEqual(len(acknowledgement), 1, "the customer was acknowledged, once")
            self.assertIn(ticket.reference, acknowledgement.subject)
            self.assertEqual(acknowledgement.author_id, self.company.partner_id)
            self.assertEqual(
                acknowledgement.notification_ids.filtered(lambda n: n.notification_type == "email").res_partner_id,
                ticket.partner_id,
            )
            self.assertNotIn(self.phone_agent.partner_id, acknowledgement.notification_ids.res_partner_id)
        self.assertEqual(tickets.mapped("received_pending"), [False] * 3)
        self.assertEqual(tickets.mapped("first_response_date"), [False] * 3, "the team has not answered yet")
        self._run_acknowledgements()
        self.assertEqual(len(tickets.message_ids.filtered(lambda message: message.message_type == "comment")), 3)

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
