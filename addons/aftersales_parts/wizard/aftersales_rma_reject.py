from odoo import fields, models


class AftersalesRmaReject(models.TransientModel):
    _name = "aftersales.rma.reject"
    _description = "Reject a Return"

    rma_ids = fields.Many2many(
        "aftersales.rma",
        string="Returns",
        default=lambda self: self.env["aftersales.rma"].browse(self.env.context.get("active_ids", [])),
    )
    reason = fields.Text(required=True, help="Why the return is refused; kept on the return.")

    def action_reject(self):
        self.rma_ids._reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
