"""Returns to suppliers: the goods leave by an outgoing transfer, the vendor credits them."""

from collections import defaultdict

from odoo import Command, _, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare


class AftersalesRmaSupplier(models.Model):
    _inherit = "aftersales.rma"  # pylint: disable=consider-merging-classes-inherited

    def _ship_to_supplier(self):
        """Create the outgoing transfers of the approved lines to the vendor, one per source location."""
        self.ensure_one()
        destination = self.partner_id.with_company(self.company_id).property_stock_supplier
        if not destination:
            raise UserError(_("Vendor %(vendor)s has no vendor location.", vendor=self.partner_id.display_name))
        lines_by_location = defaultdict(lambda: self.env["aftersales.rma.line"])
        for line in self.line_ids:
            lines_by_location[line.location_id] |= line
        # a branch's staff send back only what their own warehouses hold (the approver, under sudo too)
        branches = self.env.user.sudo().aftersales_branch_ids
        foreign = [
            source
            for source in lines_by_location
            if branches and source.sudo().warehouse_id.aftersales_branch_id not in branches
        ]
        if foreign:
            raise AccessError(
                _(
                    "%(locations)s are not in a warehouse of your branches: their stock is sent back by its own "
                    "branch.",
                    locations=", ".join(location.display_name for location in foreign),
                )
            )
        pickings = self.env["stock.picking"]
        for source, lines in lines_by_location.items():
            warehouse = source.warehouse_id or lines[:1]._warehouse()
            picking = (
                self.env["stock.picking"]
                .sudo()
                .create(self._prepare_supplier_picking_vals(warehouse.out_type_id, source, destination, lines))
            )
            picking.action_confirm()
            picking.action_assign()
            self._set_lots(picking, lines)
            pickings |= picking
        pickings.sudo().write({"aftersales_rma_id": self.id})
        return pickings

    def _prepare_supplier_picking_vals(self, picking_type, source, destination, lines):
        """Values of the outgoing transfer to the vendor of ``lines``, taken from ``source``."""
        self.ensure_one()
        items = [
            {"product": line.product_id, "quantity": line.quantity, "uom": line.product_uom_id, "rma_line": line}
            for line in lines
        ]
        return self._prepare_picking_vals(picking_type, source, destination, items)

    def _update_sent(self):
        """Mark the returns whose transfers to the vendor are all done or cancelled as sent (the lines
        count the units sent from their moves)."""
        for rma in self:
            done_moves = rma.return_picking_ids.move_ids.filtered(
                lambda m: m.state == "done" and m.aftersales_rma_line_id
            )
            open_pickings = rma.return_picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            if rma.state == "approved" and done_moves and not open_pickings:
                rma.sudo().state = "sent"

    def action_create_vendor_refund(self):
        """Create the draft vendor credit note expected for the units sent back to the supplier.

        Lines with a vendor bill line are credited by Odoo's reversal of their bill, for the units
        sent; the others by a new vendor credit note at their claimed unit prices, in the currency
        of the vendor's price list when all of them are the vendor's prices in one currency. The
        accountant adjusts the draft to what the vendor really credits, and posts it.
        """
        self._check_direction("supplier", _("Asking for a vendor credit note"))
        self._check_state(("approved", "sent", "done"), _("Asking for a vendor credit note"))
        self._check_billing_rights(_("Asking for a vendor credit note"))
        self._check_record_access()
        self._lock()
        refunds = self.env["account.move"].sudo()
        for rma in self.sudo():
            lines = rma.line_ids.filtered(
                lambda line: (
                    float_compare(line.qty_sent, line.qty_refunded, precision_rounding=line.product_uom_id.rounding) > 0
                )
            )
            if not lines:
                raise UserError(_("Return %(rma)s has no units sent to the supplier left to claim.", rma=rma.name))
            billed = lines.filtered("vendor_bill_line_id")
            billed._check_refundable_quantities()
            by_bill = defaultdict(billed.browse)
            for line in billed:
                by_bill[line.vendor_bill_line_id.move_id] |= line
            rma_refunds = self.env["account.move"].sudo()
            for bill, bill_lines in by_bill.items():
                rma_refunds |= rma._reverse_invoice(bill, bill_lines)
            if lines - billed:
                rma_refunds |= rma._new_vendor_refund(lines - billed)
            rma._audit_refund(
                "rma_vendor_refund", rma_refunds, old=", ".join(billed.vendor_bill_line_id.move_id.mapped("name"))
            )
            refunds |= rma_refunds
        return self.action_view_refunds() if len(self) == 1 else True

    def _prepare_vendor_refund_vals(self, lines):
        """Values of the new vendor credit note claiming the units of ``lines`` sent back."""
        self.ensure_one()
        date = fields.Date.context_today(self)
        currency, prices = self._vendor_refund_prices(lines, date)
        return {
            "move_type": "in_refund",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": currency.id,
            "invoice_date": date,
            "ref": _("Return %(rma)s", rma=self.name),
            "aftersales_rma_id": self.id,
            "invoice_line_ids": [
                Command.create(line._prepare_vendor_refund_line_vals(price_unit=prices[line])) for line in lines
            ],
        }

    def _vendor_refund_prices(self, lines, date):
        """The currency of a new vendor credit note for ``lines`` and each line's unit price in it.

        When every line is claimed at its vendor's price and these prices are all in one
        currency, the credit note is in that currency at those prices. Otherwise it is in the
        company's currency: the vendor's prices converted at ``date``, the other lines at their
        claimed price.
        """
        self.ensure_one()
        company_currency = self.company_id.currency_id
        sellers = {line: line._claimed_from_seller() for line in lines}
        currencies = {seller.currency_id for seller in sellers.values()}
        if all(sellers.values()) and len(currencies) == 1:
            currency = currencies.pop()
        else:
            currency = company_currency
        prices = {
            line: line._seller_price(seller, currency, date) if seller else line.price_unit_claimed
            for line, seller in sellers.items()
        }
        return currency, prices

    def _new_vendor_refund(self, lines):
        """A new draft vendor credit note for ``lines``, which have no vendor bill line."""
        refund = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(self._prepare_vendor_refund_vals(lines))
        )
        copies = refund.invoice_line_ids.filtered(lambda line: line.display_type == "product").sorted("id")
        for line, copy in zip(lines, copies, strict=True):
            line.write({"qty_refunded": line.qty_sent, "refund_line_ids": [Command.link(copy.id)]})
        refund.message_post(body=_("Credit note expected for the return %(rma)s.", rma=self._get_html_link()))
        return refund

    def _credit_posted(self):
        """The vendor credited the return: its supplier claims are accepted."""
        for rma in self:
            claims = rma.line_ids.supplier_claim_id.filtered(lambda claim: claim.state in ("draft", "sent"))
            if not claims:
                continue
            claims.write({"state": "accepted"})
            for claim in claims:
                claim.message_post(
                    body=_("Accepted: the vendor credited the return %(rma)s.", rma=rma._get_html_link())
                )
