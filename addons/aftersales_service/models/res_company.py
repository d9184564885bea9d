from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_revisit_days = fields.Integer(
        string="Revisit Window (days)",
        default=30,
        help="A new ticket on the same serial number within this many days of closing one means the "
        "first visit did not fix it (first-time fix rate).",
    )
