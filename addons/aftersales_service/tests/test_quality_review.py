from datetime import date, datetime

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common_quality import APRIL, MAY, AftersalesQualityCommon

REVIEW_ACTIVITY = "aftersales_service.mail_activity_type_quality_review"


@tagged("post_install", "-at_install")
class TestQualityDraw(AftersalesQualityCommon):
    def _by_group(self, reviews):
        counts = {}
        for review in reviews:
            key = review.service_partner_id or review.branch_id
            counts[key] = counts.get(key, 0) + 1
        return counts

    def test_manager_draws_sample_per_branch_and_partner(self):
        """Two jobs of each branch's own and two of the service partner, copied from the jobs, given in turn to
        the customer-relations agents with an activity each."""
        reviews = self._draw(self.manager, date(2026, 5, 17))
        self.assertEqual(len(reviews), 6)
        self.assertEqual(self._by_group(reviews), {self.north: 2, self.south: 2, self.fixit: 2})
        self.assertEqual(set(reviews.mapped("period_start")), {MAY})
        self.assertEqual(set(reviews.mapped("state")), {"to_review"})
        self.assertEqual(set(reviews.mapped("method")), {"call"})
        for review in reviews:
            job = review.visit_id
            self.assertIn(job, self.may_north | self.may_south | self.may_fixit)
            self.assertEqual(
                (review.branch_id, review.service_partner_id, review.technician_id, review.ticket_id),
                (job.branch_id, job.service_partner_id, job.technician_id, job.ticket_id),
            )
            self.assertTrue(review.name.startswith("QR/"))
            self.assertEqual(review.activity_ids.activity_type_id, self.env.ref(REVIEW_ACTIVITY))
            self.assertEqual(review.activity_ids.user_id, review.user_id)
        self.assertEqual(reviews.user_id, self.reviewer_a | self.reviewer_b)
        self.assertEqual(len(reviews.filtered(lambda r: r.user_id == self.reviewer_a)), 3, "the agents take turns")
        self.assertEqual(reviews.filtered("service_partner_id").visit_id, reviews.visit_id & self.may_fixit)

    def test_sample_size_respected_all_when_fewer(self):
        """A size of 5: five of the North's seven jobs, all three of the South and all four of the partner's."""
        reviews = self._draw(self.manager, MAY, size=5)
        self.assertEqual(self._by_group(reviews), {self.north: 5, self.south: 3, self.fixit: 4})
        self.assertFalse(reviews.visit_id & self.april_north, "only the jobs done in the month")

    def test_no_job_twice_across_draws(self):
        """A second draw of the month tops the sample up and never takes a job twice; another month takes its own
        jobs; the database refuses a job drawn twice."""
        first = self._draw(self.manager, MAY)
        with self.assertRaisesRegex(UserError, "No job to draw"):
            self._draw(self.manager, MAY)
        second = self._draw(self.manager, MAY, size=4)
        self.assertFalse(first & second)
        self.assertFalse(first.visit_id & second.visit_id)
        self.assertEqual(self._by_group(first | second), {self.north: 4, self.south: 3, self.fixit: 4})
        april = self._draw(self.manager, APRIL)
        self.assertEqual(april.visit_id, self.april_north)
        # a cancelled review gives its place to another job, not to itself
        cancelled = first.filtered(lambda r: r.branch_id == self.south)[:1]
        cancelled.with_user(self.manager).write({"cancel_reason": "Customer moved abroad"})
        cancelled.with_user(self.manager).action_cancel()
        with self.assertRaisesRegex(UserError, "No job to draw"):
            self._draw(self.manager, MAY, size=4)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["aftersales.quality.review"].create(
                {"visit_id": first[0].visit_id.id, "period_start": MAY, "company_id": self.company.id}
            )

    def test_draw_refused_to_agents_and_future_months(self):
        # the reviews already drawn (the demo data's) stay as they are
        before = self.env["aftersales.quality.review"].search([("company_id", "=", self.company.id)])
        with self.assertRaises(AccessError):
            self._draw(self.reviewer_a, MAY)
        with self.assertRaises(AccessError):
            self.env["aftersales.quality.review"].with_user(self.reviewer_a)._draw_sample(self.company, MAY)
        with self.assertRaisesRegex(UserError, "not done yet"):
            self._draw(self.manager, date.today().replace(day=28).replace(year=date.today().year + 1))
        self.assertEqual(self.env["aftersales.quality.review"].search([("company_id", "=", self.company.id)]), before)

    def test_without_team_reviews_are_unassigned(self):
        self.company.aftersales_quality_team_id = False
        reviews = self._draw(self.manager, MAY)
        self.assertFalse(reviews.user_id)
        self.assertFalse(reviews.activity_ids)
        review = reviews[0].with_user(self.agent)
        review.action_assign_to_me()
        self.assertEqual(review.user_id, self.agent)
        self.assertEqual(review.activity_ids.user_id, self.agent)

    def test_cron_draws_month_just_ended_in_company_time_zone(self):
        """At 05:00 on June 1st in Shanghai the cron draws May; a job done at 20:00 UTC on May 31st was done on June
        1st in Shanghai and is not in May's sample."""
        self.company.partner_id.tz = "Asia/Shanghai"
        late = self._done_jobs(self.ticket_south, 1, datetime(2026, 5, 31, 20, 0), technician=self.ben)
        with freeze_time("2026-05-31 21:00:00"):
            reviews = self.env["aftersales.quality.review"]._cron_draw_previous_month()
        mine = reviews.filtered(lambda r: r.company_id == self.company)
        self.assertEqual(set(mine.mapped("period_start")), {MAY})
        self.assertEqual(self._by_group(mine), {self.north: 2, self.south: 2, self.fixit: 2})
        self.assertNotIn(late, mine.visit_id)

    def test_draw_queries_do_not_grow_with_jobs(self):
        """The draw reads the month's jobs at once: 3 jobs a group or 15, the same queries."""
        Review = self.env["aftersales.quality.review"].with_user(self.manager)
        few = datetime(2026, 2, 3, 9)
        many = datetime(2026, 3, 2, 9)
        for start, count in ((datetime(2026, 1, 5, 9), 3), (few, 3), (many, 15)):
            self._done_jobs(self.ticket_north, count, start, technician=self.tara)
            self._done_jobs(self.ticket_south, count, start, technician=self.ben)
            self._done_jobs(self.ticket_north, count, start, service_partner=self.fixit)
        Review._draw_sample(self.company, date(2026, 1, 1))  # warms the caches
        counts = []
        for month in (date(2026, 2, 1), date(2026, 3, 1)):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            reviews = Review._draw_sample(self.company, month)
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(len(reviews), 6)
        self.assertEqual(counts[0], counts[1], "the queries of a draw do not grow with the month's jobs")


