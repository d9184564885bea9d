import random

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, html2plaintext

from ..tools.periods import company_tz, utc_period_bounds

QUALITY_REVIEW_STATES = [
    ("to_review", "To Review"),
    ("done", "Reviewed"),
    ("cancel", "Cancelled"),
]

QUALITY_REVIEW_METHODS = [
    ("call", "Call to the Customer"),
    ("inspection", "Inspection on Site"),
]

# below this score, the reviewer says what was wrong
LOW_SCORE = 50.0

REVIEW_ACTIVITY = "aftersales_service.mail_activity_type_quality_review"


class AftersalesQualityReview(models.Model):
    """A done job drawn at random for a quality review: a call to its customer or an inspection, with a
    score and findings that feed the monthly scorecard of its branch, service partner and technician."""

    _name = "aftersales.quality.review"
    _description = "Quality Review"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "period_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index="trigram", default=lambda self: _("New")
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    period_start = fields.Date(
        string="Month",
        required=True,
        index=True,
        help="The first day of the month whose done jobs the review was drawn from.",
    )
    visit_id = fields.Many2one(
        "aftersales.visit", string="Job", required=True, index=True, check_company=True, ondelete="restrict"
    )
    ticket_id = fields.Many2one(related="visit_id.ticket_id", store=True, index="btree_not_null")
    partner_id = fields.Many2one(related="visit_id.partner_id", string="Customer")
    partner_phone = fields.Char(related="visit_id.partner_id.phone", string="Phone")
    job_done_on = fields.Datetime(related="visit_id.check_out", string="Job Done on")
    work_report = fields.Html(related="visit_id.work_report", string="Work Report")
    branch_id = fields.Many2one(
        "aftersales.branch",
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
        help="The branch of the job when it was drawn.",
    )
    service_partner_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        ondelete="restrict",
        help="The service partner who did the job, if an outside company did it.",
    )
    technician_id = fields.Many2one(
        "aftersales.technician", index="btree_not_null", check_company=True, ondelete="restrict"
    )
    method = fields.Selection(QUALITY_REVIEW_METHODS, required=True, default="call", tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Reviewer",
        index="btree_not_null",
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    state = fields.Selection(
        QUALITY_REVIEW_STATES,
        required=True,
        default="to_review",
        index=True,
        copy=False,
        tracking=True,
        group_expand="_expand_states",
    )
    date_done = fields.Datetime(string="Reviewed on", readonly=True, copy=False)
    done_by_id = fields.Many2one("res.users", string="Reviewed by", readonly=True, copy=False)
    score = fields.Float(
        digits=(16, 1),
        aggregator="avg",
        copy=False,
        tracking=True,
        help="The quality of the job found by the review, from 0 (poor) to 100 (excellent).",
    )
    findings = fields.Html(copy=False)
    cancel_reason = fields.Text(copy=False, tracking=True, help="Why the job is not reviewed; required to cancel.")
    improvement_action_ids = fields.One2many("aftersales.improvement.action", "review_id", string="Improvement Actions")
    improvement_action_count = fields.Integer(compute="_compute_improvement_action_count")

    _sql_constraints = [
        # a job is drawn once, whatever the month and whoever draws
        ("visit_uniq", "unique(visit_id)", "This job has already been drawn for a quality review."),
    ]

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends("improvement_action_ids")
    def _compute_improvement_action_count(self):
        for review in self:
            review.improvement_action_count = len(review.improvement_action_ids)

    def _expand_states(self, states, domain):
        """The kanban shows the columns in the flow's order, the cancelled one when it has cards."""
        return [key for key, __ in QUALITY_REVIEW_STATES if key != "cancel" or key in states]

    @api.constrains("score")
    def _check_score(self):
        for review in self:
            if not 0.0 <= review.score <= 100.0:
                raise ValidationError(
                    _(
                        "The score of review %(name)s must be between 0 and 100, not %(score)s.",
                        name=review.name,
                        score=review.score,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        # drawn by the sample (job, month and who did it are copied from the job), closed by the actions
        return super()._guarded_fields() | {
            "name",
            "state",
            "date_done",
            "done_by_id",
            "period_start",
            "visit_id",
            "branch_id",
            "service_partner_id",
            "technician_id",
        }

    def _locked_records(self):
        return self.filtered(lambda review: review.state != "to_review")

    def _lock_refusal(self, field_names):
        return self._closed_refusal(field_names)

    @api.model_create_multi
    def create(self, vals_list):
        self._guard_check_create(vals_list)
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("aftersales.quality.review") or _("New")
        with self._unguard("name"):
            reviews = super().create(vals_list)
        reviews.filtered("user_id")._schedule_review_activity()
        return reviews

    def write(self, vals):
        result = super().write(vals)
        if "user_id" in vals:
            open_reviews = self.filtered(lambda r: r.state == "to_review")
            open_reviews.activity_unlink([REVIEW_ACTIVITY])
            open_reviews.filtered("user_id")._schedule_review_activity()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_drawn(self):
        raise UserError(_("Quality reviews are part of the monthly scorecard: cancel them instead of deleting them."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_assign_to_me(self):
        self._check_state("to_review", _("Only reviews still to do can be taken: %(reviews)s"))
        self.write({"user_id": self.env.user.id})
        return True

    def action_done(self):
        """Record the outcome: a score from 0 to 100 (0 and the low scores with findings that explain them)."""
        self._check_state("to_review", _("Only reviews still to do can be recorded: %(reviews)s"))
        for review in self:
            has_findings = bool(html2plaintext(review.findings or "").strip())
            if not review.score and not has_findings:
                raise UserError(
                    _(
                        "Give job %(job)s a score from 0 to 100 before closing review %(name)s "
                        "(a score of 0 needs findings that explain it).",
                        job=review.visit_id.name,
                        name=review.name,
                    )
                )
            if review.score < LOW_SCORE and not has_findings:
                raise UserError(
                    _(
                        "A score below %(low)s needs findings: write what was wrong with job %(job)s.",
                        low=int(LOW_SCORE),
                        job=review.visit_id.name,
                    )
                )
        with self._unguard("state", "date_done", "done_by_id"):
            self.write({"state": "done", "date_done": fields.Datetime.now(), "done_by_id": self.env.user.id})
        self.activity_feedback([REVIEW_ACTIVITY])
        return True

    def action_cancel(self):
        """Managers cancel a review (the customer cannot be reached, the job was wrongly drawn) with a reason;
        the next draw of the month takes another job in its place."""
        self._check_manager()
        self._check_state("to_review", _("Only reviews still to do can be cancelled: %(reviews)s"))
        missing = self.filtered(lambda r: not (r.cancel_reason or "").strip())
        if missing:
            raise UserError(
                _(
                    "Write why the job is not reviewed before cancelling %(reviews)s.",
                    reviews=", ".join(missing.mapped("name")),
                )
            )
        with self._unguard("state"):
            self.write({"state": "cancel"})
        self.activity_unlink([REVIEW_ACTIVITY])
        return True

    def action_create_improvement(self):
        """An improvement action from the review's findings, for the branch or service partner of the job."""
        self.ensure_one()
        if self.state != "done":
            raise UserError(_("Record the review's outcome before starting an improvement action from it."))
        if not html2plaintext(self.findings or "").strip():
            raise UserError(_("Review %(name)s has no findings to act on.", name=self.name))
        action = self.env["aftersales.improvement.action"]._create_from_origin(self._prepare_improvement_vals())
        return action._get_form_action()

    def _prepare_improvement_vals(self):
        self.ensure_one()
        responsible = self.company_id._aftersales_responsible_user(branch=self.branch_id)
        return {
            "name": _("Improve after review %(name)s", name=self.name),
            "origin": "review",
            "review_id": self.id,
            "ticket_id": self.ticket_id.id,
            "company_id": self.company_id.id,
            "branch_id": self.branch_id.id,
            "service_partner_id": self.service_partner_id.id,
            "user_id": responsible.id,
            "description": self.findings,
        }

    def action_view_improvement_actions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_improvement_action_action"
        )
        action["domain"] = [("review_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # The monthly draw
    # ------------------------------------------------------------------

    @api.model
    def _draw_sample(self, company, period_start, size=None, method=None):
        """Draw the reviews of ``company``'s done jobs of the month starting ``period_start``: for each branch,
        ``size`` jobs its own technicians did; for each service partner, ``size`` of its jobs (all when fewer).
        A draw tops up: reviews already drawn for the month (not cancelled) count toward the sample, and no
        job is ever drawn twice. The queries do not grow with the number of jobs.

        Run by the cron (superuser) or by the Draw a Sample wizard (managers): the jobs are those the
        drawing user sees, so a regional manager draws the jobs of the region.
        """
        if not self.env.su:
            self._check_manager()
        period_start = period_start.replace(day=1)
        size = company.aftersales_quality_sample_size if size is None else size
        method = method or company.aftersales_quality_method or "call"
        if size <= 0:
            return self.browse()
        start, end = utc_period_bounds(
            self.env, period_start, period_start + relativedelta(months=1, days=-1), company_tz(company)
        )
        # sudo: which jobs were ever drawn, and how many this month, whoever can see them
        Reviews = self.sudo()
        drawn_jobs = Reviews._search([])
        jobs = self.env["aftersales.visit"].search_fetch(
            [
                ("company_id", "=", company.id),
                ("state", "=", "done"),
                ("check_out", ">=", start),
                ("check_out", "<", end),
                ("id", "not in", drawn_jobs.subselect(SQL.identifier(drawn_jobs.table, "visit_id"))),
            ],
            ["branch_id", "service_partner_id", "technician_id", "technician_user_id"],
            order="id",
        )
        drawn = {
            (branch.id, partner.id): count
            for branch, partner, count in Reviews._read_group(
                [("company_id", "=", company.id), ("period_start", "=", period_start), ("state", "!=", "cancel")],
                ["branch_id", "service_partner_id"],
                ["__count"],
            )
        }
        # the populations: the branch's own jobs, and each service partner's jobs (wherever they were done)
        groups = {}
        for job in jobs:
            key = (False, job.service_partner_id.id) if job.service_partner_id else (job.branch_id.id, False)
            groups.setdefault(key, []).append(job)
        already = {}
        for (branch_id, partner_id), count in drawn.items():
            key = (False, partner_id) if partner_id else (branch_id, False)
            already[key] = already.get(key, 0) + count
        rng = random.SystemRandom()
        picked = []
        for key in sorted(groups, key=lambda k: (k[0] or 0, k[1] or 0)):
            wanted = size - already.get(key, 0)
            if wanted > 0:
                population = groups[key]
                picked += rng.sample(population, min(wanted, len(population)))
        if not picked:
            return self.browse()
        reviewers = self._draw_reviewers(company)
        vals_list = []
        for index, job in enumerate(sorted(picked, key=lambda j: j.id)):
            vals = self._prepare_draw_vals(job, period_start, method)
            # nobody reviews their own job (they cannot see its review)
            candidates = [user for user in reviewers if user.id != job.technician_user_id.id]
            if candidates:
                vals["user_id"] = candidates[index % len(candidates)].id
            vals_list.append(vals)
        with self._unguard():
            return self.create(vals_list)

    @api.model
    def _prepare_draw_vals(self, job, period_start, method):
        return {
            "company_id": job.company_id.id,
            "period_start": period_start,
            "visit_id": job.id,
            "branch_id": job.branch_id.id,
            "service_partner_id": job.service_partner_id.id,
            "technician_id": job.technician_id.id,
            "method": method,
        }

    @api.model
    def _draw_reviewers(self, company):
        """The agents of the company's quality review team (its leader and members) who take the reviews in
        turn; without a team, the reviews are left unassigned for agents to take."""
        team = company.sudo().aftersales_quality_team_id
        users = (team.user_id | team.member_ids).sorted("id")
        return [user.with_env(self.env) for user in users if company._aftersales_is_real_user(user)]

    @api.model
    def _cron_draw_previous_month(self):
        """On the first of the month, the sample of the month just ended, in each company's time zone."""
        reviews = self.browse()
        for company in self.env["res.company"].search([("aftersales_quality_sample_size", ">", 0)]):
            now = fields.Datetime.context_timestamp(self.with_context(tz=company_tz(company)), fields.Datetime.now())
            last_month = now.date().replace(day=1) - relativedelta(months=1)
            reviews |= self._draw_sample(company, last_month)
        return reviews

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _check_state(self, state, message):
        wrong = self.filtered(lambda r: r.state != state)
        if wrong:
            raise UserError(message % {"reviews": ", ".join(wrong.mapped("name"))})

    def _check_manager(self):
        if not self.env.user.has_group("aftersales_service.aftersales_service_group_manager"):
            raise AccessError(_("Only after-sales managers can draw samples and cancel quality reviews."))

    def _schedule_review_activity(self):
        for review in self:
            review.activity_schedule(
                REVIEW_ACTIVITY,
                date_deadline=fields.Date.context_today(review) + relativedelta(days=7),
                user_id=review.user_id.id,
                note=_(
                    "Review job %(job)s of %(customer)s (%(method)s).",
                    job=review.visit_id.name,
                    customer=review.partner_id.name or "",
                    method=dict(QUALITY_REVIEW_METHODS)[review.method],
                ),
            )
