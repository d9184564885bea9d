from datetime import date, datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common_quality import MAY, AftersalesQualityCommon

ACTION_ACTIVITY = "aftersales_service.mail_activity_type_improvement_action"
OVERDUE_ACTIVITY = "aftersales_service.mail_activity_type_improvement_overdue"


@tagged("post_install", "-at_install")
class TestImprovementAction(AftersalesQualityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.north.manager_id = cls.manager
        reviews = cls.env["aftersales.quality.review"].with_user(cls.manager)._draw_sample(cls.company, MAY)
        cls.review = reviews.filtered("service_partner_id")[:1].with_env(cls.env)

    def _reviewed(self, findings="<p>The drain hose was left kinked.</p>"):
        review = self.review.with_user(self.review.user_id)
        review.write({"score": 40, "findings": findings})
        review.action_done()
        return review

    def test_from_review_closed_with_note(self):
        """The agent opens an action from the findings; the responsible (the branch's manager) gets an activity;
        the action is closed only with a note, and stays closed."""
        with self.assertRaisesRegex(UserError, "Record the review's outcome"):
            self.review.with_user(self.review.user_id).action_create_improvement()
        review = self._reviewed()
        result = review.action_create_improvement()
        action = self.env["aftersales.improvement.action"].browse(result["res_id"]).with_user(self.review.user_id)
        self.assertEqual(
            (action.origin, action.review_id, action.branch_id, action.service_partner_id, action.user_id),
            ("review", review, self.north, self.fixit, self.manager),
        )
        self.assertIn("kinked", action.description)
        self.assertTrue(action.reference.startswith("IA/"))
        self.assertEqual(action.activity_ids.activity_type_id, self.env.ref(ACTION_ACTIVITY))
        self.assertEqual(action.activity_ids.user_id, self.manager)
        self.assertEqual(review.improvement_action_count, 1)
        action.action_start()
        self.assertEqual(action.state, "in_progress")
        with self.assertRaisesRegex(UserError, "closing note"):
            action.action_done()
        self.assertEqual(action.state, "in_progress")
        with Form(action) as form:
            form.closing_note = "Technicians trained on hose routing; checklist step added."
        action.action_done()
        self.assertEqual((action.state, action.closed_by_id), ("done", self.review.user_id))
        self.assertTrue(action.date_closed)
        self.assertFalse(action.activity_ids)
        for vals in ({"closing_note": "Changed my mind"}, {"date_deadline": "2030-01-01"}, {"state": "open"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                action.write(vals)
        with self.assertRaisesRegex(UserError, "cancel them instead"):
            action.with_user(self.manager).unlink()

    def test_review_without_findings(self):
        review = self.review.with_user(self.review.user_id)
        review.write({"score": 90})
        review.action_done()
        with self.assertRaisesRegex(UserError, "no findings"):
            review.action_create_improvement()

    def test_from_complaint_ticket(self):
        """A complaint about a ticket whose job the service partner did opens an action for the partner; a plain
        ticket does not."""
        Ticket = self.env["aftersales.ticket"]
        leaking = Ticket.create({"name": "Leaking washer", "partner_id": self.customer.id, "team_id": self.team.id})
        self._done_jobs(leaking, 1, datetime(2026, 5, 8, 9), service_partner=self.fixit)
        complaint = Ticket.create(
            {
                "name": "Complaint: still leaking",
                "partner_id": self.customer.id,
                "team_id": self.team.id,
                "complaint_of_id": leaking.id,
                "description": "<p>The washer leaks again after the partner's visit.</p>",
            }
        )
        agent = self.agent
        with self.assertRaisesRegex(UserError, "Only complaint tickets"):
            self.ticket_south.with_user(agent).action_create_improvement()
        result = complaint.with_user(agent).action_create_improvement()
        action = self.env["aftersales.improvement.action"].browse(result["res_id"])
        self.assertEqual(
            (action.origin, action.ticket_id, action.branch_id, action.service_partner_id, action.user_id),
            ("ticket", complaint, self.north, self.fixit, self.manager),
        )
        self.assertEqual(complaint.improvement_action_count, 1)
        # agents do not cancel; managers do, with a reason
        with self.assertRaises(AccessError):
            action.with_user(agent).action_cancel()
        with self.assertRaisesRegex(UserError, "Write why"):
            action.with_user(self.manager).action_cancel()
        action.with_user(self.manager).write({"cancel_reason": "Duplicate of the review's action"})
        action.with_user(self.manager).action_cancel()
        self.assertEqual(action.state, "cancel")
        self.assertFalse(action.activity_ids)

    def test_origin_guarded(self):
        Action = self.env["aftersales.improvement.action"].with_user(self.agent)
        with self.assertRaises(AccessError):
            Action.create({"name": "Made up", "origin": "review", "review_id": self.review.id})
        review = self._reviewed()
        action = self.env["aftersales.improvement.action"].browse(review.action_create_improvement()["res_id"])
        for vals in ({"state": "done"}, {"origin": "ticket"}, {"review_id": False}, {"overdue_reminded": True}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                action.with_user(self.agent).write(vals)
        self.assertEqual((action.state, action.origin, action.review_id), ("open", "review", review))

    def _actions(self, count, deadline):
        vals = self.review._prepare_improvement_vals()
        Action = self.env["aftersales.improvement.action"]
        return Action.concat(
            *(Action._create_from_origin(dict(vals, name=f"Act {n}", date_deadline=deadline)) for n in range(count))
        )

    def test_overdue_reminder_once(self):
        """The daily cron reminds the responsible once per overdue action, with flat queries."""
        yesterday = fields.Date.today() - timedelta(days=1)
        Action = self.env["aftersales.improvement.action"]
        self._actions(1, yesterday)
        Action._cron_remind_overdue()  # warms the caches
        overdue = self.env.ref(OVERDUE_ACTIVITY)
        counts = []
        for count in (2, 6):
            actions = self._actions(count, yesterday)
            self._actions(1, fields.Date.today() + timedelta(days=3))
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            reminded = Action._cron_remind_overdue()
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(reminded, actions)
            for action in actions:
                self.assertEqual(
                    action.activity_ids.filtered(lambda a: a.activity_type_id == overdue).user_id, self.manager
                )
        self.assertEqual(counts[0], counts[1], "the reminders' queries do not grow with the overdue actions")
        self.assertFalse(Action._cron_remind_overdue(), "reminded once")
        self.assertEqual(Action.search_count([("is_overdue", "=", True), ("id", "in", actions.ids)]), 6)
        self.assertFalse(Action.search([("is_overdue", "=", False), ("id", "in", actions.ids)]))
        # a new deadline, passed again, is reminded again
        actions[0].with_user(self.manager).date_deadline = date.today() - timedelta(days=2)
        self.assertEqual(Action._cron_remind_overdue(), actions[0])
