from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    aftersales_contract_id = fields.Many2one(
        "aftersales.contract",
        string="Service Contract",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The service contract this invoice bills a period of.",
    )
    aftersales_period_start = fields.Date(string="Contract Period Start", readonly=True, copy=False)
    aftersales_period_end = fields.Date(string="Contract Period End", readonly=True, copy=False)
