from odoo import _, api, fields, models

QUALITY_REVIEW_STATES = [
    ("to_review", "To Review"),
    ("done", "Reviewed"),
    ("cancel", "Cancelled"),
]

QUALITY_REVIEW_METHODS = [
    ("call", "Call to the Customer"),
    ("inspection", "Inspection on Site"),
]


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
    method = fields.Selection(QUALITY_REVIEW_METHODS, required=True, default="call")
    user_id = fields.Many2one(
        "res.users",
        string="Reviewer",
        index="btree_not_null",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    state = fields.Selection(QUALITY_REVIEW_STATES, required=True, default="to_review", index=True, copy=False)
    date_done = fields.Datetime(string="Reviewed on", readonly=True, copy=False)
    score = fields.Float(
        digits=(16, 1),
        aggregator="avg",
        copy=False,
        help="The quality of the job found by the review, from 0 (poor) to 100 (excellent).",
    )
    findings = fields.Html(copy=False)

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"state", "date_done", "period_start", "visit_id"}
