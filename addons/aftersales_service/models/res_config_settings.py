from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_csat_survey_id = fields.Many2one(related="company_id.aftersales_csat_survey_id", readonly=False)
    aftersales_csat_trigger = fields.Selection(related="company_id.aftersales_csat_trigger", readonly=False)
    aftersales_csat_deadline_days = fields.Integer(related="company_id.aftersales_csat_deadline_days", readonly=False)
    aftersales_csat_threshold = fields.Integer(related="company_id.aftersales_csat_threshold", readonly=False)
