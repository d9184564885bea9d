from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AftersalesPartnerSettlementLineAnswer(models.TransientModel):
    _name = "aftersales.partner.settlement.line.answer"
    _description = "Answer to a Service Partner's Dispute"

    line_id = fields.Many2one("aftersales.partner.settlement.line", required=True, readonly=True, ondelete="cascade")
    line_type = fields.Selection(related="line_id.line_type")
    currency_id = fields.Many2one(related="line_id.currency_id")
    dispute_reason = fields.Text(related="line_id.dispute_reason", string="Partner's Reason")
    current_price = fields.Monetary(related="line_id.price_unit", string="Current Unit Price")
    decision = fields.Selection(
        [("accepted", "Accept"), ("rejected", "Reject")],
        required=True,
        default="accepted",
        help="Accepting waives a penalty, or corrects the price of a job or a part; rejecting keeps the line.",
    )
    price_unit = fields.Monetary(
        string="Corrected Unit Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        help="The price of the job or part once the dispute is accepted.",
    )
    answer = fields.Text(required=True, help="The partner reads it on the portal and by e-mail.")

    @api.depends("line_id")
    def _compute_price_unit(self):
        for wizard in self:
            wizard.price_unit = wizard.line_id.price_unit

    def action_confirm(self):
        self.ensure_one()
        if not self.line_id:
            raise UserError(_("The line of the dispute no longer exists."))
        price = self.price_unit if self.decision == "accepted" and self.line_type != "penalty" else None
        self.line_id._answer_dispute(self.decision, self.answer, price_unit=price)
        return {"type": "ir.actions.act_window_close"}