@tagged("post_install", "-at_install")
class TestQualityReviewFlow(AftersalesQualityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        manager = cls.manager
        cls.reviews = (
            cls.env["aftersales.quality.review"].with_user(manager)._draw_sample(cls.company, MAY).with_env(cls.env)
        )
        cls.review = cls.reviews.filtered(lambda r: r.user_id == cls.reviewer_a)[0]

    def test_agent_reviews_someone_elses_draw(self):
        review = self.review.with_user(self.reviewer_a)
        self.assertEqual(review.create_uid, self.manager)
        with Form(review) as form:
            form.method = "inspection"
            form.score = 85
            form.findings = "<p>Clean work, the customer is happy.</p>"
        review.action_done()
        self.assertEqual((review.state, review.score, review.done_by_id), ("done", 85.0, self.reviewer_a))
        self.assertTrue(review.date_done)
        self.assertFalse(review.activity_ids, "the reviewer's activity is done")
        with self.assertRaises(AccessError):
            review.write({"score": 20})
        with self.assertRaisesRegex(UserError, "still to do"):
            review.action_done()

    def test_score_bounds_and_outcome_required(self):
        review = self.review.with_user(self.reviewer_a)
        for wrong in (120, -1, 100.5):
            with self.subTest(score=wrong), self.assertRaises(ValidationError), self.cr.savepoint():
                review.write({"score": wrong})
        with self.assertRaisesRegex(UserError, "score from 0 to 100"):
            review.action_done()
        review.score = 30
        with self.assertRaisesRegex(UserError, "needs findings"):
            review.action_done()
        self.assertEqual(review.state, "to_review")
        review.findings = "<p>The technician left without testing the drain.</p>"
        review.action_done()
        self.assertEqual((review.state, review.score), ("done", 30.0))
        zero = self.reviews.filtered(lambda r: r.user_id == self.reviewer_b)[0].with_user(self.reviewer_b)
        zero.findings = "<p>The job was never done: the customer fixed it himself.</p>"
        zero.action_done()
        self.assertEqual((zero.state, zero.score), ("done", 0.0))

    def test_cancel_by_managers_with_reason(self):
        review = self.review
        with self.assertRaises(AccessError):
            review.with_user(self.reviewer_a).action_cancel()
        with self.assertRaisesRegex(UserError, "Write why"):
            review.with_user(self.manager).action_cancel()
        review.with_user(self.manager).write({"cancel_reason": "Customer cannot be reached"})
        review.with_user(self.manager).action_cancel()
        self.assertEqual(review.state, "cancel")
        self.assertFalse(review.activity_ids)
        with self.assertRaisesRegex(UserError, "cancel them instead"):
            review.with_user(self.manager).unlink()
        self.assertTrue(review.exists())

    def test_guarded_fields_refused_to_each_role(self):
        review = self.review
        for user in (self.reviewer_a, self.manager):
            for vals in (
                {"state": "done"},
                {"date_done": "2026-06-01 10:00:00"},
                {"period_start": "2026-04-01"},
                {"visit_id": self.april_north[0].id},
                {"branch_id": self.south.id},
                {"technician_id": self.ben.id},
                {"service_partner_id": self.fixit.id},
                {"name": "QR/FAKE"},
            ):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    review.with_user(user).write(vals)
        self.assertEqual(review.state, "to_review")
        with self.assertRaises(AccessError):
            self.env["aftersales.quality.review"].with_user(self.reviewer_a).create(
                {"visit_id": self.april_north[0].id, "period_start": APRIL}
            )
        with self.assertRaises(AccessError):
            self.env["aftersales.quality.review"].with_user(self.manager).with_context(default_state="done").create(
                {"visit_id": self.april_north[0].id, "period_start": APRIL}
            )

    def test_who_sees_the_reviews(self):
        """Technicians, service partners and the portal see no review; nobody sees the reviews of their own jobs;
        a branch user sees the reviews of the branch's jobs only."""
        Review = self.env["aftersales.quality.review"]
        for user in (self.tara.user_id, self.fixit_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Review.with_user(user).search([])
        # an agent who also works as a technician does not see the reviews of their jobs
        self.ben.user_id.groups_id |= self.env.ref("aftersales_service.aftersales_service_group_user")
        seen = Review.with_user(self.ben.user_id).search([("id", "in", self.reviews.ids)])
        self.assertEqual(seen, self.reviews.filtered(lambda r: r.technician_id != self.ben))
        self.assertNotIn(self.ben.user_id, self.reviews.user_id)
        north_agent = new_test_user(
            self.env, login="as_q_north", groups="aftersales_service.aftersales_service_group_user"
        )
        north_agent.aftersales_branch_ids = self.north
        seen = Review.with_user(north_agent).search([("id", "in", self.reviews.ids)])
        self.assertEqual(seen, self.reviews.filtered(lambda r: r.branch_id == self.north))
        self.assertEqual(seen.service_partner_id, self.fixit, "the partner's jobs of the North's tickets too")
        self.assertEqual(Review.with_user(self.reviewer_a).search_count([("id", "in", self.reviews.ids)]), 6)


@tagged("post_install", "-at_install")
class TestQualityReviewRpc(AftersalesQualityCommon, HttpCase):
    def test_guarded_fields_over_rpc(self):
        review = self.env["aftersales.quality.review"].with_user(self.manager)._draw_sample(self.company, MAY)[0]
        self.authenticate(self.agent.login, self.agent.login)
        calls = [
            ("write", [review.ids, {"state": "done", "score": 90}]),
            ("write", [review.ids, {"branch_id": self.south.id}]),
            ("action_cancel", [review.ids]),
            ("unlink", [review.ids]),
            ("create", [{"visit_id": self.april_north[0].id, "period_start": "2026-04-01"}]),
        ]
        for method, args in calls:
            with (
                self.subTest(method=method, args=args),
                mute_logger("odoo.http"),
                self.assertRaises(JsonRpcException) as refusal,
            ):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {"model": "aftersales.quality.review", "method": method, "args": args, "kwargs": {}},
                )
            self.assertEqual(refusal.exception.args[0], "odoo.exceptions.AccessError")
        review.invalidate_recordset()
        self.assertEqual((review.state, review.score, review.branch_id), ("to_review", 0.0, review.visit_id.branch_id))
