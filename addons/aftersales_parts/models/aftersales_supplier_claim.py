from collections import defaultdict

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError


class AftersalesSupplierClaim(models.Model):
    _inherit = "aftersales.supplier.claim"

    rma_line_ids = fields.One2many("aftersales.rma.line", "supplier_claim_id", string="Return Lines", readonly=True)
    rma_id = fields.Many2one(
        "aftersales.rma",
        string="Return to Supplier",
        compute="_compute_rma_id",
        help="The return that sends the claimed unit back to the supplier.",
    )

    @api.depends("rma_line_ids.rma_id.state")
    def _compute_rma_id(self):
        for claim in self:
            lines = claim.sudo().rma_line_ids.filtered(lambda line: line.state not in ("rejected", "cancelled"))
            claim.rma_id = lines.sorted("id")[-1:].rma_id

    def _prepare_part_line_vals_list(self, visit):
        """The parts fitted on ``visit`` (not the defective ones removed), at their cost."""
        vals_list = super()._prepare_part_line_vals_list(visit)
        fitted = visit.part_ids.filtered(lambda part: not part.removed)
        for part in fitted:
            vals_list.append(
                {
                    "line_type": "part",
                    "product_id": part.product_id.id,
                    "name": part.lot_id
                    and f"{part.product_id.display_name} ({part.lot_id.name})"
                    or part.product_id.display_name,
                    "quantity": part.quantity,
                    "price_unit": part.product_id.with_company(self.company_id).standard_price,
                }
            )
        return vals_list

    def action_aftersales_return_to_supplier(self):
        """Send the claimed units back: one return to a supplier per vendor, one line per serial."""
        for claim in self:
            if claim.state not in ("draft", "sent"):
                raise UserError(
                    _("Claim %(claim)s is closed: it cannot be returned to the supplier.", claim=claim.name)
                )
            if claim.rma_id:
                raise UserError(
                    _(
                        "Claim %(claim)s is already returned with %(rma)s.",
                        claim=claim.name,
                        rma=claim.rma_id.name,
                    )
                )
        claims_by_vendor = defaultdict(lambda: self.browse())
        for claim in self:
            claims_by_vendor[claim.partner_id, claim.company_id] |= claim
        Rma = self.env["aftersales.rma"]
        rmas = Rma.browse()
        # the claims checked above, the lines of their returns point at them
        with self.env["aftersales.rma.line"]._unguard("supplier_claim_id"):
            for (vendor, company), claims in claims_by_vendor.items():
                rmas |= Rma.create(claims._prepare_aftersales_rma_vals(vendor, company))
        self.filtered(lambda claim: claim.state == "draft").action_send()
        for rma in rmas:
            rma.message_post_with_source(
                "mail.message_origin_link",
                render_values={"self": rma, "origin": rma.line_ids.supplier_claim_id},
                subtype_xmlid="mail.mt_note",
            )
        if len(rmas) == 1:
            return rmas._action_form()
        return Rma._action_list([("id", "in", rmas.ids)])

    def _prepare_aftersales_rma_vals(self, vendor, company):
        """Values of the return to ``vendor`` of the units claimed by ``self``."""
        reason = self.env.ref("aftersales_parts.rma_reason_defective", raise_if_not_found=False)
        reason = reason or self.env["aftersales.rma.reason"].search([], limit=1)
        tickets = self.ticket_id
        return {
            "direction": "supplier",
            "partner_id": vendor.id,
            "company_id": company.id,
            "ticket_id": tickets.id if len(tickets) == 1 else False,
            "line_ids": [
                Command.create(
                    {
                        "product_id": claim.product_id.id,
                        "lot_id": claim.lot_id.id,
                        "quantity": 1.0,
                        "reason_id": reason.id,
                        "supplier_claim_id": claim.id,
                    }
                )
                for claim in self
            ],
        }

    def action_view_aftersales_rma(self):
        self.ensure_one()
        return self.rma_id._action_form()
