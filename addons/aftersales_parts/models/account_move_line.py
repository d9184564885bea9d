from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # the inverse of the return lines' credit note lines: a credit note line whose amount or status changes
    # finds the return lines it refunds in the cache of its batch, not by a search per write of the lines
    aftersales_rma_line_ids = fields.Many2many(
        "aftersales.rma.line",
        "aftersales_rma_line_refund_rel",
        "move_line_id",
        "rma_line_id",
        string="Refunded Return Lines",
        readonly=True,
        copy=False,
        groups="account.group_account_invoice,aftersales_service.aftersales_service_group_user",
    )
