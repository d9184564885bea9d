from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    aftersales_supplier_claim_id = fields.Many2one(
        "aftersales.supplier.claim",
        string="Supplier Claim",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The supplier warranty claim this vendor bill line deducts.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("aftersales_supplier_claim_id") for vals in vals_list):
            raise self._aftersales_claim_refusal()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and "aftersales_supplier_claim_id" in vals:
            new = vals["aftersales_supplier_claim_id"] or False
            if any(line.aftersales_supplier_claim_id.id != new for line in self):
                raise self._aftersales_claim_refusal()
        return super().write(vals)

    def _aftersales_claim_refusal(self):
        return AccessError(
            _("A vendor bill line deducts a supplier claim by the claim's Deduct from Bill action only.")
        )
