from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_send_service_report = fields.Boolean(
        string="E-mail the Service Report",
        default=True,
        help="When a visit is done, its service report is e-mailed to the customer as a PDF.",
    )
