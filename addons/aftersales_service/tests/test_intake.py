from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import AftersalesCommon
from .test_mail_gateway import MAIL_TEMPLATE


class IntakeCommon(AftersalesCommon):
    """Two more teams, a zone, and a washing machine sold to a company that had it delivered to its
    laundry, an address of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dispatcher = new_test_user(
            cls.env,
            login="as_intake_dispatcher",
            name="Dora Dispatcher",
            groups="aftersales_service.aftersales_service_group_dispatcher,sales_team.group_sale_salesman,"
            "stock.group_production_lot",
        )
        cls.north_agent = new_test_user(
            cls.env,
            login="as_intake_north",
            name="Nils North",
            groups="aftersales_service.aftersales_service_group_user",
        )
        cls.team_north = cls.env["aftersales.team"].create(
            {"name": "North Crew", "sequence": 50, "member_ids": [Command.set(cls.north_agent.ids)]}
        )
        cls.team_install = cls.env["aftersales.team"].create({"name": "Installers", "sequence": 60})
        cls.zone_north = cls.env["aftersales.zone"].create(
            {"name": "North", "country_ids": [Command.set(cls.env.ref("base.be").ids)], "zip_from": "9000"}
        )
        cls.sub_category = cls.env["product.category"].create({"name": "Front Loaders", "parent_id": cls.category.id})
        cls.front_loader = cls.env["product.product"].create(
            {
                "name": "Front Loader FL-9",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": cls.sub_category.id,
            }
        )
        cls.hotel = cls.env["res.partner"].create(
            {"name": "Harbour Hotel", "is_company": True, "email": "desk@harbour.example.com"}
        )
        cls.laundry = cls.env["res.partner"].create(
            {
                "name": "Harbour Hotel Laundry",
                "parent_id": cls.hotel.id,
                "type": "delivery",
                "street": "Quay 4",
                "zip": "9100",
                "city": "Ghent",
                "country_id": cls.env.ref("base.be").id,
            }
        )
        cls.hotel_order, cls.hotel_lot = cls._sell_and_deliver(cls.hotel, cls.front_loader, "FL9-0001")
        # our rules only, whatever the database already holds
        cls.env["aftersales.routing.rule"].search([]).active = False
        cls.manager_rule = cls.env["aftersales.routing.rule"].with_user(cls.manager)

    @classmethod
    def _sell_and_deliver(cls, customer, product, serial):
        """Sell one unit and deliver it to the customer's delivery address, if it has one."""
        shipping = customer.address_get(["delivery"])["delivery"]
        if shipping == customer.id:
            return super()._sell_and_deliver(customer, product, serial)
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        lot = cls.env["stock.lot"].create({"name": serial, "product_id": product.id, "company_id": cls.company.id})
        cls.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 1.0, lot_id=lot)
        order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "partner_shipping_id": shipping,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1.0})],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        return order, lot

    def _rule(self, name, **values):
        return self.manager_rule.create({"name": name, "team_id": self.team_north.id, **values})


