from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    aftersales_rma_line_id = fields.Many2one(
        "aftersales.rma.line",
        string="Return Line",
        index="btree_not_null",
        copy=False,
        help="The return line received by this move, when it does not return a delivery.",
    )
