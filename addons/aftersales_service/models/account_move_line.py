from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    aftersales_settlement_line_id = fields.Many2one(
        "aftersales.partner.settlement.line",
        string="Settlement Line",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
