from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    aftersales_quality_sample_size = fields.Integer(related="company_id.aftersales_quality_sample_size", readonly=False)
    aftersales_quality_method = fields.Selection(related="company_id.aftersales_quality_method", readonly=False)
    aftersales_quality_team_id = fields.Many2one(related="company_id.aftersales_quality_team_id", readonly=False)
