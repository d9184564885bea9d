import base64
import io
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common_scorecard import AftersalesScorecardCommon

try:
    import openpyxl
except ImportError:  # pragma: no cover - openpyxl comes with Odoo's requirements
    openpyxl = None


@tagged("post_install", "-at_install")
class TestScorecard(AftersalesScorecardCommon):
    """The manager scores June 2025: figures that match the tickets, roll-up, ranking."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dispatcher = new_test_user(
            cls.env,
            login="sc_dispatcher",
            name="Dina Dispatcher",
            groups="aftersales_service.aftersales_service_group_dispatcher",
        )
        # the regional manager of the North: an agent of the North branch
        cls.north_agent = new_test_user(
            cls.env,
            login="sc_north_agent",
            name="Nora North",
            groups="aftersales_service.aftersales_service_group_user",
        )
        cls.north_agent.aftersales_branch_ids = cls.north

    def _compute(self):
        self.scorecard.with_user(self.manager).action_compute()

    def test_figures_match_tickets(self):
        self._compute()
        n1 = self._line(self.n1)
        self.assertEqual(len(n1), 1)
        self.assertRecordValues(
            n1,
            [
                {
                    "job_count": 3,
                    "ticket_count": 2,
                    "sla_response_rate": 50.0,
                    "sla_arrival_rate": 50.0,
                    "sla_resolution_rate": 50.0,
                    "first_time_fix_rate": 50.0,
                    "rework_count": 1,
                    "csat_score": 4.0,
                    "rated_count": 2,
                    "complaint_count": 1,
                    "complaint_rate": 50.0,
                    "revenue": 200.0,
                    "cost_total": 80.0,
                    "quality_score": 80.0,
                    "review_count": 1,
                    "branch_type": "service_point",
                    "subject_name": self.n1.display_name,
                }
            ],
        )
        self.assertEqual(n1.rework_rate, 33.3)
        self.assertEqual(n1.cost_per_job, 26.67)
        # two measures weighed: first-time fix 50% of 100, CSAT 4 of 5 (80%)
        self.assertEqual(n1.achievements, {"first_time_fix": 50.0, "csat": 80.0})
        self.assertEqual(n1.score, 65.0)
        s1 = self._line(self.s1)
        self.assertRecordValues(
            s1,
            [
                {
                    "job_count": 2,
                    "sla_response_rate": 50.0,
                    "sla_resolution_rate": 100.0,
                    "first_time_fix_rate": 100.0,
                    "csat_score": 5.0,
                    "rated_count": 1,
                    "complaint_count": 0,
                    "sla_arrival_rate": 0.0,  # no job had a time agreed: not judged
                    "score": 100.0,
                }
            ],
        )
        # a technician without rating is scored on the measures that apply
        cid = self._line(self.cid)
        self.assertEqual(cid.achievements, {"first_time_fix": 100.0})
        self.assertEqual(cid.score, 100.0)
        self.assertEqual(cid.branch_id, self.s1)
        fixit = self._line(self.fixit)
        self.assertRecordValues(fixit, [{"job_count": 1, "revenue": 100.0, "score": 100.0, "rank": 1}])
        self.assertFalse(self._line(self.other_point), "no job, no line")
        self.assertEqual(self.scorecard.job_count, 6, "the July visit and the cancelled one are not counted")

    def test_rollup_and_ranking(self):
        self._compute()
        north, points = self._line(self.north), self._line(self.n1) | self._line(self.n2)
        self.assertEqual(north.job_count, sum(points.mapped("job_count")))
        self.assertEqual(north.revenue, sum(points.mapped("revenue")))
        self.assertEqual(north.cost_total, sum(points.mapped("cost_total")))
        self.assertEqual(north.complaint_count, sum(points.mapped("complaint_count")))
        self.assertEqual(north.ticket_count, 3)
        self.assertEqual(north.first_time_fix_rate, 66.7)
        self.assertEqual(north.csat_score, 4.0)
        self.assertEqual(north.quality_score, 70.0)
        self.assertEqual(north.score, 73.3)
        hq = self._line(self.hq)
        self.assertEqual(hq.job_count, 6)
        self.assertEqual(hq.first_time_fix_rate, 80.0)
        self.assertEqual(hq.csat_score, 4.25)
        self.assertEqual(hq.score, 82.5)
        # ranked among the subjects of the same kind, branches among those of their type
        ranks = {line.subject_name: line.rank for line in self.scorecard.line_ids}
        self.assertEqual(
            ranks,
            {
                self.hq.display_name: 1,
                self.south.display_name: 1,
                self.north.display_name: 2,
                self.s1.display_name: 1,
                self.n2.display_name: 2,
                self.n1.display_name: 3,
                "Cid": 1,
                "Bob": 2,
                "Amy": 3,
                "Fix-It Point": 1,
            },
        )

    def test_recompute_replaces_lines(self):
        self._compute()
        old_lines = self.scorecard.line_ids
        self.env["aftersales.quality.review"].create(self._review_vals(self.visits[5], "done", 100.0))
        self._compute()
        self.assertFalse(old_lines.exists())
        self.assertEqual(self._line(self.fixit).quality_score, 100.0)
        self.assertEqual(len(self.scorecard.line_ids), len(old_lines))

    def test_equal_scores_share_rank(self):
        lines = [
            {"kind": "technician", "score": 90.0, "job_count": 2, "subject_name": "A"},
            {"kind": "technician", "score": 90.0, "job_count": 2, "subject_name": "B"},
            {"kind": "technician", "score": 90.0, "job_count": 3, "subject_name": "C"},
            {"kind": "technician", "score": 50.0, "job_count": 9, "subject_name": "D"},
        ]
        self.env["aftersales.scorecard"]._rank(lines)
        self.assertEqual([line["rank"] for line in lines], [2, 2, 1, 4])

    def test_achievement_lower_is_better(self):
        rework = self.env["aftersales.scorecard.measure"].search(
            [("company_id", "=", self.company.id), ("code", "=", "rework")]
        )
        self.assertFalse(rework.higher_is_better)
        Scorecard = self.env["aftersales.scorecard"]
        rework.target = 5.0
        self.assertEqual(Scorecard._achievement(4.0, rework), 100.0)
        self.assertEqual(Scorecard._achievement(20.0, rework), 25.0)
        csat = rework.search([("company_id", "=", self.company.id), ("code", "=", "csat")])
        self.assertEqual(Scorecard._achievement(5.5, csat), 100.0, "no more than the full score")

    def test_measures_for_new_company(self):
        company = self.env["res.company"].create({"name": "Scorecard Newco"})
        measures = self.env["aftersales.scorecard.measure"].search([("company_id", "=", company.id)])
        self.assertIn("quality", measures.mapped("code"))
        self.assertIn("sla_arrival", measures.mapped("code"))
        # the managers set weights and targets; the others only read them
        measure = self.env["aftersales.scorecard.measure"].search(
            [("company_id", "=", self.company.id), ("code", "=", "revenue")]
        )
        measure.with_user(self.manager).write({"weight": 3.0, "target": 8000.0})
        self.assertEqual(measure.weight, 3.0)
        with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_model"):
            measure.with_user(self.dispatcher).weight = 4.0
        self.assertEqual(measure.with_user(self.agent).target, 8000.0)

    def test_lock(self):
        self._compute()
        card = self.scorecard.with_user(self.manager)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.scorecard.with_user(self.dispatcher).action_lock()
        card.action_lock()
        self.assertRecordValues(card, [{"state": "locked", "locked_by_id": self.manager.id}])
        lines = card.line_ids
        scores = lines.mapped("score")
        with self.assertRaisesRegex(UserError, "is locked"):
            card.action_compute()
        with self.assertRaises(AccessError):
            lines[0].write({"score": 1.0})
        with self.assertRaises(AccessError):
            lines[0].write({"subject_name": "Renamed"})
        with self.assertRaises(AccessError):
            lines[0].unlink()
        with self.assertRaises(AccessError):
            card.write({"state": "draft"})
        with self.assertRaises(AccessError):
            card.write({"period_start": date(2025, 7, 1)})
        with self.assertRaises(UserError):
            card.unlink()
        self.assertEqual(lines.exists().mapped("score"), scores)
        # unlocking asks why, and the audit log keeps it
        action = card.action_unlock()
        self.assertEqual(action["res_model"], "aftersales.audit.reason")
        self.assertEqual(card.state, "locked")
        wizard = Form(self.env["aftersales.audit.reason"].with_user(self.manager).with_context(**action["context"]))
        wizard.reason = "A complaint was filed on the wrong ticket"
        wizard.save().action_confirm()
        self.assertEqual(card.state, "draft")
        log = self.env["aftersales.audit.log"].search([("action", "=", "scorecard_unlocked"), ("res_id", "=", card.id)])
        self.assertEqual(log.reason, "A complaint was filed on the wrong ticket")
        self.assertEqual(log.user_id, self.manager)

    def test_guarded_fields(self):
        self._compute()
        line = self._line(self.n1).with_user(self.manager)
        for vals in ({"score": 99.0}, {"rank": 1}, {"job_count": 50}, {"achievements": {}}):
            with self.assertRaises(AccessError):
                line.write(vals)
        with self.assertRaises(AccessError):
            line.unlink()
        with self.assertRaises(AccessError):
            self.env["aftersales.scorecard.line"].with_user(self.manager).create(
                {"scorecard_id": self.scorecard.id, "kind": "partner", "subject_name": "Fake", "score": 100.0}
            )
        with self.assertRaises(AccessError):
            self.scorecard.with_user(self.manager).write({"state": "locked"})
        with self.assertRaises(AccessError):
            self.scorecard.with_user(self.manager).write({"line_ids": [Command.clear()]})
        # the others cannot even write
        for user in (self.dispatcher, self.agent):
            with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_model"):
                self._line(self.n1).with_user(user).write({"score": 99.0})
            with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_model"):
                self.scorecard.with_user(user).action_compute()
        self.assertEqual(self._line(self.n1).score, 65.0)

    def test_branch_user_sees_subtree(self):
        self._compute()
        Line = self.env["aftersales.scorecard.line"].with_user(self.north_agent)
        seen = Line.search([("scorecard_id", "=", self.scorecard.id)])
        self.assertEqual(
            set(seen.mapped("subject_name")),
            {self.north.display_name, self.n1.display_name, self.n2.display_name, "Amy", "Bob"},
        )
        # headquarters (no branch) see every line
        everything = (
            self.env["aftersales.scorecard.line"]
            .with_user(self.dispatcher)
            .search([("scorecard_id", "=", self.scorecard.id)])
        )
        self.assertEqual(everything, self.scorecard.line_ids)

    def test_excel(self):
        self._compute()
        action = self.scorecard.with_user(self.dispatcher).action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        data = base64.b64decode(attachment.datas)
        self.assertEqual(data[:2], b"PK")
        if openpyxl is None:
            return
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        self.assertEqual(workbook.sheetnames, ["Branch", "Service Partner", "Technician"])
        rows = list(workbook["Technician"].iter_rows(values_only=True))
        header = rows[0]
        by_name = {row[header.index("Subject")]: row for row in rows[1:]}
        self.assertEqual(set(by_name), {"Amy", "Bob", "Cid"})
        self.assertEqual(by_name["Amy"][header.index("Jobs")], 3)
        self.assertEqual(by_name["Amy"][header.index("Rank")], 3)
        self.assertEqual(by_name["Amy"][header.index("Score")], 65.0)

    def test_cron_scores_last_month(self):
        self.env["aftersales.scorecard"]._cron_compute_last_month()
        card = self.env["aftersales.scorecard"].search(
            [("company_id", "=", self.company.id)], order="period_start desc", limit=1
        )
        self.assertEqual(card.period_start, date.today().replace(day=1) - relativedelta(months=1))
        self.assertTrue(card.computed_date)

    def test_query_count_flat(self):
        """Computing a month costs the same number of queries with twice the jobs and subjects."""
        queries_before = self._count_compute_queries()
        # as many jobs again, for new technicians, branches and a service partner
        extra_point = self.env["aftersales.branch"].create(
            {"name": "North Three", "code": "SC-N3", "parent_id": self.north.id}
        )
        user = new_test_user(self.env, login="sc_dan", groups="aftersales_service.aftersales_service_group_technician")
        dan = self.env["aftersales.technician"].create(
            {"user_id": user.id, "resource_calendar_id": self.calendar.id, "branch_id": extra_point.id}
        )
        tickets = self._scorecard_tickets(
            [(extra_point, (day, 8), (day, 9), (day, 12), (day, 10), (day + 1, 8), 4) for day in range(10, 20)]
        )
        self._scorecard_visits(
            [(ticket, dan, 10 + index, 10, (9, 11), True, None) for index, ticket in enumerate(tickets)]
        )
        self._scorecard_visits(
            [(ticket, None, 10 + index, 14, None, True, self.other_point) for index, ticket in enumerate(tickets)]
        )
        self.env["aftersales.ticket"]._fill_kpi_columns(tickets.ids)
        self._rate_tickets()
        queries_after = self._count_compute_queries()
        self.assertEqual(self.scorecard.job_count, 26)
        self.assertEqual(len(self.scorecard.line_ids), 13)
        # 26 more jobs and 3 more subjects: the same queries (one either way, from the ORM's caches, seen in
        # both directions from one run to the next)
        self.assertLessEqual(abs(queries_after - queries_before), 1)
        self.assertLess(queries_after, 40)

    def _count_compute_queries(self):
        """The queries of computing the month again, the caches warmed up by a first computation."""
        card = self.scorecard.with_user(self.manager)
        for _warm_up in range(2):
            card.action_compute()
            self.env.flush_all()
        self.env.invalidate_all()
        # what the fixtures left to do at commit (tracking of the tickets made above) is not the computation's
        self.env.cr.flush()
        start = self.cr.sql_log_count
        card.action_compute()
        self.env.flush_all()
        return self.cr.sql_log_count - start
