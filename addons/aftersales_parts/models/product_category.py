from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    aftersales_return_days = fields.Integer(
        string="Return Window (days)",
        default=0,
        help="Days after delivery during which customers may return products of this category. 0 means no limit.",
    )

    _sql_constraints = [
        (
            "aftersales_return_days_positive",
            "CHECK(aftersales_return_days >= 0)",
            "The return window cannot be negative.",
        ),
    ]