@tagged("post_install", "-at_install")
class TestTicketOwner(IntakeCommon):
    """The customer and the service address of a ticket on a serial number."""

    def test_agent_ticket_on_lot_gets_owner_and_delivery_address(self):
        with Form(self.env["aftersales.ticket"].with_user(self.agent)) as form:
            form.name = "Drum does not turn"
            form.lot_id = self.hotel_lot
            self.assertEqual(form.partner_id, self.hotel, "the customer is the unit's owner")
            self.assertEqual(form.service_address_id, self.laundry, "the unit stands at its delivery address")
            self.assertEqual(form.product_id, self.front_loader)
        ticket = form.record
        self.assertEqual(ticket.sale_order_id, self.hotel_order)

        # the agent corrects both: the hotel's front desk calls for a unit moved to the spa
        spa = self.env["res.partner"].create(
            {"name": "Harbour Spa", "parent_id": self.hotel.id, "type": "delivery", "zip": "9200"}
        )
        desk = self.env["res.partner"].create({"name": "Front Desk", "parent_id": self.hotel.id})
        self._flush_tracking()
        with Form(ticket.with_user(self.agent)) as form:
            form.partner_id = desk
            form.service_address_id = spa
        self.assertEqual(ticket.partner_id, desk)
        self.assertEqual(ticket.service_address_id, spa)
        self._flush_tracking()
        tracked = ticket.sudo().message_ids.tracking_value_ids.mapped("field_id.name")
        self.assertIn("service_address_id", tracked)
        self.assertIn("partner_id", tracked)

    def test_contact_of_the_owner_stays_and_other_customer_is_replaced(self):
        desk = self.env["res.partner"].create({"name": "Front Desk", "parent_id": self.hotel.id})
        with Form(self.env["aftersales.ticket"].with_user(self.agent)) as form:
            form.name = "Noise"
            form.partner_id = desk
            form.lot_id = self.hotel_lot
            self.assertEqual(form.partner_id, desk, "a contact of the owner's company stays")
            self.assertEqual(form.service_address_id, self.laundry)
            form.partner_id = self.customer
            self.assertEqual(form.service_address_id, self.customer, "another customer: their own address")
            form.lot_id = self.lot
            form.lot_id = self.hotel_lot
            self.assertEqual(form.partner_id, self.hotel, "a unit of another company brings its owner")

    def test_ticket_without_unit_goes_to_the_customer_delivery_address(self):
        with Form(self.env["aftersales.ticket"].with_user(self.agent)) as form:
            form.name = "Question about a new machine"
            form.partner_id = self.hotel
            self.assertEqual(form.service_address_id, self.laundry)

    def test_visit_goes_to_the_service_address(self):
        ticket = (
            self.env["aftersales.ticket"].with_user(self.agent).create({"name": "Leak", "lot_id": self.hotel_lot.id})
        )
        self.assertEqual(ticket.partner_id, self.hotel)
        self.assertEqual(ticket.service_address_id, self.laundry)
        with Form(
            self.env["aftersales.visit"].with_user(self.dispatcher).with_context(default_ticket_id=ticket.id)
        ) as form:
            form.visit_type_id = self.env.ref("aftersales_service.visit_type_repair")
            self.assertEqual(form.partner_id, self.laundry, "the technician goes where the unit is")
        self.assertEqual(form.record.partner_id, self.laundry)

    def test_unreadable_lot_fills_in_nothing(self):
        """A serial number of another company, sent by id, tells the agent nothing of its owner."""
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        foreign_lot = self.env["stock.lot"].create(
            {"name": "FOREIGN-1", "product_id": self.front_loader.id, "company_id": other_company.id}
        )
        Ticket = self.env["aftersales.ticket"].with_user(self.agent)
        draft = Ticket.new({"name": "Probe", "lot_id": foreign_lot.id})
        self.assertFalse(draft.partner_id)
        self.assertFalse(draft.service_address_id)


