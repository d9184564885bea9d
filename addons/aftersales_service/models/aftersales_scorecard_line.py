from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .aftersales_branch import BRANCH_TYPES

SCORECARD_KINDS = [
    ("branch", "Branch"),
    ("partner", "Service Partner"),
    ("technician", "Technician"),
]

# the figures of a line and the measure each one scores; other addons add theirs
LINE_FIGURES = (
    "job_count",
    "ticket_count",
    "sla_response_rate",
    "sla_arrival_rate",
    "sla_resolution_rate",
    "first_time_fix_rate",
    "rework_count",
    "rework_rate",
    "csat_score",
    "rated_count",
    "complaint_count",
    "complaint_rate",
    "cost_total",
    "cost_per_job",
    "revenue",
    "quality_score",
    "review_count",
)


class AftersalesScorecardLine(models.Model):
    """One subject of a monthly scorecard (a branch, a service partner or a technician): its figures, its
    achievement of each measure's target, its weighted score and its rank among the subjects of its kind.

    Lines are written by the scorecard's Compute action only; a locked month's lines no longer change.
    """

    _name = "aftersales.scorecard.line"
    _description = "Scorecard Line"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "period_start desc, kind, branch_type, rank, id"
    _rec_name = "subject_name"
    _check_company_auto = True

    scorecard_id = fields.Many2one("aftersales.scorecard", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="scorecard_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_start = fields.Date(related="scorecard_id.period_start", string="Month", store=True, index=True)
    state = fields.Selection(related="scorecard_id.state", store=True, string="Scorecard Status")
    kind = fields.Selection(SCORECARD_KINDS, required=True, index=True)
    subject_name = fields.Char(string="Subject", required=True)
    branch_id = fields.Many2one(
        "aftersales.branch",
        index="btree_not_null",
        ondelete="restrict",
        help="The branch scored (a branch's line), or the technician's branch.",
    )
    branch_type = fields.Selection(BRANCH_TYPES)
    service_partner_id = fields.Many2one("res.partner", index="btree_not_null")
    technician_id = fields.Many2one("aftersales.technician", index="btree_not_null", ondelete="restrict")
    job_count = fields.Integer(string="Jobs", help="Visits done in the month (for a branch, in its whole subtree).")
    ticket_count = fields.Integer(string="Tickets", help="The tickets of these jobs.")
    sla_response_rate = fields.Float(
        string="Response on Time (%)", aggregator="avg", digits=(16, 1), help="Tickets answered by their deadline."
    )
    sla_arrival_rate = fields.Float(
        string="Arrival on Time (%)",
        aggregator="avg",
        digits=(16, 1),
        help="Jobs with a time agreed with the customer started by its end.",
    )
    sla_resolution_rate = fields.Float(
        string="Resolved on Time (%)", aggregator="avg", digits=(16, 1), help="Tickets closed by their deadline."
    )
    first_time_fix_rate = fields.Float(
        string="First-Time Fix (%)",
        aggregator="avg",
        digits=(16, 1),
        help="Closed tickets solved by one visit, never reopened, not reported again within the revisit window.",
    )
    rework_count = fields.Integer(
        string="Re-work", help="Jobs followed by a repair of the same unit within the window."
    )
    rework_rate = fields.Float(string="Re-work Rate (%)", aggregator="avg", digits=(16, 1))
    csat_score = fields.Float(string="CSAT", aggregator="avg", digits=(3, 2), help="Average rating (1 to 5).")
    rated_count = fields.Integer(string="Rated Tickets")
    complaint_count = fields.Integer(string="Complaints", help="Complaints opened about the tickets of these jobs.")
    complaint_rate = fields.Float(string="Complaint Rate (%)", aggregator="avg", digits=(16, 1))
    cost_total = fields.Monetary(string="Cost", help="The cost of the jobs' lines and parts.")
    cost_per_job = fields.Monetary(string="Average Cost per Job", aggregator="avg")
    revenue = fields.Monetary(help="The billed fees of the jobs (goodwill and presold lines excluded).")
    quality_score = fields.Float(
        aggregator="avg", digits=(16, 1), help="Average score of the month's done quality reviews."
    )
    review_count = fields.Integer(string="Quality Reviews")
    achievements = fields.Json(help="Each measure's achievement of its target (%), by measure code.")
    achievement_summary = fields.Text(compute="_compute_achievement_summary")
    score = fields.Float(
        aggregator="avg",
        digits=(16, 1),
        help="The weighted average of the measures' achievements (0 to 100), over the measures that apply.",
    )
    rank = fields.Integer(
        aggregator="min",
        help="The place of the subject among the subjects of its kind (branches among branches of the same type).",
    )

    @api.depends("achievements")
    def _compute_achievement_summary(self):
        measures = dict(self.env["aftersales.scorecard.measure"]._fields["code"]._description_selection(self.env))
        for line in self:
            line.achievement_summary = "\n".join(
                f"{measures.get(code, code)}: {value:.0f}%" for code, value in (line.achievements or {}).items()
            )

    @api.model
    def _guarded_fields(self):
        return (
            super()._guarded_fields()
            | set(self._figure_fields())
            | {
                "scorecard_id",
                "kind",
                "subject_name",
                "branch_id",
                "branch_type",
                "service_partner_id",
                "technician_id",
                "achievements",
                "score",
                "rank",
            }
        )

    @api.model
    def _figure_fields(self):
        return LINE_FIGURES

    def _locked_records(self):
        return self.filtered(lambda line: line.scorecard_id.state == "locked")

    def _lock_refusal(self, field_names):
        return AccessError(
            _(
                "The scorecard of %(month)s is locked: its lines no longer change.",
                month=", ".join(sorted({str(line.period_start) for line in self})),
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_by_compute_only(self):
        if self.env.su or self._unguarded_fields() is None:
            return
        raise AccessError(_("Scorecard lines are removed only by computing their month again."))
