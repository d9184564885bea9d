from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class AccountMoveLine(models.Model):
    _name = "account.move.line"
    _inherit = ["account.move.line", "aftersales.guarded.mixin"]

    aftersales_supplier_claim_id = fields.Many2one(
        "aftersales.supplier.claim",
        string="Supplier Claim",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The supplier warranty claim this vendor bill line deducts.",
    )

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"aftersales_supplier_claim_id"}

    def _guard_refusal(self, field_names, records=None):
        if "aftersales_supplier_claim_id" in field_names:
            return self._aftersales_claim_refusal()
        return super()._guard_refusal(field_names, records=records)

    def _aftersales_claim_refusal(self):
        return AccessError(
            _("A vendor bill line deducts a supplier claim by the claim's Deduct from Bill action only.")
        )
