from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

# the link of an invoice to the contract period it bills, written by the contract's invoicing only
CONTRACT_FIELDS = ("aftersales_contract_id", "aftersales_period_start", "aftersales_period_end")


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "aftersales.guarded.mixin"]

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
    aftersales_supplier_claim_id = fields.Many2one(
        "aftersales.supplier.claim",
        string="Supplier Claim",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The supplier warranty claim this vendor credit note credits.",
    )

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | set(CONTRACT_FIELDS) | {"aftersales_supplier_claim_id"}

    def _guard_refusal(self, field_names, records=None):
        if set(field_names) & set(CONTRACT_FIELDS):
            return self._aftersales_contract_refusal()
        if "aftersales_supplier_claim_id" in field_names:
            return self._aftersales_claim_refusal()
        return super()._guard_refusal(field_names, records=records)

    def _aftersales_contract_refusal(self):
        return AccessError(_("The service contract and period of an invoice are set by the contract's invoicing only."))

    def _aftersales_claim_refusal(self):
        return AccessError(
            _(
                "A vendor document is linked to a supplier claim by the claim's Create Credit Note and Deduct "
                "from Bill actions only."
            )
        )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._aftersales_link_warranties()
        posted._aftersales_refund_extensions()
        posted._aftersales_claims_credited()
        return posted

    def _aftersales_claims_credited(self):
        """Posted vendor credit notes and bills crediting supplier claims: the claims sent are accepted."""
        claims = self.filtered(lambda move: move.move_type == "in_refund").aftersales_supplier_claim_id
        claims |= self.filtered(lambda move: move.move_type == "in_invoice").line_ids.aftersales_supplier_claim_id
        # sudo: the supplier's credit decides; whoever posts it needs no right on the claims
        claims.sudo()._credit_posted(self)

    def action_view_aftersales_supplier_claim(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.supplier.claim",
            "res_id": self.aftersales_supplier_claim_id.id,
            "views": [(False, "form")],
        }

    def _aftersales_action_vendor_documents(self):
        """The vendor credit notes and bills of ``self``, in Accounting's screens."""
        if len(self) == 1:
            xmlid = (
                "account.action_move_in_refund_type"
                if self.move_type == "in_refund"
                else ("account.action_move_in_invoice_type")
            )
            action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
            action.update(res_id=self.id, views=[(False, "form")], view_mode="form")
            return action
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_in_invoice_type")
        action.update(domain=[("id", "in", self.ids)], context={})
        return action

    def _aftersales_refund_extensions(self):
        """A posted credit note that refunds an extended warranty cancels it."""
        for line in self.filtered(lambda m: m.move_type == "out_refund").invoice_line_ids:
            for sale_line in line.sale_line_ids.filtered("aftersales_is_extension"):
                quantity = line.product_uom_id._compute_quantity(line.quantity, sale_line.product_uom)
                sale_line.sudo()._aftersales_refund_extensions(quantity)

    def _aftersales_link_warranties(self):
        """Link posted customer invoices to the warranties of the units they bill.

        Warranties that wait for the invoice start on its date; the others only get the link.
        One search for the whole batch of invoices.
        """
        invoices = self.filtered(lambda move: move.state == "posted" and move.move_type == "out_invoice")
        invoice_of_line = {}
        for invoice in invoices.sorted(lambda move: (move.invoice_date, move.id)):
            for sale_line in invoice.invoice_line_ids.sale_line_ids:
                invoice_of_line.setdefault(sale_line, invoice)
        if not invoice_of_line:
            return
        warranties = (
            self.env["aftersales.warranty"]
            .sudo()
            .search(
                [
                    ("sale_line_id", "in", [line.id for line in invoice_of_line]),
                    ("invoice_id", "=", False),
                    ("state", "in", ("draft", "active")),
                ]
            )
        )
        by_invoice = defaultdict(lambda: warranties.browse())
        for warranty in warranties:
            by_invoice[invoice_of_line[warranty.sale_line_id]] |= warranty
        for invoice, invoice_warranties in by_invoice.items():
            invoice_warranties.write({"invoice_id": invoice.id})
            invoice_warranties.filtered(lambda w: w.state == "draft" and w.policy_id.start_trigger == "invoice")._start(
                invoice.invoice_date
            )
