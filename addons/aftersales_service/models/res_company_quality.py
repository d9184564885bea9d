from odoo import fields, models

from .aftersales_quality_review import QUALITY_REVIEW_METHODS


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    aftersales_quality_sample_size = fields.Integer(
        string="Quality Sample Size",
        default=5,
        help="How many done jobs of each branch and of each service partner are drawn each month for a quality "
        "review (all of them when there are fewer; 0 stops the monthly draw).",
    )
    aftersales_quality_method = fields.Selection(
        QUALITY_REVIEW_METHODS,
        string="Quality Review Method",
        default="call",
        help="How the drawn jobs are reviewed by default: a call to the customer or an inspection on site.",
    )
    aftersales_quality_team_id = fields.Many2one(
        "aftersales.team",
        string="Quality Review Team",
        check_company=True,
        help="The customer-relations team whose leader and members take the drawn reviews in turn. Without a "
        "team the reviews are left unassigned and the agents take them.",
    )
