from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

CLAIM_STATES = [
    ("draft", "Draft"),
    ("sent", "Sent"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]


class AftersalesSupplierClaim(models.Model):
    _name = "aftersales.supplier.claim"
    _description = "Supplier Warranty Claim"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index="trigram", default=lambda self: _("New")
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    state = fields.Selection(CLAIM_STATES, required=True, default="draft", tracking=True, index=True, copy=False)
    partner_id = fields.Many2one(
        "res.partner", string="Supplier", required=True, index=True, tracking=True, check_company=True
    )
    lot_id = fields.Many2one(
        "stock.lot", string="Serial Number", required=True, index=True, check_company=True, tracking=True
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True, index=True)
    supplier_warranty_end = fields.Date(related="lot_id.aftersales_supplier_warranty_end", string="Covered Until")
    ticket_id = fields.Many2one("aftersales.ticket", index="btree_not_null", check_company=True, tracking=True)
    visit_id = fields.Many2one("aftersales.visit", index="btree_not_null", check_company=True, tracking=True)
    reason = fields.Text(help="What failed, as told to the supplier.")
    answer = fields.Text(string="Supplier's Answer", tracking=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("aftersales.supplier.claim") or _("New")
        return super().create(vals_list)

    def write(self, vals):
        sent = self.filtered(lambda claim: claim.state != "draft") if not self.env.su else self.browse()
        if sent and any(name in vals and sent._guard_changes(name, vals[name]) for name in ("partner_id", "lot_id")):
            raise AccessError(
                _(
                    "Claims %(claims)s went to the supplier: their supplier and serial number stay as sent.",
                    claims=", ".join(sent.mapped("name")),
                )
            )
        return super().write(vals)

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"state"}

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(claim.state not in ("draft", "cancelled") for claim in self):
            raise UserError(_("Cancel claims sent to a supplier rather than deleting them."))

    def _aftersales_check_state(self, states, action):
        wrong = self.filtered(lambda claim: claim.state not in states)
        if wrong:
            raise UserError(
                _(
                    "%(action)s is not possible for claims %(claims)s in their current status.",
                    action=action,
                    claims=", ".join(wrong.mapped("name")),
                )
            )

    def action_send(self):
        self._aftersales_check_state(("draft",), _("Sending"))
        self._set_state("sent")

    def action_accept(self):
        self._aftersales_check_state(("sent",), _("Accepting"))
        self._set_state("accepted")

    def action_reject(self):
        self._aftersales_check_state(("sent",), _("Rejecting"))
        self._set_state("rejected")

    def action_cancel(self):
        self._aftersales_check_state(("draft", "sent"), _("Cancelling"))
        self._set_state("cancelled")

    def action_reset_draft(self):
        self._aftersales_check_state(("cancelled", "rejected"), _("Resetting to draft"))
        self._set_state("draft")

    def _set_state(self, state):
        """Move the claims to ``state``, the action having checked that they may."""
        self.check_access("write")
        with self._unguard("state"):
            self.write({"state": state})

    @api.model
    def _prepare_claim_vals(self, lot, ticket, visit):
        """Values of the draft claim proposed for ``lot`` replaced or repaired on ``ticket``."""
        reason = _(
            "%(product)s %(serial)s failed under supplier warranty",
            product=lot.product_id.display_name,
            serial=lot.name,
        )
        if ticket:
            reason = _(
                "%(reason)s (ticket %(ticket)s: %(subject)s).",
                reason=reason,
                ticket=ticket.reference,
                subject=ticket.name,
            )
        return {
            "partner_id": lot.aftersales_supplier_id.id,
            "lot_id": lot.id,
            "ticket_id": ticket.id,
            "visit_id": visit.id,
            "company_id": (lot.company_id or ticket.company_id or self.env.company).id,
            "reason": reason,
        }

    @api.model
    def _aftersales_propose(self, lots, ticket=None, visit=None):
        """Propose a draft claim on the supplier for each lot still under supplier warranty.

        A lot gets one claim per ticket (and one without ticket): proposing again changes
        nothing, and a claim cancelled by the team is not proposed anew. Returns the new claims.
        """
        ticket = ticket or self.env["aftersales.ticket"]
        visit = visit or self.env["aftersales.visit"]
        on_date = visit.check_out and fields.Date.context_today(self, visit.check_out) or None
        lots = lots._aftersales_under_supplier_warranty(on_date)
        if not lots:
            return self.browse()
        claimed = self.sudo().search([("lot_id", "in", lots.ids), ("ticket_id", "=", ticket.id)]).lot_id
        lots -= claimed
        if not lots:
            return self.browse()
        return self.sudo().create([self._prepare_claim_vals(lot, ticket, visit) for lot in lots])