@tagged("post_install", "-at_install")
class TestRoutingRule(IntakeCommon):
    """Routing rules choose the team and the assignee of new tickets, whatever way they come in."""

    def test_manager_configures_agent_reads(self):
        rule = self._rule("Front loaders", product_category_ids=[Command.set(self.category.ids)])
        self.assertEqual(self.env["aftersales.routing.rule"].with_user(self.agent).search([]), rule)
        with self.assertRaises(AccessError):
            self.env["aftersales.routing.rule"].with_user(self.agent).create({"name": "Mine", "team_id": self.team.id})
        with self.assertRaises(AccessError):
            rule.with_user(self.agent).write({"sequence": 1})
        with Form(self.manager_rule) as form:
            form.name = "Urgent to north"
            form.priority = "3"
            form.team_id = self.team_north
            form.user_id = self.north_agent
        self.assertEqual(form.record.user_id, self.north_agent)

    def test_assignee_must_be_in_the_team(self):
        with self.assertRaisesRegex(ValidationError, "not a member of team"):
            self._rule("Wrong assignee", user_id=self.agent.id)
        rule = self._rule("Leader is fine")
        self.team_north.user_id = self.manager
        rule.user_id = self.manager
        with self.assertRaisesRegex(ValidationError, "not a member of team"):
            rule.with_user(self.manager).write({"team_id": self.team_install.id})
        with Form(rule.with_user(self.manager)) as form:
            form.team_id = self.team_install
            self.assertFalse(form.user_id, "the assignee of the former team is dropped")

    def test_other_company_rules_are_neither_seen_nor_applied(self):
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        other_team = self.env["aftersales.team"].create({"name": "Theirs", "company_id": other_company.id})
        self.env["aftersales.routing.rule"].create(
            {"name": "Everything theirs", "company_id": other_company.id, "team_id": other_team.id, "sequence": 1}
        )
        self.manager.company_ids |= other_company
        self.assertFalse(self.env["aftersales.routing.rule"].with_user(self.agent).search([]))
        ticket = self.env["aftersales.ticket"].with_user(self.agent).create({"name": "Mine"})
        self.assertEqual(ticket.team_id, self.team, "no rule of ours: the agent's own team")
        self.assertFalse(ticket.routing_rule_id)

    def test_conditions_and_first_match(self):
        type_install = self.env.ref("aftersales_service.ticket_type_installation")
        by_type = self._rule(
            "Installations", sequence=10, team_id=self.team_install.id, ticket_type_ids=[Command.set(type_install.ids)]
        )
        by_channel = self._rule("Walk-ins", sequence=15, channel="walk_in", team_id=self.team.id)
        by_category = self._rule("Washing machines", sequence=20, product_category_ids=[Command.set(self.category.ids)])
        by_priority = self._rule("Urgent", sequence=30, priority="3", user_id=self.north_agent.id)
        by_zone = self._rule("North", sequence=40, zone_ids=[Command.set(self.zone_north.ids)])
        Ticket = self.env["aftersales.ticket"].with_user(self.agent)

        def routed(**values):
            form = Form(Ticket)
            form.name = "Routed"
            for name, value in values.items():
                setattr(form, name, value)
            return form.save()

        ticket = routed(ticket_type_id=type_install, product_id=self.front_loader)
        self.assertEqual((ticket.team_id, ticket.routing_rule_id), (self.team_install, by_type), "first match wins")
        ticket = routed(channel="walk_in", product_id=self.front_loader)
        self.assertEqual(ticket.routing_rule_id, by_channel)
        ticket = routed(product_id=self.front_loader)
        self.assertEqual(
            (ticket.team_id, ticket.routing_rule_id), (self.team_north, by_category), "a sub-category matches"
        )
        ticket = routed(priority="3", partner_id=self.customer)
        self.assertEqual((ticket.routing_rule_id, ticket.user_id), (by_priority, self.north_agent))
        ticket = routed(partner_id=self.hotel)
        self.assertEqual(ticket.service_address_id, self.laundry)
        self.assertEqual(ticket.routing_rule_id, by_zone, "the laundry lies in the north zone")
        ticket = routed(partner_id=self.customer)
        self.assertFalse(ticket.routing_rule_id)
        self.assertEqual(ticket.team_id, self.team, "no match: the agent's default team")
        self.assertFalse(ticket.user_id)

    def test_agent_choice_wins_and_follows_the_typing(self):
        self._rule("Urgent", priority="3", user_id=self.north_agent.id)
        with Form(self.env["aftersales.ticket"].with_user(self.agent)) as form:
            form.name = "Flooded kitchen"
            self.assertEqual(form.team_id, self.team)
            form.priority = "3"
            self.assertEqual(form.team_id, self.team_north, "routed as the agent types")
            self.assertEqual(form.user_id, self.north_agent)
            form.priority = "1"
            self.assertEqual(form.team_id, self.team, "routed back when the rule no longer matches")
            self.assertFalse(form.user_id)
            form.team_id = self.team_install
            form.priority = "3"
            self.assertEqual(form.team_id, self.team_install, "a team chosen by hand stays")
        self.assertFalse(form.record.routing_rule_id)
        self.assertEqual(form.record.team_id, self.team_install)

    def test_rpc_and_code_creation_are_routed(self):
        rule = self._rule("Urgent", priority="3", user_id=self.north_agent.id)
        Ticket = self.env["aftersales.ticket"].with_user(self.agent)
        routed, explicit = Ticket.create(
            [
                {"name": "Created by code", "priority": "3"},
                {"name": "Explicit team", "priority": "3", "team_id": self.team.id},
            ]
        )
        self.assertRecordValues(
            routed | explicit,
            [
                {"team_id": self.team_north.id, "user_id": self.north_agent.id, "routing_rule_id": rule.id},
                {"team_id": self.team.id, "user_id": False, "routing_rule_id": False},
            ],
        )
        # saved tickets are not moved by the rules: that is the dispatcher's decision
        routed.with_user(self.dispatcher).priority = "1"
        self.assertEqual(routed.team_id, self.team_north)
        with self.assertRaises(AccessError):
            Ticket.create({"name": "Forged", "routing_rule_id": rule.id})

    def test_batch_routing_does_not_query_per_rule_or_ticket(self):
        Ticket = self.env["aftersales.ticket"].with_user(self.agent)
        partners = self.env["res.partner"].create(
            [{"name": f"Customer {i}", "zip": f"9{i:03d}", "country_id": self.env.ref("base.be").id} for i in range(20)]
        )

        def create_batch(count):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            tickets = Ticket.create(
                [
                    {"name": f"Batch {i}", "partner_id": partners[i].id, "product_id": self.front_loader.id}
                    for i in range(count)
                ]
            )
            return tickets, self.cr.sql_log_count - before

        zone_south = self.env["aftersales.zone"].create(
            {"name": "South", "country_ids": [Command.set(self.env.ref("base.be").ids)], "zip_to": "1999"}
        )
        self._rule("North", sequence=50, zone_ids=[Command.set(self.zone_north.ids)])
        create_batch(2)  # warm up the caches of the registry
        tickets, one_rule_5 = create_batch(5)
        self.assertEqual(set(tickets.team_id), {self.team_north})
        tickets, one_rule_20 = create_batch(20)
        # twelve rules that fail on their last condition, the zone, for every ticket
        for i in range(12):
            self._rule(
                f"South front loaders {i}",
                sequence=i,
                team_id=self.team_install.id,
                product_category_ids=[Command.set(self.category.ids)],
                zone_ids=[Command.set(zone_south.ids)],
            )
        create_batch(2)  # the rules changed, and with them the caches of the registry
        tickets, many_rules_5 = create_batch(5)
        self.assertEqual(set(tickets.team_id), {self.team_north})
        tickets, many_rules_20 = create_batch(20)
        self.assertEqual(set(tickets.team_id), {self.team_north})
        self.assertEqual(
            many_rules_20 - many_rules_5,
            one_rule_20 - one_rule_5,
            "15 more tickets through 13 rules cost no more queries than through one",
        )
        self.assertLessEqual(many_rules_5 - one_rule_5, 2, "the rules are read at once, with their conditions")


