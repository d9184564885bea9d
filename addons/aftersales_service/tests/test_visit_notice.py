from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields, http
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .test_mail_gateway import MAIL_TEMPLATE
from .test_visit_appointment import AftersalesAppointmentCommon

AGENT_GROUPS = "aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman"
DISPATCHER_GROUPS = "aftersales_service.aftersales_service_group_dispatcher,sales_team.group_sale_salesman"
# Tuesday 2026-06-09 at 13:00 UTC, 15:00 in Brussels
TUESDAY = datetime(2026, 6, 9, 13, 0)


class AftersalesNoticeCommon(AftersalesAppointmentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_user = new_test_user(cls.env, login="as_notice_agent", groups=AGENT_GROUPS)
        cls.dispatcher = new_test_user(cls.env, login="as_notice_dispatcher", groups=DISPATCHER_GROUPS, tz="UTC")
        cls.env["res.lang"]._activate_lang("fr_FR")

    def _notices(self, record, subject):
        return record.message_ids.filtered(lambda m: subject in (m.subject or ""))

    def _emailed(self, message):
        """The partners ``message`` is e-mailed to."""
        return message.notification_ids.filtered(lambda n: n.notification_type == "email").res_partner_id

    def _planned(self, start=TUESDAY, state="confirmed"):
        """A visit of the customer with Tara at ``start``, the customer told."""
        visit = self._book(self.visit, start, state=state)
        self.assertEqual(visit.notified_start, start)
        return visit


@tagged("post_install", "-at_install")
class TestTicketReceived(AftersalesNoticeCommon):
    def test_agent_opens_a_ticket(self):
        self.customer_contact.lang = "fr_FR"
        with Form(self.env["aftersales.ticket"].with_user(self.agent_user)) as ticket_form:
            ticket_form.name = "Door does not close"
            ticket_form.partner_id = self.customer_contact
            ticket_form.team_id = self.team
        ticket = ticket_form.record
        self.assertTrue(ticket.received_pending, "opening the ticket renders nothing")
        self.assertFalse(self._notices(ticket, "we received your request"))
        self._run_acknowledgements()
        self.assertFalse(ticket.received_pending)
        message = self._notices(ticket, "we received your request")
        self.assertEqual(len(message), 1)
        self.assertIn(ticket.reference, message.subject)
        self.assertIn(ticket.reference, message.body)
        self.assertEqual(message.partner_ids, self.customer_contact)
        # the link carries the ticket's access token
        self.assertIn(ticket.sudo().get_portal_url(), message.body)
        self.assertIn("access_token=", message.body)
        template = self.env.ref("aftersales_service.mail_template_ticket_received")
        self.assertEqual(template._render_lang(ticket.ids)[ticket.id], "fr_FR")
        self.assertIn(self.customer_contact, self._emailed(message))
        # the agent who opened the ticket is not notified of it
        self.assertEqual(message.message_type, "comment")
        self.assertNotIn(self.agent_user.partner_id, message.notification_ids.res_partner_id)
        self._run_acknowledgements()
        self.assertEqual(len(self._notices(ticket, "we received your request")), 1, "acknowledged once")

    def test_tickets_opened_at_once_are_acknowledged_by_the_scheduled_action(self):
        """An import opens many tickets at once: no rendering while they are created; the scheduled
        action e-mails each customer, once."""
        Ticket = self.env["aftersales.ticket"].with_user(self.agent_user)
        tickets = Ticket.create(
            [
                {"name": f"Imported {n}", "partner_id": self.customer_contact.id, "team_id": self.team.id}
                for n in range(3)
            ]
        )
        Mail = self.env["mail.mail"].sudo()
        self.assertFalse(Mail.search([("model", "=", "aftersales.ticket"), ("res_id", "in", tickets.ids)]))
        self.assertEqual(tickets.mapped("received_pending"), [True] * 3)
        with self.assertRaises(AccessError):
            tickets.with_user(self.agent_user).write({"received_pending": False})
        self._run_acknowledgements()
        mails = Mail.search([("model", "=", "aftersales.ticket"), ("res_id", "in", tickets.ids)])
        self.assertEqual(sorted(mails.mapped("res_id")), sorted(tickets.ids))
        self.assertTrue(all(self.customer_contact in mail.recipient_ids for mail in mails))
        self.assertEqual(tickets.mapped("received_pending"), [False] * 3)
        for ticket in tickets:
            message = self._notices(ticket, "we received your request")
            self.assertEqual(len(message), 1)
            self.assertIn(ticket.reference, message.body)
            self.assertEqual(self._emailed(message), self.customer_contact)
        self._run_acknowledgements()
        self.assertEqual(len(Mail.search([("model", "=", "aftersales.ticket"), ("res_id", "in", tickets.ids)])), 3)

    def test_switched_off_or_nobody_to_tell(self):
        self.company.aftersales_notify_ticket = False
        Ticket = self.env["aftersales.ticket"].with_user(self.agent_user)
        ticket = Ticket.create({"name": "Off", "partner_id": self.customer_contact.id, "team_id": self.team.id})
        self.assertFalse(ticket.received_pending)
        self._run_acknowledgements()
        self.assertFalse(self._notices(ticket, "we received your request"))
        self.company.aftersales_notify_ticket = True
        nobody = self.env["res.partner"].create({"name": "No Mail"})
        for values in ({"partner_id": nobody.id}, {"partner_id": self.customer_contact.id, "channel": "delivery"}):
            ticket = Ticket.create({"name": "Quiet", "team_id": self.team.id, **values})
            self.assertFalse(ticket.received_pending)
            self._run_acknowledgements()
            self.assertFalse(self._notices(ticket, "we received your request"))

    def test_ticket_by_email_is_answered_once(self):
        message = MAIL_TEMPLATE.format(
            email_from="Wendy <wendy@example.com>",
            to="service@example.com",
            subject="It leaks",
            msg_id="<notice-1@example.com>",
            extra="",
            body="Water under the machine.",
        )
        ticket = self.env["aftersales.ticket"].browse(
            self.env["mail.thread"].message_process("aftersales.ticket", message)
        )
        self.assertEqual(ticket.channel, "email")
        self.assertEqual(ticket.partner_id, self.customer)
        self._run_acknowledgements()
        received = self._notices(ticket, "we received your request")
        self.assertEqual(len(received), 1)
        self.assertIn(self.customer, self._emailed(received))
        emailed = ticket.message_ids.notification_ids.filtered(
            lambda n: n.notification_type == "email" and n.res_partner_id == self.customer
        )
        self.assertEqual(len(emailed), 1, "one answer, not two")


@tagged("post_install", "-at_install")
class TestVisitInvite(AftersalesNoticeCommon):
    def test_visit_without_time_invites_the_customer(self):
        self.customer_contact.lang = "fr_FR"
        with Form(self.env["aftersales.visit"].with_user(self.agent_user)) as visit_form:
            visit_form.ticket_id = self.ticket
            visit_form.visit_type_id = self.type_repair_visit
        visit = visit_form.record
        message = self._notices(visit, "choose the time")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.customer_contact)
        self.assertIn(f"/my/tickets/{self.ticket.id}?access_token=", message.body)
        self.assertIn(f"#aftersales_visit_{visit.id}", message.body)
        template = self.env.ref("aftersales_service.mail_template_visit_invite")
        self.assertEqual(template._render_lang(visit.ids)[visit.id], "fr_FR")
        # sent again from the button
        visit.with_user(self.agent_user).action_send_time_invitation()
        self.assertEqual(len(self._notices(visit, "choose the time")), 2)

    def test_no_invitation_with_a_time_or_switched_off(self):
        planned = self._planned()
        self.assertFalse(self._notices(planned, "choose the time"))
        with self.assertRaisesRegex(UserError, "already has a time"):
            planned.with_user(self.agent_user).action_send_time_invitation()
        self.company.aftersales_notify_visit_invite = False
        visit = (
            self.env["aftersales.visit"]
            .with_user(self.agent_user)
            .create({"ticket_id": self.ticket.id, "visit_type_id": self.type_repair_visit.id})
        )
        self.assertFalse(self._notices(visit, "choose the time"))
        with self.assertRaises(AccessError):
            visit.with_user(self.portal_user).action_send_time_invitation()


