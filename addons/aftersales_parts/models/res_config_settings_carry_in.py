from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    aftersales_notify_carry_in_ready = fields.Boolean(
        related="company_id.aftersales_notify_carry_in_ready", readonly=False
    )
    aftersales_collect_days = fields.Integer(related="company_id.aftersales_collect_days", readonly=False)
    aftersales_carry_in_hours = fields.Char(related="company_id.aftersales_carry_in_hours", readonly=False)
    aftersales_carry_in_bring = fields.Char(related="company_id.aftersales_carry_in_bring", readonly=False)