@tagged("post_install", "-at_install")
class TestEmailIntake(IntakeCommon):
    """E-mails to a team's alias: routed, and unknown senders made contacts when the company wants it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create({"name": "intake.example.com"})
        cls.team.write({"alias_name": "help", "alias_domain_id": cls.alias_domain.id})

    def _receive(self, email_from, subject, msg_id):
        message = MAIL_TEMPLATE.format(
            email_from=email_from, to=self.team.alias_email, subject=subject, msg_id=msg_id, extra="", body="Hello"
        )
        return self.env["aftersales.ticket"].browse(self.env["mail.thread"].message_process(None, message))

    def test_unknown_sender_becomes_contact_when_on(self):
        self.assertFalse(self.company.aftersales_create_contacts, "off by default")
        ticket = self._receive('"Paula Stranger" <paula@example.org>', "Dryer broken", "<i1@example.org>")
        self.assertFalse(ticket.partner_id)
        self.assertFalse(self.env["res.partner"].search([("email", "=", "paula@example.org")]))

        settings = self.env["res.config.settings"].create({})
        settings.aftersales_create_contacts = True
        settings.execute()
        self.assertTrue(self.company.aftersales_create_contacts)
        ticket = self._receive('"Paula Stranger" <paula@example.org>', "Still broken", "<i2@example.org>")
        contact = self.env["res.partner"].search([("email", "=", "paula@example.org")])
        self.assertEqual(len(contact), 1)
        self.assertEqual(contact.name, "Paula Stranger")
        self.assertEqual(ticket.partner_id, contact)
        self.assertIn(contact, ticket.message_partner_ids)
        # known now: found, not created again
        ticket = self._receive("paula@example.org", "Third time", "<i3@example.org>")
        self.assertEqual(ticket.partner_id, contact)
        self.assertEqual(self.env["res.partner"].search_count([("email", "=", "paula@example.org")]), 1)

    def test_alias_team_is_the_fallback_of_the_rules(self):
        ticket = self._receive("wendy@example.com", "No rule", "<i4@example.com>")
        self.assertEqual(ticket.team_id, self.team)
        rule = self._rule("E-mails to the north", channel="email")
        ticket = self._receive("wendy@example.com", "Routed", "<i5@example.com>")
        self.assertEqual((ticket.team_id, ticket.routing_rule_id), (self.team_north, rule))