@tagged("post_install", "-at_install")
class TestVisitConfirmedMovedCancelled(AftersalesNoticeCommon):
    def test_dispatcher_schedules_confirms_moves_and_cancels(self):
        self.customer_contact.lang = "fr_FR"
        visit = self.visit.with_user(self.dispatcher)
        with Form(visit) as visit_form:
            visit_form.technician_id = self.tech_a
            visit_form.scheduled_start = TUESDAY
        visit.action_schedule()
        visit.action_confirm()
        confirmed = self._notices(visit, "is confirmed")
        self.assertEqual(len(confirmed), 1, "one e-mail for the time, not one per step")
        # in the customer's language and time zone, with the link to the visit
        self.assertIn("9 juin 2026", confirmed.body)
        self.assertIn("(Europe/Brussels)", confirmed.body)
        self.assertIn(f"#aftersales_visit_{visit.id}", confirmed.body)
        self.assertIn(self.customer_contact, self._emailed(confirmed))

        with Form(visit) as visit_form:
            visit_form.scheduled_start = TUESDAY + timedelta(days=1)
            visit_form.change_reason = "the part arrives a day later"
        moved = self._notices(visit, "has a new time")
        self.assertEqual(len(moved), 1)
        self.assertIn("9 juin 2026", moved.body, "the former time")
        self.assertIn("10 juin 2026", moved.body, "the new time")
        self.assertIn("the part arrives a day later", moved.body)
        self.assertFalse(visit.change_reason, "said once")
        self.assertEqual(visit.notified_start, TUESDAY + timedelta(days=1))
        # a write that does not change the time tells nothing
        visit.write({"scheduled_start": TUESDAY + timedelta(days=1)})
        self.assertEqual(len(self._notices(visit, "has a new time")), 1)

        action = visit.action_open_cancel()
        wizard_form = Form(self.env[action["res_model"]].with_user(self.dispatcher).with_context(**action["context"]))
        with self.assertRaises(AssertionError):
            wizard_form.save()  # the reason is required
        wizard_form.reason = "the customer repaired it"
        wizard_form.save().action_confirm()
        self.assertEqual(visit.state, "cancel")
        cancelled = self._notices(visit, "is cancelled")
        self.assertEqual(len(cancelled), 1)
        self.assertIn("10 juin 2026", cancelled.body)
        self.assertIn("the customer repaired it", cancelled.body)
        self.assertTrue(visit.message_ids.filtered(lambda m: "the customer repaired it" in m.body and not m.subject))

    def test_technician_cancels_own_visit_with_a_reason(self):
        visit = self._planned(TUESDAY)
        tara = self.tech_a.user_id
        with self.assertRaises(AccessError):
            visit.with_user(tara).write({"change_reason": "guessing"})
        action = visit.with_user(tara).action_open_cancel()
        wizard = (
            self.env[action["res_model"]]
            .with_user(tara)
            .with_context(**action["context"])
            .create({"reason": "flat tyre"})
        )
        wizard.action_confirm()
        self.assertEqual(visit.state, "cancel")
        self.assertIn("flat tyre", self._notices(visit, "is cancelled").body)
        # a portal user cannot cancel through the wizard
        other = self._planned(TUESDAY + timedelta(days=1))
        with self.assertRaises(AccessError):
            self.env["aftersales.visit.cancel"].with_user(self.portal_user).create(
                {"visit_id": other.id, "reason": "no"}
            ).action_confirm()
        self.assertEqual(other.state, "confirmed")

    def test_board_and_plan_tell_the_customer_once(self):
        visits = self.env["aftersales.visit"].create(
            [
                {"ticket_id": ticket.id, "visit_type_id": self.type_repair_visit.id}
                for ticket in (self.ticket, self.other_ticket)
            ]
        )
        Visit = self.env["aftersales.visit"].with_user(self.dispatcher)
        Visit.aftersales_board_move(visits[0].id, self.tech_a.id, fields.Datetime.to_string(TUESDAY))
        self.assertEqual(visits[0].state, "scheduled")
        self.assertEqual(len(self._notices(visits[0], "is confirmed")), 1)
        Visit.aftersales_board_move(
            visits[0].id, self.tech_a.id, fields.Datetime.to_string(TUESDAY + timedelta(hours=2))
        )
        self.assertEqual(len(self._notices(visits[0], "has a new time")), 1)
        # auto-assign sends in one batch
        visits[1].scheduled_start = TUESDAY + timedelta(days=1)
        visits[1].with_user(self.dispatcher).action_auto_assign()
        self.assertEqual(visits[1].state, "scheduled")
        confirmed = self._notices(visits[1], "is confirmed")
        self.assertEqual(len(confirmed), 1)
        self.assertIn(self.other_customer, self._emailed(confirmed))

    def test_switched_off(self):
        self.company.write({"aftersales_notify_visit_confirm": False, "aftersales_notify_visit_change": False})
        visit = self._book(self.visit, TUESDAY, state="scheduled")
        visit.with_user(self.dispatcher).write({"scheduled_start": TUESDAY + timedelta(days=1)})
        visit.with_user(self.dispatcher)._cancel("no longer needed")
        self.assertFalse(visit.message_ids.filtered("subject"))
        self.assertFalse(self._emailed(visit.message_ids))

    def test_reminder_switched_off(self):
        visit = self._planned(TUESDAY)
        self.company.aftersales_notify_visit_reminder = False
        with freeze_time("2026-06-08 06:00:00"):
            self.env["aftersales.visit"]._cron_send_reminders()
        self.assertFalse(visit.reminder_sent)
        self.company.aftersales_notify_visit_reminder = True
        with freeze_time("2026-06-08 06:00:00"):
            self.env["aftersales.visit"]._cron_send_reminders()
        self.assertTrue(visit.reminder_sent)
        reminder = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "aftersales.visit"), ("res_id", "=", visit.id), ("subject", "ilike", "reminder")])
        )
        self.assertIn(f"#aftersales_visit_{visit.id}", reminder.body_html)

    def test_service_report_has_the_link(self):
        template = self.env.ref("aftersales_service.mail_template_visit_service_report")
        visit = self._planned()
        body = template._render_field("body_html", visit.ids)[visit.id]
        self.assertIn(f"/my/tickets/{self.ticket.id}?access_token=", body)


