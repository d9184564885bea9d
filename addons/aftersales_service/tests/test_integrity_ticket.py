from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestIntegrityTicket(AftersalesCommon):
    """Tickets as their users work them: the agent's intake from any delivered serial, the
    fields only the ticket's actions change, and who may write to the customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the unit was sold by another salesperson: the agent may not read that order
        cls.seller = new_test_user(
            cls.env, login="as_seller", name="Sam Seller", groups="sales_team.group_sale_salesman"
        )
        cls.sale_order.user_id = cls.seller
        cls.sales_agent = new_test_user(
            cls.env,
            login="as_sales_agent",
            name="Aline Agent",
            groups="aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman,"
            "stock.group_production_lot",
        )
        cls.team.member_ids = [Command.link(cls.sales_agent.id)]
        cls.dispatcher = new_test_user(
            cls.env, login="as_dispatcher_i13", groups="aftersales_service.aftersales_service_group_dispatcher"
        )
        cls.accountant = new_test_user(
            cls.env, login="as_accountant_i13", groups="aftersales_service.aftersales_service_group_accountant"
        )
        cls.ticket = cls.env["aftersales.ticket"].create(
            {"name": "Leaks water", "team_id": cls.team.id, "lot_id": cls.lot.id, "ticket_type_id": cls.type_repair.id}
        )
        cls.other_ticket = cls.env["aftersales.ticket"].create({"name": "Another", "team_id": cls.team.id})
        # the technician of a visit of the ticket writes on it
        zone = cls.env["aftersales.zone"].create({"name": "Everywhere i13"})
        cls.tech = cls._create_technicians(zone)[0]
        cls.visit = cls.env["aftersales.visit"].create(
            {
                "ticket_id": cls.ticket.id,
                "visit_type_id": cls.env.ref("aftersales_service.visit_type_repair").id,
                "technician_id": cls.tech.id,
            }
        )

    # ------------------------------------------------------------------
    # The agent's intake
    # ------------------------------------------------------------------

    def _new_ticket_from_serial(self, user):
        Ticket = self.env["aftersales.ticket"].with_user(user)
        with Form(Ticket) as form:
            form.name = "Drum makes a noise"
            form.team_id = self.team
            form.lot_id = self.lot.with_user(user)
            self.assertEqual(form.partner_id, self.customer)
            self.assertEqual(form.product_id, self.product)
        return form.record

    def test_agent_opens_ticket_from_serial_sold_by_another(self):
        SaleOrder = self.env["sale.order"].with_user(self.sales_agent)
        self.assertFalse(SaleOrder.search([("id", "=", self.sale_order.id)]), "the order is another seller's")
        ticket = self._new_ticket_from_serial(self.sales_agent)
        self.assertEqual(ticket.sudo().sale_line_id, self.sale_order.order_line)
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.product_id, self.product)
        self.assertTrue(ticket.delivery_date, "the delivery date of the unit is shown on the ticket")
        # the ticket tells what it needs, not the order's content
        with self.assertRaises(AccessError):
            self.sale_order.with_user(self.sales_agent).read(["amount_total"])
        # the agent goes on working the ticket
        with Form(ticket.with_user(self.sales_agent)) as form:
            form.priority = "2"
        self.assertEqual(ticket.priority, "2")

    def test_agent_sets_serial_sold_by_another_on_an_open_ticket(self):
        ticket = (
            self.env["aftersales.ticket"]
            .with_user(self.sales_agent)
            .create({"name": "Call from the customer", "team_id": self.team.id, "partner_id": self.customer.id})
        )
        with Form(ticket) as form:
            form.lot_id = self.lot.with_user(self.sales_agent)
        self._flush_tracking()  # the changes are tracked without reading the order as the agent
        self.assertEqual(ticket.sudo().sale_order_id, self.sale_order)
        self.assertEqual(ticket.product_id, self.product)
        self.assertTrue(ticket.delivery_date)

    def test_agent_of_a_branch_opens_ticket_from_serial_sold_by_another(self):
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        depot = self.env["stock.warehouse"].create({"name": "Branch Depot i13", "code": "BD13"})
        Branch = self.env["aftersales.branch"]
        delivering = Branch.create(
            {"name": "Delivering Centre", "code": "D13", "warehouse_ids": [Command.link(warehouse.id)]}
        )
        servicing = Branch.create(
            {"name": "Servicing Centre", "code": "S13", "warehouse_ids": [Command.link(depot.id)]}
        )
        self.assertTrue(delivering)
        self.team.branch_id = servicing
        servicing.user_ids = self.sales_agent
        ticket = self._new_ticket_from_serial(self.sales_agent)
        self.assertEqual(ticket.branch_id, servicing)
        self.assertEqual(ticket.sudo().sale_order_id, self.sale_order)

    def test_agent_cannot_link_an_order_they_may_not_read(self):
        other_order, _lot = self._sell_and_deliver(self.customer, self.other_product, "DR3-I13")
        other_order.user_id = self.seller
        Ticket = self.env["aftersales.ticket"].with_user(self.sales_agent)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            Ticket.create({"name": "Sneaky", "team_id": self.team.id, "sale_line_id": other_order.order_line.id})
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.sales_agent).write(
                {"sale_order_id": other_order.id, "sale_line_id": other_order.order_line.id, "lot_id": False}
            )
        self.assertEqual(self.ticket.sale_order_id, self.sale_order)

    def test_agent_onchange_fills_nothing_from_an_order_they_may_not_read(self):
        spec = {
            "sale_line_id": {"fields": {"display_name": {}}},
            "sale_order_id": {"fields": {"display_name": {}}},
            "partner_id": {"fields": {"display_name": {}}},
            "product_id": {"fields": {"display_name": {}}},
            "delivery_date": {},
        }
        Ticket = self.env["aftersales.ticket"].with_user(self.sales_agent)
        result = Ticket.onchange({"sale_line_id": self.sale_order.order_line.id}, ["sale_line_id"], spec)
        for name in ("sale_order_id", "partner_id", "product_id", "delivery_date"):
            self.assertFalse(result["value"].get(name), name)
        # from the serial number, the ticket shows what it needs
        result = Ticket.onchange({"lot_id": self.lot.id}, ["lot_id"], dict(spec, lot_id={}))
        self.assertEqual(result["value"]["partner_id"]["id"], self.customer.id)
        self.assertTrue(result["value"]["delivery_date"])

    # ------------------------------------------------------------------
    # Guarded fields
    # ------------------------------------------------------------------

    def _guarded_values(self):
        order = self.env["sale.order"].create({"partner_id": self.customer.id})
        when = datetime(2026, 6, 9, 10, 0)
        return {
            "reference": "TCK-FORGED",
            "closed_date": when,
            "reopen_count": 7,
            "first_response_date": when,
            "sla_response_deadline": when,
            "sla_resolve_deadline": when,
            "sla_at_risk_date": when,
            "sla_status": "on_time" if self.ticket.sla_status != "on_time" else "breached",
            "sla_paused_hours": 12.0,
            "sla_paused_since": when,
            "sla_escalated": True,
            "revisited": True,
            "visit_active_count": 9,
            "visit_done_count": 9,
            "fee_order_id": order.id,
            "complaint_of_id": self.other_ticket.id,
            "csat_score": 5.0,
            "csat_solved": "yes",
        }

    def test_guarded_fields_refused_for_every_role(self):
        values = self._guarded_values()
        users = {
            "agent": self.agent,
            "dispatcher": self.dispatcher,
            "technician": self.tech.user_id,
            "accountant": self.accountant,
            "manager": self.manager,
        }
        before = self.ticket.read(list(values))[0]
        for role, user in users.items():
            ticket = self.ticket.with_user(user)
            for name, value in values.items():
                with self.subTest(role=role, field=name), self.assertRaises(AccessError):
                    ticket.write({name: value})
                self.env.invalidate_all()
        self.assertEqual(self.ticket.read(list(values))[0], before, "nothing changed")
        # the fields the roles work with stay writable
        self.ticket.with_user(self.agent).write({"priority": "2", "user_id": self.agent.id})
        self.ticket.with_user(self.tech.user_id).write({"description": "<p>Hose cracked.</p>"})
        self.ticket.with_user(self.dispatcher).write({"priority": "3"})
        self.assertEqual(self.ticket.priority, "3")

    def test_guarded_fields_refused_on_create(self):
        Ticket = self.env["aftersales.ticket"].with_user(self.agent)
        for name in ("reference", "closed_date", "first_response_date", "sla_escalated", "complaint_of_id"):
            with self.subTest(field=name), self.assertRaises(AccessError):
                Ticket.create({"name": "Forged", "team_id": self.team.id, name: self._guarded_values()[name]})
        ticket = Ticket.create({"name": "Plain", "team_id": self.team.id})
        self.assertNotEqual(ticket.reference, "New")

    def test_actions_still_keep_the_books(self):
        ticket = self.ticket.with_user(self.agent)
        ticket.message_post(body="We are on it.", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.assertTrue(self.ticket.first_response_date)
        with Form(ticket) as form:
            form.resolution = "<p>Hose replaced.</p>"
        ticket.action_close()
        self.assertTrue(self.ticket.closed_date)
        ticket.action_reopen()
        self.assertFalse(self.ticket.closed_date)
        self.assertEqual(self.ticket.reopen_count, 1)
        ticket.write({"stage_id": self.stage_waiting.id})
        if self.stage_waiting.sla_pause:
            self.assertTrue(self.ticket.sla_paused_since)
        ticket._escalate()
        self.assertTrue(self.ticket.sla_escalated)

    def test_followup_outcome_only_through_its_actions(self):
        followup = self.env["aftersales.followup"].create(
            {"ticket_id": self.ticket.id, "user_id": self.agent.id, "kind": "after_service"}
        )
        as_agent = followup.with_user(self.agent)
        for vals in ({"state": "done"}, {"done_by_id": self.agent.id}, {"state": "cancel"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_agent.write(vals)
        self.assertEqual(followup.state, "planned")
        with self.assertRaises(AccessError):
            self.env["aftersales.followup"].with_user(self.agent).create(
                {"ticket_id": self.ticket.id, "state": "done", "done_by_id": self.agent.id}
            )
        as_agent.write({"satisfied": "yes", "problem_solved": "yes"})
        as_agent.action_done()
        self.assertEqual(followup.state, "done")
        self.assertEqual(followup.done_by_id, self.agent)

    def test_installation_card_state_only_through_its_actions(self):
        card = self.env["aftersales.installation.card"].create({"visit_id": self.visit.id})
        as_tech = card.with_user(self.tech.user_id)
        for vals in ({"state": "confirmed"}, {"customer_confirmed_on": datetime(2026, 6, 9, 10, 0)}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_tech.write(vals)
        self.assertEqual(card.state, "draft")
        as_tech.write({"installed_date": datetime(2026, 6, 9, 10, 0), "installed_by_id": self.tech.id})
        as_tech.action_return()
        self.assertEqual(card.state, "returned")

    # ------------------------------------------------------------------
    # Who writes to the customer
    # ------------------------------------------------------------------

    def test_readers_write_notes_not_to_customers(self):
        ticket = self.ticket.with_user(self.accountant)
        self.assertTrue(ticket.has_access("read"))
        with self.assertRaises(AccessError):
            ticket.message_post(body="Your invoice is wrong.", message_type="comment", subtype_xmlid="mail.mt_comment")
        with self.assertRaises(AccessError):
            ticket.message_post(body="Psst", message_type="comment", partner_ids=self.customer.ids)
        with self.assertRaises(AccessError):
            self.env["mail.message"].with_user(self.accountant).create(
                {
                    "model": "aftersales.ticket",
                    "res_id": self.ticket.id,
                    "message_type": "comment",
                    "subtype_id": self.env.ref("mail.mt_comment").id,
                    "body": "Straight into the portal chatter",
                }
            )
        note = ticket.message_post(body="Invoice checked.", message_type="comment", subtype_xmlid="mail.mt_note")
        self.assertTrue(note.subtype_id.internal)
        self.assertFalse(self.ticket.first_response_date, "a note is no answer to the customer")
        # who works the ticket answers the customer
        self.ticket.with_user(self.agent).message_post(
            body="A technician comes on Tuesday.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertTrue(self.ticket.first_response_date)

    # ------------------------------------------------------------------
    # Time zones
    # ------------------------------------------------------------------

    def test_escalation_note_in_the_leader_time_zone(self):
        self.manager.tz = "Asia/Tokyo"  # the team leader
        self.env.user.tz = "America/Los_Angeles"  # who runs the escalation
        self.ticket.sla_resolve_deadline = datetime(2026, 6, 9, 10, 0)
        self.ticket.with_context(tz="America/Los_Angeles")._escalate()
        note = self.ticket.message_ids.filtered(lambda m: "SLA breached" in (m.body or ""))
        self.assertIn("7:00", note.body, "10:00 UTC is 19:00 in Tokyo")
        self.assertIn("Asia/Tokyo", note.body)
        self.assertNotIn("3:00", note.body, "not in the writer's time zone (03:00 in Los Angeles)")

    def test_appointment_window_in_the_customer_or_company_time_zone(self):
        self.company.partner_id.tz = "Asia/Tokyo"
        self.customer.tz = False
        self.env.user.tz = "America/Los_Angeles"
        visit = (
            self.env["aftersales.visit"]
            .with_context(tz="America/Los_Angeles")
            .create(
                {
                    "ticket_id": self.ticket.id,
                    "visit_type_id": self.env.ref("aftersales_service.visit_type_repair").id,
                    "scheduled_start": datetime(2026, 6, 9, 1, 0),
                    "scheduled_end": datetime(2026, 6, 9, 2, 30),
                }
            )
        )
        self.assertIn("10:00", visit.appointment_window, "the company's time zone, the customer having none")
        self.assertIn("Asia/Tokyo", visit.appointment_window)
        self.customer.tz = "Europe/Brussels"
        visit.invalidate_recordset(["appointment_window"])
        self.assertIn("3:00", visit.appointment_window, "01:00 UTC is 03:00 in Brussels in June")

    def test_partner_offer_and_survey_deadline_in_the_readers_time_zone(self):
        self.env.user.tz = "America/Los_Angeles"  # who writes
        fixit = self.env["res.partner"].create({"name": "Fixit Shanghai", "is_company": True, "tz": "Asia/Shanghai"})
        visit = (
            self.env["aftersales.visit"]
            .with_context(tz="America/Los_Angeles")
            .create(
                {
                    "ticket_id": self.ticket.id,
                    "visit_type_id": self.env.ref("aftersales_service.visit_type_repair").id,
                    "scheduled_start": datetime(2026, 6, 9, 20, 0),
                    "scheduled_end": datetime(2026, 6, 9, 21, 0),
                }
            )
        )
        text = visit._schedule_text(fixit)
        self.assertIn("06/10/2026", text, "20:00 UTC is the next morning in Shanghai")
        self.assertIn("4:00", text)
        self.customer.tz = "Asia/Shanghai"
        survey = self.env["survey.survey"].create({"title": "How did it go?"})
        answer = self.env["survey.user_input"].create(
            {"survey_id": survey.id, "partner_id": self.customer.id, "deadline": datetime(2026, 6, 30, 20, 0)}
        )
        self.assertEqual(answer.with_context(tz="America/Los_Angeles")._aftersales_deadline_text(), "07/01/2026")
