from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.aftersales_quality_review import QUALITY_REVIEW_METHODS


class AftersalesQualityDraw(models.TransientModel):
    _name = "aftersales.quality.draw"
    _description = "Draw a Quality Sample"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    month = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1) - relativedelta(months=1),
        help="Any day of the month whose done jobs are sampled.",
    )
    sample_size = fields.Integer(
        compute="_compute_from_company",
        store=True,
        readonly=False,
        help="Jobs drawn for each branch and each service partner (all when there are fewer). The reviews "
        "already drawn for the month count toward it.",
    )
    method = fields.Selection(QUALITY_REVIEW_METHODS, compute="_compute_from_company", store=True, readonly=False)

    @api.depends("company_id")
    def _compute_from_company(self):
        for wizard in self:
            wizard.sample_size = wizard.company_id.aftersales_quality_sample_size
            wizard.method = wizard.company_id.aftersales_quality_method or "call"

    def action_draw(self):
        self.ensure_one()
        Reviews = self.env["aftersales.quality.review"]
        Reviews._check_manager()
        if self.sample_size <= 0:
            raise UserError(_("Draw at least one job for each branch and service partner."))
        first = self.month.replace(day=1)
        if first > fields.Date.context_today(self):
            raise UserError(_("The jobs of %(month)s are not done yet.", month=first.strftime("%m/%Y")))
        reviews = Reviews._draw_sample(self.company_id, first, size=self.sample_size, method=self.method)
        if not reviews:
            raise UserError(
                _(
                    "No job to draw in %(month)s: every done job of the month is already in the sample, "
                    "or none was done.",
                    month=first.strftime("%m/%Y"),
                )
            )
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_quality_review_action")
        action["domain"] = [("id", "in", reviews.ids)]
        action["context"] = {}
        return action
