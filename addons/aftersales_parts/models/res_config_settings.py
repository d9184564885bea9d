from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_workshop_visit_type_id = fields.Many2one(
        related="company_id.aftersales_workshop_visit_type_id", readonly=False
    )
    aftersales_diagnosis_fee_product_id = fields.Many2one(
        related="company_id.aftersales_diagnosis_fee_product_id", readonly=False
    )
