from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import AftersalesCommon
from .test_mail_gateway import MAIL_TEMPLATE

TUESDAY_10H = datetime(2026, 6, 9, 10, 0)
AGENT_GROUPS = "aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman"


class AftersalesSlaEscalationCommon(AftersalesCommon):
    """A team led by Mia (manager), in a branch managed by Bruno (dispatcher); Desmond answers the
    phone, Lena is the assignee who is late, Alice the accountant reads tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.desk = new_test_user(cls.env, login="sla_desk", name="Desmond Desk", groups=AGENT_GROUPS)
        cls.late = new_test_user(cls.env, login="sla_late", name="Lena Late", groups=AGENT_GROUPS)
        cls.accountant = new_test_user(
            cls.env, login="sla_accountant", groups="aftersales_service.aftersales_service_group_accountant"
        )
        cls.branch_manager = new_test_user(
            cls.env,
            login="sla_branch",
            name="Bruno Branch",
            email="bruno@example.com",
            groups="aftersales_service.aftersales_service_group_dispatcher,sales_team.group_sale_salesman",
        )
        cls.branch = cls.env["aftersales.branch"].create(
            {"name": "North", "code": "N", "company_id": cls.company.id, "manager_id": cls.branch_manager.id}
        )
        cls.team.write(
            {"branch_id": cls.branch.id, "member_ids": [Command.link(cls.desk.id), Command.link(cls.late.id)]}
        )
        cls.breach_type = cls.env.ref("aftersales_service.mail_activity_type_sla_breach")
        cls.at_risk_type = cls.env.ref("aftersales_service.mail_activity_type_sla_at_risk")
        cls.cron = cls.env["aftersales.ticket"]._cron_escalate_sla_breaches

    def _answered_ticket(self, **values):
        with freeze_time("2026-06-09 10:15:00"):
            ticket = self._ticket(request_date=TUESDAY_10H, **values)
            ticket.first_response_date = datetime(2026, 6, 9, 10, 15)
            self.env.flush_all()
        return ticket

    def _mails_to(self, escalations, user):
        mails = self.env["mail.mail"].search(
            [("model", "=", "aftersales.ticket.escalation"), ("res_id", "in", escalations.ids)]
        )
        return mails.filtered(lambda mail: user.partner_id in mail.recipient_ids)


@tagged("post_install", "-at_install")
class TestSlaResponse(AftersalesSlaEscalationCommon):
    def test_phone_ticket_opened_by_agent_is_answered(self):
        Ticket = self.env["aftersales.ticket"].with_user(self.desk)
        with freeze_time(TUESDAY_10H):
            with Form(Ticket) as form:
                form.name = "The dryer is noisy"
                form.partner_id = self.customer
                form.team_id = self.team
                form.channel = "phone"
            phone = form.record
            with Form(Ticket) as form:
                form.name = "Forwarded e-mail"
                form.partner_id = self.customer
                form.team_id = self.team
                form.channel = "email"
            email = form.record
        self.assertEqual(phone.first_response_date, TUESDAY_10H, "the agent is talking with the customer")
        self.assertFalse(email.first_response_date)
        with freeze_time("2026-06-09 12:30:00"):
            self.cron()
        self.assertEqual(phone.sla_status, "on_time")
        self.assertEqual(email.sla_status, "breached")
        self.assertFalse(phone.escalation_ids)

    def test_responded_records_the_first_response(self):
        ticket = self._ticket(request_date=TUESDAY_10H, channel="email")
        self.assertFalse(ticket.first_response_date)
        with freeze_time("2026-06-09 10:20:00"):
            ticket.with_user(self.desk).action_responded()
        self.assertEqual(ticket.first_response_date, datetime(2026, 6, 9, 10, 20))
        self.assertTrue(ticket.message_ids.filtered(lambda m: "answered the customer" in (m.body or "")))
        with self.assertRaises(UserError):
            ticket.with_user(self.desk).action_responded()
        # the date changes through the action only
        with self.assertRaises(AccessError):
            ticket.with_user(self.desk).write({"first_response_date": datetime(2026, 6, 9, 9, 0)})
        other = self._ticket(request_date=TUESDAY_10H, channel="email")
        with self.assertRaises(AccessError):
            other.with_user(self.accountant).action_responded()
        self.assertFalse(other.first_response_date)
        closed = self._ticket(channel="email", resolution="<p>Done.</p>", stage_id=self.stage_solved.id)
        with self.assertRaises(UserError):
            closed.with_user(self.desk).action_responded()


@tagged("post_install", "-at_install")
class TestSlaEscalationLevels(AftersalesSlaEscalationCommon):
    def test_breach_goes_to_the_team_leader(self):
        ticket = self._answered_ticket(user_id=self.late.id)
        with freeze_time("2026-06-09 18:30:00"):
            self.assertEqual(self.cron(), ticket)
        escalation = ticket.escalation_ids
        self.assertEqual(len(escalation), 1)
        self.assertEqual((escalation.kind, escalation.level), ("resolution", "level1"))
        self.assertEqual(escalation.user_id, self.manager)
        self.assertEqual(escalation.deadline, datetime(2026, 6, 9, 18, 0))
        self.assertTrue(ticket.sla_escalated)
        activity = ticket.activity_ids.filtered(lambda a: a.activity_type_id == self.breach_type)
        self.assertEqual(activity.user_id, self.manager)
        self.assertEqual(escalation.activity_id, activity)
        self.assertTrue(self._mails_to(escalation, self.manager), "an e-mail to the team leader")
        self.assertFalse(self._mails_to(escalation, self.late))
        # what the leader reads
        self.assertIn(
            ticket, self.env["aftersales.ticket"].with_user(self.manager).search([("sla_escalated", "=", True)])
        )
        self.assertEqual(escalation.with_user(self.desk).read(["user_id"])[0]["user_id"][0], self.manager.id)
        with self.assertRaises(AccessError):
            escalation.with_user(self.manager).write({"user_id": self.desk.id})
        with self.assertRaises(AccessError):
            self.env["aftersales.ticket.escalation"].with_user(self.manager).create(
                {"ticket_id": ticket.id, "kind": "reply", "level": "level1", "user_id": self.manager.id}
            )

    def test_no_leader_goes_to_the_branch_manager_never_to_the_assignee(self):
        self.team.user_id = False
        ticket = self._answered_ticket(user_id=self.late.id)
        with freeze_time("2026-06-09 18:30:00"):
            self.cron()
        self.assertEqual(ticket.escalation_ids.user_id, self.branch_manager)
        # the late assignee manages the branch: the company's after-sales manager is asked
        self.branch.manager_id = self.late
        other = self._answered_ticket(user_id=self.late.id)
        with freeze_time("2026-06-09 18:30:00"):
            self.cron()
        self.assertTrue(other.escalation_ids.user_id)
        self.assertNotEqual(other.escalation_ids.user_id, self.late)
        self.assertTrue(other.escalation_ids.user_id.has_group("aftersales_service.aftersales_service_group_manager"))

    def test_level_two_after_hours_each_level_once(self):
        self.policy_standard.escalation_hours = 2.0
        ticket = self._answered_ticket(user_id=self.late.id)
        with freeze_time("2026-06-09 18:30:00"):
            self.assertEqual(self.cron(), ticket)
            self.assertFalse(self.cron(), "level 1 once")
        level1 = ticket.escalation_ids
        self.assertEqual(level1.next_level_date, datetime(2026, 6, 9, 20, 0))
        with freeze_time("2026-06-09 19:30:00"):
            self.assertFalse(self.cron(), "not yet two hours")
        with freeze_time("2026-06-09 20:30:00"):
            self.assertEqual(self.cron(), ticket)
            self.assertFalse(self.cron(), "level 2 once")
        level2 = ticket.escalation_ids - level1
        self.assertEqual(level2.level, "level2")
        self.assertEqual(level2.user_id, self.branch_manager)
        self.assertTrue(self._mails_to(level2, self.branch_manager))
        activities = ticket.activity_ids.filtered(lambda a: a.activity_type_id == self.breach_type)
        self.assertEqual(activities.user_id, self.manager | self.branch_manager)
        self.assertEqual(len(ticket.escalation_ids), 2)

    def test_no_second_level_without_escalation_hours(self):
        ticket = self._answered_ticket()
        with freeze_time("2026-06-09 18:30:00"):
            self.cron()
        with freeze_time("2026-06-12 18:30:00"):
            self.cron()
        self.assertEqual(ticket.escalation_ids.mapped("level"), ["level1"])

    def test_nobody_to_tell_is_said_once_and_retried(self):
        self.team.user_id = False
        self.branch.manager_id = False
        group = self.env.ref("aftersales_service.aftersales_service_group_manager")
        group.users = [Command.unlink(user.id) for user in group.users if not user._is_superuser()]
        ticket = self._answered_ticket()
        with freeze_time("2026-06-09 18:30:00"):
            self.assertFalse(self.cron())
            self.assertFalse(self.cron())
        self.assertFalse(ticket.with_context(active_test=False).escalation_ids, "not recorded as done")
        self.assertFalse(ticket.sla_escalated)
        self.assertFalse(ticket.activity_ids)
        notes = ticket.message_ids.filtered(lambda m: "nobody could be asked" in (m.body or ""))
        self.assertEqual(len(notes), 1, "said once")
        self.team.user_id = self.manager
        with freeze_time("2026-06-09 19:00:00"):
            self.assertEqual(self.cron(), ticket, "tried again")
        self.assertEqual(ticket.escalation_ids.user_id, self.manager)

    def test_deadline_moved_to_the_future_withdraws_the_escalation(self):
        ticket = self._ticket(request_date=TUESDAY_10H, priority="3")
        ticket.first_response_date = datetime(2026, 6, 9, 10, 30)
        self.assertEqual(ticket.sla_resolve_deadline, datetime(2026, 6, 9, 14, 0))
        with freeze_time("2026-06-09 15:00:00"):
            self.assertEqual(self.cron(), ticket)
            first = ticket.escalation_ids
            self.assertTrue(first.activity_id)
            ticket.with_user(self.desk).priority = "1"
            self.assertEqual(ticket.sla_resolve_deadline, datetime(2026, 6, 9, 18, 0))
            self.cron()
        self.assertFalse(first.active)
        self.assertFalse(first.activity_id, "its activity is withdrawn too")
        self.assertFalse(ticket.sla_escalated)
        self.assertTrue(ticket.message_ids.filtered(lambda m: "escalation is withdrawn" in (m.body or "")))
        with freeze_time("2026-06-09 18:30:00"):
            self.assertEqual(self.cron(), ticket, "the new breach escalates again")
        self.assertTrue(ticket.escalation_ids)
        self.assertNotEqual(ticket.escalation_ids, first)
        self.assertTrue(ticket.sla_escalated)

    def test_at_risk_notice_once_to_the_assignee(self):
        assigned = self._answered_ticket(user_id=self.late.id)
        unassigned = self._answered_ticket()
        with freeze_time("2026-06-09 16:30:00"):
            self.assertFalse(self.cron(), "a notice is no escalation")
            self.cron()
            self.assertEqual(assigned.sla_status, "at_risk")
        notice = assigned.escalation_ids
        self.assertEqual((notice.kind, notice.level, notice.user_id), ("resolution", "at_risk", self.late))
        self.assertEqual(
            assigned.activity_ids.filtered(lambda a: a.activity_type_id == self.at_risk_type).user_id, self.late
        )
        self.assertTrue(self._mails_to(notice, self.late))
        self.assertFalse(assigned.sla_escalated)
        self.assertEqual(unassigned.escalation_ids.user_id, self.manager, "else the team leader")
        with freeze_time("2026-06-09 18:30:00"):
            self.cron()
        self.assertEqual(sorted(assigned.escalation_ids.mapped("level")), ["at_risk", "level1"])

    def test_missed_response_and_resolution_escalate_each(self):
        ticket = self._ticket(request_date=TUESDAY_10H)
        with freeze_time("2026-06-09 12:30:00"):
            self.cron()
        self.assertEqual(ticket.escalation_ids.mapped("kind"), ["response"])
        with freeze_time("2026-06-09 18:30:00"):
            self.cron()
        self.assertEqual(sorted(ticket.escalation_ids.mapped("kind")), ["resolution", "response"])
        # answered late: the missed response stays on record
        with freeze_time("2026-06-09 18:40:00"):
            ticket.with_user(self.desk).action_responded()
            self.cron()
        self.assertEqual(len(ticket.escalation_ids), 2)


@tagged("post_install", "-at_install")
class TestSlaNextReply(AftersalesSlaEscalationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy_standard.reply_hours = 2.0
        alias_domain = cls.env["mail.alias.domain"].create({"name": "service.example.com"})
        cls.team.write({"alias_name": "appliances", "alias_domain_id": alias_domain.id})

    def _receive(self, subject, msg_id, extra="", body="My machine does not drain."):
        message = MAIL_TEMPLATE.format(
            email_from="Wendy <wendy@example.com>",
            to=self.team.alias_email,
            subject=subject,
            msg_id=msg_id,
            extra=extra,
            body=body,
        )
        return self.env["mail.thread"].message_process(None, message)

    def _answer(self, ticket, body):
        ticket.with_user(self.desk).message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_comment")

    def test_customer_message_starts_the_clock_an_answer_stops_it(self):
        with freeze_time("2026-06-09 09:00:00"):
            ticket = self.env["aftersales.ticket"].browse(self._receive("Water everywhere", "<r1@example.com>"))
        self.assertFalse(ticket.sla_reply_since, "before the first response, the response target runs")
        with freeze_time("2026-06-09 09:30:00"):
            self._answer(ticket, "A technician calls you today.")
        self.assertEqual(ticket.first_response_date, datetime(2026, 6, 9, 9, 30))
        with freeze_time("2026-06-09 10:00:00"):
            self._receive(
                "Re: Water everywhere",
                "<r2@example.com>",
                extra="In-Reply-To: <r1@example.com>\nReferences: <r1@example.com>\n",
                body="Nobody called yet.",
            )
        self.assertEqual(ticket.sla_reply_since, datetime(2026, 6, 9, 10, 0))
        self.assertEqual(ticket.sla_reply_deadline, datetime(2026, 6, 9, 12, 0))
        with freeze_time("2026-06-09 11:00:00"):
            self._answer(ticket, "Sorry, he calls at noon.")
        self.assertFalse(ticket.sla_reply_since)
        self.assertFalse(ticket.sla_reply_deadline)
        with freeze_time("2026-06-09 12:30:00"):
            self.cron()
        self.assertFalse(ticket.escalation_ids, "answered in time")

    def test_late_reply_escalates_and_responded_answers_it(self):
        ticket = self._answered_ticket()
        with freeze_time("2026-06-09 11:00:00"):
            ticket.message_post(
                body="Automatic notice",
                author_id=self.env.ref("base.partner_root").id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertFalse(ticket.sla_reply_since, "OdooBot is not the customer")
        with freeze_time("2026-06-09 11:30:00"):
            # a comment of the customer on the portal
            ticket.message_post(
                body="Any news?",
                author_id=self.customer.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.sla_reply_deadline, datetime(2026, 6, 9, 13, 30))
        with freeze_time("2026-06-09 13:00:00"):
            self.cron()
            self.assertFalse(ticket.escalation_ids)
            self.assertNotIn(ticket, self.env["aftersales.ticket"].search([("sla_reply_overdue", "=", True)]))
        with freeze_time("2026-06-09 14:00:00"):
            self.assertIn(ticket, self.env["aftersales.ticket"].search([("sla_reply_overdue", "=", True)]))
            self.assertEqual(self.cron(), ticket)
            escalation = ticket.escalation_ids
            self.assertEqual((escalation.kind, escalation.level, escalation.user_id), ("reply", "level1", self.manager))
            self.assertTrue(self._mails_to(escalation, self.manager))
            # answered on the phone: the reply target is met, its escalation withdrawn
            ticket.with_user(self.desk).action_responded()
            self.assertFalse(ticket.sla_reply_since)
            self.cron()
        self.assertFalse(escalation.active)
        with freeze_time("2026-06-10 09:00:00"):
            ticket.message_post(
                body="It leaks again.",
                author_id=self.customer.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        with freeze_time("2026-06-10 12:00:00"):
            self.assertEqual(self.cron(), ticket, "a new late reply escalates again")


@tagged("post_install", "-at_install")
class TestSlaCronBatches(AftersalesSlaEscalationCommon):
    def test_cron_queries_per_ticket_constant(self):
        """Escalating 5 or 25 tickets (two targets each: an escalation, an activity and an e-mail apiece)
        costs the same queries: records, activities and e-mails are written in batches."""
        with freeze_time("2026-06-15 10:00:00"):
            while self.cron():  # whatever the database already holds
                pass
        counts = []
        for size in (2, 5, 25):  # the first run warms the caches up
            tickets = self.env["aftersales.ticket"].create(
                [
                    {
                        "name": f"Breach {size}-{index}",
                        "partner_id": self.customer.id,
                        "team_id": self.team.id,
                        "user_id": self.late.id,
                        "request_date": TUESDAY_10H,
                    }
                    for index in range(size)
                ]
            )
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time("2026-06-15 10:00:00"):
                before = self.cr.sql_log_count
                escalated = self.cron()
                self.env.flush_all()
                counts.append(self.cr.sql_log_count - before)
            self.assertEqual(escalated, tickets)
            self.assertEqual(len(tickets.escalation_ids), 2 * size, "response and resolution, level 1")
        self.assertLessEqual(counts[2] - counts[1], 5, f"queries for 2, 5 and 25 tickets: {counts}")
        # a run with nothing to do reads a fixed number of queries
        with freeze_time("2026-06-15 10:05:00"):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            self.assertFalse(self.cron())
            idle = self.cr.sql_log_count - before
        self.assertLessEqual(idle, 20, f"an idle run: {idle} queries")

    def test_cron_reports_progress_in_batches(self):
        with freeze_time("2026-06-09 16:30:00"):
            while self.cron():  # whatever the database already holds
                pass
        late = self.env["aftersales.ticket"].create(
            [
                {"name": f"Late {index}", "team_id": self.team.id, "request_date": datetime(2026, 6, 1, 9, 0)}
                for index in range(5)
            ]
        )
        with freeze_time("2026-06-09 16:30:00"):
            escalated = self.env["aftersales.ticket"]
            for _call in range(10):
                escalated |= self.cron(batch_size=2)
        self.assertEqual(escalated & late, late)
        self.assertEqual(len(late.escalation_ids), 10)


@tagged("post_install", "-at_install")
class TestSlaRespondedRpc(AftersalesSlaEscalationCommon, HttpCase):
    def _call(self, ticket):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw/aftersales.ticket/action_responded",
            {"model": "aftersales.ticket", "method": "action_responded", "args": [ticket.ids], "kwargs": {}},
        )

    def test_readers_cannot_respond_over_rpc(self):
        ticket = self._ticket(request_date=TUESDAY_10H, channel="email")
        self.authenticate("sla_accountant", "sla_accountant")
        with mute_logger("odoo.http"), self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call(ticket)
        self.assertFalse(ticket.first_response_date)
        self.authenticate("sla_desk", "sla_desk")
        self.assertTrue(self._call(ticket))
        ticket.invalidate_recordset()
        self.assertTrue(ticket.first_response_date)
