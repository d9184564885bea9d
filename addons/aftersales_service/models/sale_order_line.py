from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    aftersales_visit_line_id = fields.Many2one(
        "aftersales.visit.line", string="Visit Fee", index="btree_not_null", readonly=True, copy=False
    )
    aftersales_visit_id = fields.Many2one(
        related="aftersales_visit_line_id.visit_id", string="Visit", store=True, index="btree_not_null"
    )
