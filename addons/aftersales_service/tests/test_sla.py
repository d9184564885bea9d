from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AftersalesCommon

FRIDAY_16H = datetime(2026, 6, 5, 16, 0)  # Monday 2026-06-08 is a public holiday
TUESDAY_10H = datetime(2026, 6, 9, 10, 0)


@tagged("post_install", "-at_install")
class TestSla(AftersalesCommon):
    def test_deadline_across_weekend_and_holiday(self):
        """8 working hours from Friday 16:00: 2 on Friday, none on the weekend nor
        on Monday's holiday, 6 on Tuesday."""
        ticket = self._ticket(request_date=FRIDAY_16H)
        self.assertEqual(ticket.sla_policy_id, self.policy_standard)
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 6, 5, 18, 0))
        self.assertEqual(ticket.sla_resolve_deadline, datetime(2026, 6, 9, 15, 0))
        # the same figure as Odoo's own planning
        self.assertEqual(
            self.calendar.plan_hours(8.0, FRIDAY_16H, compute_leaves=True),
            ticket.sla_resolve_deadline,
        )

    def test_deadline_outside_working_hours(self):
        """A request on Saturday counts from the next working hour."""
        ticket = self._ticket(request_date=datetime(2026, 6, 6, 11, 0))
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 6, 9, 11, 0))
        self.assertEqual(ticket.sla_resolve_deadline, datetime(2026, 6, 9, 17, 0))

    def test_batch_planning_matches_plan_hours(self):
        starts = [datetime(2026, 6, day, hour, 30) for day in range(1, 20) for hour in (0, 8, 9, 12, 17, 18, 23)]
        for hours in (0.5, 1.0, 8.0, 9.0, 30.0, 100.0):
            planned = self.calendar._aftersales_plan_hours_batch([(start, hours) for start in starts])
            expected = [self.calendar.plan_hours(hours, start, compute_leaves=True) for start in starts]
            self.assertEqual(planned, expected, f"{hours} hours")

    def test_priority_change_recomputes_deadlines(self):
        ticket = self._ticket(request_date=TUESDAY_10H)
        self.assertEqual(ticket.sla_resolve_deadline, datetime(2026, 6, 9, 18, 0))
        ticket.priority = "3"
        self.assertEqual(ticket.sla_policy_id, self.policy_urgent)
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 6, 9, 11, 0))
        self.assertEqual(ticket.sla_resolve_deadline, datetime(2026, 6, 9, 14, 0))
        ticket.priority = "1"
        self.assertEqual(ticket.sla_resolve_deadline, datetime(2026, 6, 9, 18, 0))

    def test_policy_by_type_and_customer_tag(self):
        vip = self.env["res.partner.category"].create({"name": "VIP"})
        policy_vip = self.env["aftersales.sla.policy"].create(
            {
                "name": "VIP repairs",
                "sequence": 0,
                "ticket_type_id": self.type_repair.id,
                "partner_category_ids": [(6, 0, vip.ids)],
                "calendar_id": self.calendar.id,
                "response_hours": 0.5,
                "resolution_hours": 2.0,
            }
        )
        ticket = self._ticket(request_date=TUESDAY_10H)
        self.assertEqual(ticket.sla_policy_id, self.policy_standard)
        self.customer.category_id = vip
        self.assertEqual(ticket.sla_policy_id, policy_vip)
        self.assertEqual(ticket.sla_resolve_deadline, datetime(2026, 6, 9, 12, 0))
        consultation = self._ticket(
            request_date=TUESDAY_10H,
            ticket_type_id=self.env.ref("aftersales_service.ticket_type_consultation").id,
        )
        self.assertEqual(consultation.sla_policy_id, self.policy_standard)

    def test_pause_moves_deadline_by_paused_working_time(self):
        """Waiting for the customer from Tuesday 11:00 to Wednesday 10:00 is 8
        working hours (7 on Tuesday, 1 on Wednesday): the deadlines move by 8,
        from Tuesday 18:00 to Wednesday 17:00 and from 12:00 to Wednesday 11:00."""
        ticket = self._ticket(request_date=TUESDAY_10H)
        self.assertEqual(ticket.sla_resolve_deadline, datetime(2026, 6, 9, 18, 0))
        with freeze_time("2026-06-09 11:00:00"):
            ticket.stage_id = self.stage_waiting
            self.assertEqual(ticket.sla_paused_since, datetime(2026, 6, 9, 11, 0))
        with freeze_time("2026-06-10 10:00:00"):
            ticket.stage_id = self.stage_progress
        self.assertFalse(ticket.sla_paused_since)
        self.assertAlmostEqual(ticket.sla_paused_hours, 8.0)
        self.assertEqual(ticket.sla_resolve_deadline, datetime(2026, 6, 10, 17, 0))
        self.assertEqual(ticket.sla_response_deadline, datetime(2026, 6, 10, 11, 0))

    def test_status_while_paused_stands_still(self):
        ticket = self._ticket(request_date=TUESDAY_10H)
        with freeze_time("2026-06-09 11:00:00"):
            ticket.stage_id = self.stage_waiting
        with freeze_time("2026-06-12 10:00:00"):
            self.env["aftersales.ticket"]._cron_escalate_sla_breaches()
            self.assertEqual(ticket.sla_status, "on_time")
            self.assertFalse(ticket.sla_escalated)

    def test_first_response_recorded(self):
        ticket = self._ticket(request_date=TUESDAY_10H)
        with freeze_time("2026-06-09 10:30:00"):
            ticket.with_user(self.agent).message_post(
                body="We are on it", message_type="comment", subtype_xmlid="mail.mt_note"
            )
            self.assertFalse(ticket.first_response_date, "an internal note is no answer")
            ticket.with_user(self.agent).message_post(
                body="Hello, we are on it", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(ticket.first_response_date, datetime(2026, 6, 9, 10, 30))
        with freeze_time("2026-06-09 12:00:00"):
            ticket.with_user(self.agent).message_post(
                body="Again", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(ticket.first_response_date, datetime(2026, 6, 9, 10, 30))

    def test_status_at_risk_then_breached_and_escalated_once(self):
        ticket = self._ticket(request_date=TUESDAY_10H)
        ticket.first_response_date = datetime(2026, 6, 9, 10, 15)
        cron = self.env["aftersales.ticket"]._cron_escalate_sla_breaches
        with freeze_time("2026-06-09 12:00:00"):
            cron()
            self.assertEqual(ticket.sla_status, "on_time")
        with freeze_time("2026-06-09 16:30:00"):  # 80 % of 8 hours used at 16:24
            cron()
            self.assertEqual(ticket.sla_status, "at_risk")
            self.assertFalse(ticket.sla_escalated)
        with freeze_time("2026-06-09 18:30:00"):
            escalated = cron()
            self.assertEqual(escalated, ticket)
            self.assertEqual(ticket.sla_status, "breached")
            self.assertTrue(ticket.sla_escalated)
            self.assertEqual(cron(), self.env["aftersales.ticket"], "a breach is escalated once")
        breach_type = self.env.ref("aftersales_service.mail_activity_type_sla_breach")
        activities = ticket.activity_ids.filtered(lambda a: a.activity_type_id == breach_type)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.manager, "the team leader is asked to act")
        notes = ticket.message_ids.filtered(lambda m: "SLA breached" in (m.body or ""))
        self.assertEqual(len(notes), 1)

    def test_missed_first_response_breaches(self):
        ticket = self._ticket(request_date=TUESDAY_10H)
        with freeze_time("2026-06-09 12:30:00"):
            self.env["aftersales.ticket"]._cron_escalate_sla_breaches()
        self.assertEqual(ticket.sla_status, "breached")

    def test_closed_on_time_keeps_status(self):
        ticket = self._ticket(request_date=TUESDAY_10H)
        with freeze_time("2026-06-09 11:00:00"):
            ticket.write({"resolution": "<p>Drain pump filter cleaned.</p>", "stage_id": self.stage_solved.id})
        self.assertEqual(ticket.sla_status, "on_time")
        with freeze_time("2026-07-01 11:00:00"):
            self.env["aftersales.ticket"]._cron_escalate_sla_breaches()
        self.assertEqual(ticket.sla_status, "on_time")
        self.assertFalse(ticket.sla_escalated)

    def test_create_queries_per_ticket_constant(self):
        counts = []
        for size in (10, 40):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            self.env["aftersales.ticket"].create(
                [
                    {
                        "name": f"Batch {size}-{index}",
                        "partner_id": self.customer.id,
                        "team_id": self.team.id,
                        "request_date": TUESDAY_10H,
                        "priority": str(index % 4),
                    }
                    for index in range(size)
                ]
            )
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
        per_ticket = (counts[1] - counts[0]) / 30
        self.assertLessEqual(per_ticket, 5, f"queries for 10 and 40 tickets: {counts}")

    def test_bad_targets_refused(self):
        for response, resolution in ((0.0, 8.0), (2.0, 0.0), (-1.0, 8.0), (9.0, 8.0)):
            with self.subTest(response=response, resolution=resolution), self.assertRaises(ValidationError):
                self.env["aftersales.sla.policy"].create(
                    {
                        "name": "Wrong",
                        "calendar_id": self.calendar.id,
                        "response_hours": response,
                        "resolution_hours": resolution,
                    }
                )
        with self.assertRaises(ValidationError):
            self.policy_standard.at_risk_percent = 100

    def test_cron_works_through_batches(self):
        """Small batches: at-risk tickets do not clog the queue, and the cron reports
        what is left so that ir.cron runs it again until all is flagged and escalated."""
        cron = self.env["aftersales.ticket"]._cron_escalate_sla_breaches
        with freeze_time("2026-06-09 09:00:00"):
            while cron():  # whatever the database already holds
                pass
        at_risk = self._ticket(request_date=datetime(2026, 6, 9, 9, 0))
        at_risk.first_response_date = datetime(2026, 6, 9, 9, 30)
        late = self.env["aftersales.ticket"].create(
            [
                {"name": f"Late {index}", "team_id": self.team.id, "request_date": datetime(2026, 6, 1, 9, 0)}
                for index in range(5)
            ]
        )
        with freeze_time("2026-06-09 16:30:00"):
            escalated = self.env["aftersales.ticket"]
            for _call in range(10):
                escalated |= cron(batch_size=2)
            self.assertEqual(escalated, late)
            self.assertEqual(at_risk.sla_status, "at_risk")
            self.assertEqual(set(late.mapped("sla_status")), {"breached"})
