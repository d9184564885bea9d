from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common_fees import AftersalesFeesCommon


@tagged("post_install", "-at_install")
class TestFollowup(AftersalesFeesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_followed = cls.env["aftersales.ticket.type"].create(
            {"name": "Repair with a call", "followup_required": True, "followup_delay": 3}
        )
        cls.type_maintenance_visit = cls.env.ref("aftersales_service.visit_type_maintenance")
        cls.ticket.write({"ticket_type_id": cls.type_followed.id, "user_id": cls.agent.id})

    def _close(self, ticket):
        ticket.resolution = "<p>Pump replaced.</p>"
        ticket.action_close()

    def test_planned_after_repair_for_the_agent(self):
        visit = self._do_visit(self._visit(), user=self.tech_a.user_id)
        followup = self.ticket.followup_ids
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.state, "planned")
        self.assertEqual(followup.kind, "after_service")
        self.assertEqual(followup.visit_id, visit)
        self.assertEqual(followup.partner_id, self.customer)
        self.assertEqual(followup.user_id, self.agent, "the ticket's agent calls")
        self.assertEqual(followup.date_planned, date(2026, 6, 12), "3 days after the visit was done on the 9th")
        self.assertTrue(followup.name.startswith("FUP/"))
        activity = followup.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.agent)
        self.assertEqual(activity.date_deadline, date(2026, 6, 12))
        self.assertEqual(activity.activity_type_id, self.env.ref("aftersales_service.mail_activity_type_followup_call"))
        self.assertEqual(self.ticket.followup_count, 1)
        self.assertEqual(self.ticket.action_view_followups()["domain"], [("ticket_id", "=", self.ticket.id)])

        # a second repair moves the call still planned instead of planning another one
        second = self._do_visit(self._visit(), start=datetime(2026, 6, 11, 10, 0), user=self.tech_a.user_id)
        self.assertEqual(self.ticket.followup_ids, followup)
        self.assertEqual(followup.visit_id, second)
        self.assertEqual(followup.date_planned, date(2026, 6, 14))
        self.assertEqual(followup.activity_ids.date_deadline, date(2026, 6, 14))

    def test_team_leader_without_agent(self):
        self.ticket.user_id = False
        self._do_visit(self._visit())
        self.assertEqual(self.ticket.followup_ids.user_id, self.manager, "the team leader calls")

    def test_only_installations_and_repairs_of_types_that_ask(self):
        self._do_visit(self._visit(visit_type_id=self.type_maintenance_visit.id))
        self.assertFalse(self.ticket.followup_ids, "a maintenance visit plans no call")
        other = self._ticket(lot_id=self.lot.id)
        self.assertFalse(other.ticket_type_id.followup_required)
        self._do_visit(self._visit(ticket=other), start=datetime(2026, 6, 10, 10, 0))
        self.assertFalse(other.followup_ids, "the repair type asks for no call")
        self._close(other)
        self.assertTrue(other.is_closed)

    def test_closing_needs_the_call(self):
        self._do_visit(self._visit())
        followup = self.ticket.followup_ids
        with self.assertRaisesRegex(UserError, "follow-up call"):
            self._close(self.ticket)
        with self.assertRaisesRegex(UserError, "follow-up call"):
            self.ticket.stage_id = self.stage_solved
        self.assertFalse(self.ticket.is_closed)
        # the outcome must be recorded
        with self.assertRaisesRegex(UserError, "satisfied"):
            followup.action_done()
        followup.satisfied = "yes"
        with self.assertRaisesRegex(UserError, "problem is solved"):
            followup.action_done()
        with Form(followup.with_user(self.agent)) as form:
            form.problem_solved = "yes"
            form.fee_correct = "yes"
            form.notes = "<p>All good, the machine drains.</p>"
        with freeze_time("2026-06-12 09:30:00"):
            followup.with_user(self.agent).action_done()
        self.assertEqual(followup.state, "done")
        self.assertEqual(followup.call_date, datetime(2026, 6, 12, 9, 30))
        self.assertEqual(followup.done_by_id, self.agent)
        self.assertFalse(followup.activity_ids, "the call activity is done")
        with self.assertRaises(UserError):
            followup.action_done()
        self._close(self.ticket.with_user(self.agent))
        self.assertTrue(self.ticket.is_closed)
        with self.assertRaises(UserError):
            followup.unlink()

    def test_no_closed_ticket_without_the_call(self):
        with self.assertRaisesRegex(UserError, "follow-up call"):
            self._ticket(ticket_type_id=self.type_followed.id, stage_id=self.stage_solved.id, resolution="<p>Ok</p>")
        # changing the type while closing counts the new type
        ticket = self._ticket()
        ticket.resolution = "<p>Ok</p>"
        with self.assertRaisesRegex(UserError, "follow-up call"):
            ticket.write({"stage_id": self.stage_solved.id, "ticket_type_id": self.type_followed.id})
        ticket.stage_id = self.stage_solved
        self.assertTrue(ticket.is_closed)

    def test_cancel_with_a_reason_then_close(self):
        self._do_visit(self._visit())
        followup = self.ticket.followup_ids
        with self.assertRaisesRegex(UserError, "why the call is not made"):
            followup.action_cancel()
        followup.cancel_reason = "  "
        with self.assertRaisesRegex(UserError, "why the call is not made"):
            followup.action_cancel()
        followup.cancel_reason = "The customer asked not to be called."
        followup.action_cancel()
        self.assertEqual(followup.state, "cancel")
        self.assertFalse(followup.activity_ids)
        self._close(self.ticket)
        self.assertTrue(self.ticket.is_closed)

        # planned again, the call blocks a new closing
        self.ticket.action_reopen()
        followup.action_plan()
        self.assertEqual(followup.state, "planned")
        self.assertEqual(followup.activity_ids.user_id, self.agent)
        with self.assertRaisesRegex(UserError, "follow-up call"):
            self._close(self.ticket)

    def test_problem_not_solved_keeps_the_ticket_open(self):
        self._do_visit(self._visit())
        followup = self.ticket.followup_ids
        followup.write({"satisfied": "no", "problem_solved": "no", "fee_correct": "yes"})
        followup.action_done()
        activity = self.ticket.activity_ids.filtered(lambda a: a.summary == "Problem not solved")
        self.assertEqual(activity.user_id, self.agent)
        with self.assertRaisesRegex(UserError, "follow-up call"):
            self._close(self.ticket)

        # a closed ticket comes back when its customer says the problem is not solved
        other = self._ticket(lot_id=self.lot.id, user_id=self.agent.id)
        self._close(other)
        call = self.env["aftersales.followup"].create({"ticket_id": other.id, "user_id": self.agent.id})
        self.assertEqual(call.partner_id, self.customer)
        self.assertEqual(call.company_id, other.company_id)
        call.write({"satisfied": "no", "problem_solved": "no"})
        call.action_done()
        self.assertFalse(other.is_closed)
        self.assertEqual(other.reopen_count, 1)

    def test_access(self):
        self._do_visit(self._visit())
        followup = self.ticket.followup_ids
        self.assertEqual(followup.with_user(self.agent).read(["name"])[0]["name"], followup.name)
        with self.assertRaises(AccessError):
            followup.with_user(self.tech_a.user_id).read(["name"])
        # the technician still opens the ticket and counts nothing
        self.assertEqual(self.ticket.with_user(self.tech_a.user_id).followup_count, 1)
        portal = new_test_user(self.env, login="as_fup_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            followup.with_user(portal).read(["name"])
        other_company = self.env["res.company"].create({"name": "Other Service Co"})
        self.agent.company_ids |= other_company
        foreign = self.env["aftersales.followup"].create(
            {"partner_id": self.customer.id, "company_id": other_company.id, "kind": "care", "user_id": False}
        )
        visible = (
            self.env["aftersales.followup"]
            .with_user(self.agent)
            .with_context(allowed_company_ids=self.company.ids)
            .search([("id", "in", (followup | foreign).ids)])
        )
        self.assertEqual(visible, followup)


@tagged("post_install", "-at_install")
class TestCareCalls(AftersalesFeesCommon):
    def _closed_ticket(self, customer, when, **values):
        with freeze_time(when):
            ticket = self._ticket(partner_id=customer.id, **values)
            ticket.resolution = "<p>Solved.</p>"
            ticket.action_close()
        return ticket

    def test_monthly_call_list(self):
        Followup = self.env["aftersales.followup"]
        Partner = self.env["res.partner"]
        called, twice, early = Partner.create([{"name": "Carl Called"}, {"name": "Tina Twice"}, {"name": "Ed Early"}])
        contact = Partner.create({"name": "Wendy's husband", "parent_id": self.customer.id})
        first = self._closed_ticket(self.customer, "2026-06-05 10:00:00", user_id=self.agent.id)
        latest = self._closed_ticket(contact, "2026-06-20 10:00:00")
        self._closed_ticket(twice, "2026-06-10 10:00:00")
        self._closed_ticket(twice, "2026-06-11 10:00:00")
        self._closed_ticket(early, "2026-05-31 10:00:00")
        done_ticket = self._closed_ticket(called, "2026-06-12 10:00:00")
        Followup.create(
            {
                "ticket_id": done_ticket.id,
                "date_planned": date(2026, 6, 15),
                "satisfied": "yes",
                "problem_solved": "yes",
            }
        ).action_done()
        with freeze_time("2026-07-01 06:00:00"):
            calls = Followup._cron_plan_care_calls()
        self.assertEqual(len(calls), 2, "one call per customer, none for Carl (called) nor Ed (in May)")
        self.assertEqual(set(calls.mapped("kind")), {"care"})
        self.assertEqual(set(calls.mapped("date_planned")), {date(2026, 7, 1)})
        wendy = calls.filtered(lambda c: c.partner_id.commercial_partner_id == self.customer)
        self.assertEqual(wendy.ticket_id, latest, "the latest ticket of the customer")
        self.assertEqual(wendy.user_id, self.manager, "no agent on the latest ticket: the team leader")
        self.assertNotEqual(wendy.ticket_id, first)
        with freeze_time("2026-07-15 06:00:00"):
            self.assertFalse(Followup._cron_plan_care_calls(), "the list is made once a month")
        # a care call needs no answer on the problem
        wendy.satisfied = "yes"
        wendy.action_done()
        self.assertEqual(wendy.state, "done")