@tagged("post_install", "-at_install")
class TestOnMyWay(AftersalesNoticeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Tara lives 60 km from the customer; at 60 km/h the drive is an hour
        cls.home = cls.env["res.partner"].create(
            {"name": "Tara's home", "partner_latitude": 50.85 + 60 / 111.195, "partner_longitude": 4.35}
        )
        cls.tech_a.home_partner_id = cls.home
        cls.customer_contact.write({"partner_latitude": 50.85, "partner_longitude": 4.35})
        cls.env["ir.config_parameter"].sudo().set_param("aftersales_service.travel_speed_kmh", "60")

    def test_technician_on_the_way(self):
        visit = self._planned(TUESDAY)
        visit.partner_id = self.customer_contact
        tara, ben = self.tech_a.user_id, self.tech_b.user_id
        with self.assertRaises(AccessError):
            visit.with_user(ben).action_on_my_way()
        with self.assertRaises(AccessError):
            visit.with_user(tara).write({"departed_at": fields.Datetime.now()})
        with freeze_time(TUESDAY - timedelta(minutes=30)):
            visit.with_user(tara).action_on_my_way()
        self.assertEqual(visit.departed_at, TUESDAY - timedelta(minutes=30))
        self.assertEqual(visit.expected_arrival, TUESDAY + timedelta(minutes=30), "half past by the drive")
        message = self._notices(visit, "on the way")
        self.assertEqual(len(message), 1)
        self.assertRegex(message.body, r"3:30\sPM \(Europe/Brussels\)")
        # on the way: the customer no longer moves it on the portal
        self.company.aftersales_portal_change_hours = 0
        self.assertIn("already on the way", visit._portal_change_refusal(now=TUESDAY - timedelta(hours=1)))
        self.assertIn(self.customer_contact, self._emailed(message))

    def test_moved_after_leaving(self):
        visit = self._planned(TUESDAY)
        visit.partner_id = self.customer_contact
        tara = self.tech_a.user_id
        with freeze_time(TUESDAY - timedelta(minutes=30)):
            visit.with_user(tara).action_on_my_way()
            with self.assertRaisesRegex(UserError, "already knows you are on the way"):
                visit.with_user(tara).action_on_my_way()
        self.assertEqual(len(self._notices(visit, "on the way")), 1, "told once")
        # the dispatcher moves the visit to the next day: Tara is no longer on the way
        with Form(visit.with_user(self.dispatcher)) as visit_form:
            visit_form.scheduled_start = TUESDAY + timedelta(days=1)
            visit_form.change_reason = "the customer is not at home"
        self.assertRecordValues(visit, [{"departed_at": False, "expected_arrival": False}])
        self.company.aftersales_portal_change_hours = 0
        self.assertFalse(visit._portal_change_refusal(now=TUESDAY + timedelta(hours=2)))
        with freeze_time(TUESDAY + timedelta(days=1, minutes=-30)):
            visit.with_user(tara).action_on_my_way()
        self.assertEqual(len(self._notices(visit, "on the way")), 2)
        # a change of the duration only: still on the way
        visit.with_user(self.dispatcher).write({"scheduled_end": TUESDAY + timedelta(days=1, hours=3)})
        self.assertTrue(visit.departed_at)

    def test_not_another_day(self):
        visit = self._planned(TUESDAY)
        with freeze_time(TUESDAY - timedelta(days=1)), self.assertRaisesRegex(UserError, "not planned today"):
            visit.with_user(self.tech_a.user_id).action_on_my_way()
        self.assertFalse(visit.departed_at)

    def test_not_before_the_agreed_time(self):
        visit = self._planned(TUESDAY)
        visit.partner_id = self.customer_contact
        with freeze_time(TUESDAY - timedelta(hours=3)):
            visit.with_user(self.tech_a.user_id).action_on_my_way()
        self.assertEqual(visit.expected_arrival, TUESDAY)

    def test_from_the_previous_visit_of_the_day(self):
        near = self.env["res.partner"].create(
            {
                "name": "Next door",
                "parent_id": self.customer.id,
                "zip": "1050",
                "country_id": self.env.ref("base.be").id,
                "partner_latitude": 50.85 + 6 / 111.195,
                "partner_longitude": 4.35,
            }
        )
        earlier = self._planned(TUESDAY - timedelta(hours=3))
        earlier.partner_id = near
        earlier.write(
            {"state": "done", "check_in": TUESDAY - timedelta(hours=3), "check_out": TUESDAY - timedelta(hours=2)}
        )
        visit = self._planned(TUESDAY)
        visit.partner_id = self.customer_contact
        with freeze_time(TUESDAY):
            visit.with_user(self.tech_a.user_id).action_on_my_way()
        self.assertEqual(visit.expected_arrival, TUESDAY + timedelta(minutes=6), "6 km from the visit before")
        with self.assertRaisesRegex(UserError, "not possible"):
            earlier.with_user(self.tech_a.user_id).action_on_my_way()


@tagged("post_install", "-at_install")
class TestPortalChanges(AftersalesNoticeCommon, HttpCase):
    def _post(self, url, **data):
        data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open(url, data=data)

    def _url(self, visit, action):
        return f"/my/tickets/{visit.ticket_id.id}/visits/{visit.id}/{action}"

    def setUp(self):
        super().setUp()
        slot = self.visit._portal_slots()[0]
        self.visit._book_slot(slot["key"])
        self.booked_start = self.visit.scheduled_start

    def test_customer_moves_the_visit(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/tickets/{self.ticket.id}")
        self.assertIn("o_aftersales_portal_move", response.text)
        self.assertIn("o_aftersales_portal_cancel_form", response.text)
        response = self.url_open(f"/my/tickets/{self.ticket.id}?move_visit={self.visit.id}")
        self.assertIn(self._url(self.visit, "move"), response.text)
        slot = next(s for s in self.visit._portal_slots() if s["start"] != self.booked_start)
        response = self._post(self._url(self.visit, "move"), slot=slot["key"], reason="I am away that day")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your visit is moved", response.text)
        self.assertEqual(self.visit.scheduled_start, slot["start"])
        self.assertEqual(self.visit.state, "confirmed")
        moved = self._notices(self.visit, "has a new time")
        self.assertEqual(len(moved), 1)
        self.assertIn("I am away that day", moved.body)
        self.assertTrue(self.visit.message_ids.filtered(lambda m: "Moved by the customer on the portal" in m.body))

    def test_customer_cancels_the_visit(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self._post(self._url(self.visit, "cancel"), reason="")
        self.assertIn("could not be handled", response.text)
        self.assertEqual(self.visit.state, "confirmed")
        response = self._post(self._url(self.visit, "cancel"), reason="It works again")
        self.assertIn("Your visit is cancelled", response.text)
        self.assertEqual(self.visit.state, "cancel")
        self.assertIn("It works again", self._notices(self.visit, "is cancelled").body)
        self.assertTrue(self.visit.activity_ids, "the team plans what comes next")

    def test_taken_back_keeps_the_agreed_time(self):
        # the dispatcher takes the booked visit back from its technician: the customer keeps the time agreed
        self.env["aftersales.visit"].with_user(self.dispatcher).aftersales_board_unassign(self.visit.id)
        self.assertRecordValues(self.visit, [{"state": "draft", "technician_id": False}])
        self.assertEqual(self.visit.notified_start, self.booked_start)
        self.assertFalse(self.visit._needs_time())
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/tickets/{self.ticket.id}")
        self.assertIn(self.visit.appointment_window, response.text)
        self.assertNotIn("o_aftersales_portal_slot_form", response.text, "no new time to choose")
        # nor by a crafted post, which would move it past the company's limit
        slot = next(s for s in self.visit._portal_slots() if s["start"] != self.booked_start)
        response = self._post(self._url(self.visit, "book"), slot=slot["key"])
        self.assertIn("This time is not one we offered", response.text)
        self.assertEqual(self.visit.scheduled_start, self.booked_start)
        # once cancelled and reset, the customer chooses a time again
        self.visit.with_user(self.dispatcher)._cancel("the unit was replaced")
        self.visit.with_user(self.dispatcher).action_reset_draft()
        self.assertTrue(self.visit._needs_time())

    def test_too_late_or_not_theirs(self):
        self.company.aftersales_portal_change_hours = 24 * 365
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/tickets/{self.ticket.id}")
        self.assertIn("o_aftersales_portal_change_refused", response.text)
        self.assertNotIn("o_aftersales_portal_cancel_form", response.text)
        slot = next(s for s in self.visit._portal_slots() if s["start"] != self.booked_start)
        response = self._post(self._url(self.visit, "move"), slot=slot["key"])
        self.assertEqual(response.status_code, 403)
        self.assertIn("can no longer be changed here", response.text)
        response = self._post(self._url(self.visit, "cancel"), reason="late")
        self.assertEqual(response.status_code, 403)
        self.assertRecordValues(self.visit, [{"state": "confirmed", "scheduled_start": self.booked_start}])
        # the model refuses too, whoever calls it
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            self.visit._portal_cancel("late")
        # someone else's visit
        self.company.aftersales_portal_change_hours = 0
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        response = self._post(self._url(self.visit, "cancel"), reason="not mine")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.visit.state, "confirmed")
