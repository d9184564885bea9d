from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError


class AccountMove(models.Model):
    _inherit = "account.move"

    aftersales_rma_id = fields.Many2one(
        "aftersales.rma", string="Return Authorization", index="btree_not_null", copy=False, readonly=True
    )
    aftersales_rma_origin_count = fields.Integer(
        compute="_compute_aftersales_rma_origin_count",
        string="Return Count",
        groups="aftersales_service.aftersales_service_group_user",
    )

    def _compute_aftersales_rma_origin_count(self):
        counts = dict(
            self.env["aftersales.rma"]._read_group([("invoice_id", "in", self.ids)], ["invoice_id"], ["__count"])
        )
        for move in self:
            move.aftersales_rma_origin_count = counts.get(move, 0)

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"aftersales_rma_id"}

    def _guard_refusal(self, field_names, records=None):
        if "aftersales_rma_id" not in field_names:
            return super()._guard_refusal(field_names, records=records)
        return AccessError(
            _(
                "A credit note is linked to a return by the return's Refund or Vendor Credit Note action, "
                "which checks what was invoiced and already credited, not by hand."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _aftersales_unlink_release_rma_lines(self):
        self._aftersales_release_rma_lines()

    def button_cancel(self):
        self._aftersales_release_rma_lines()
        return super().button_cancel()

    def _aftersales_release_rma_lines(self):
        """Credit notes of returns cancelled or deleted: their units can be refunded (or claimed) again."""
        notes = self.filtered("aftersales_rma_id")
        if not notes:
            return
        released = notes.line_ids
        rma_lines = self.env["aftersales.rma.line"].sudo().search([("refund_line_ids", "in", released.ids)])
        for line in rma_lines:
            kept = (line.refund_line_ids - released).filtered(lambda aml: aml.move_id.state != "cancel")
            kept_qty = sum(aml.product_uom_id._compute_quantity(aml.quantity, line.product_uom_id) for aml in kept)
            line.write(
                {
                    "qty_refunded": min(line.qty_refunded, kept_qty),
                    "refund_line_ids": [Command.unlink(aml.id) for aml in line.refund_line_ids & released],
                }
            )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        credits = posted.filtered(lambda move: move.move_type == "in_refund" and move.aftersales_rma_id)
        credits.aftersales_rma_id.sudo()._credit_posted()
        # the customer hears of the refund once its credit note is posted, not while it is a draft
        refunds = posted.filtered(lambda move: move.move_type == "out_refund" and move.aftersales_rma_id)
        refunds.aftersales_rma_id._notify_customer("refunded")
        return posted

    def action_view_aftersales_rma(self):
        self.ensure_one()
        return self.aftersales_rma_id._action_form()

    def action_view_aftersales_rmas(self):
        self.ensure_one()
        action = self.env["aftersales.rma"]._action_list([("invoice_id", "=", self.id)])
        action["name"] = _("Returns of %(invoice)s", invoice=self.name)
        return action

    def action_aftersales_new_rma(self):
        self.ensure_one()
        return self.env["aftersales.rma"]._action_new(
            invoice_id=self.id,
            partner_id=self.commercial_partner_id.id,
            sale_order_id=self.invoice_line_ids.sale_line_ids.order_id[:1].id,
            company_id=self.company_id.id,
        )
