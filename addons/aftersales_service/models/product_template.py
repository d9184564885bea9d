from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    aftersales_requires_installation = fields.Boolean(
        string="Requires Installation",
        help="Delivering this product to a customer opens an installation ticket and visit per unit.",
    )
