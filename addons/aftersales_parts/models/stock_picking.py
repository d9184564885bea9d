from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    aftersales_visit_id = fields.Many2one(
        "aftersales.visit",
        string="After-Sales Visit",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The visit whose parts this transfer carries.",
    )
