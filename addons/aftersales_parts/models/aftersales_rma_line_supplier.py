"""Lines of returns to suppliers: the claimed prices and what must hold before the goods leave."""

from collections import defaultdict

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class AftersalesRmaLineSupplier(models.Model):
    _inherit = "aftersales.rma.line"  # pylint: disable=consider-merging-classes-inherited

    def _claimed_price(self):
        """Untaxed unit price claimed from the supplier, in the line's unit and the company's currency."""
        self.ensure_one()
        uom = self.product_uom_id or self.product_id.uom_id
        company = self.company_id or self.rma_id.company_id or self.env.company
        today = fields.Date.context_today(self)
        bill_line = self.sudo().vendor_bill_line_id
        if bill_line and bill_line.quantity:
            price = bill_line.currency_id._convert(
                bill_line.price_subtotal / bill_line.quantity, company.currency_id, company, bill_line.date or today
            )
            return bill_line.product_uom_id._compute_price(price, uom)
        seller = self._claimed_seller()
        if seller:
            return self._seller_price(seller, company.currency_id, today)
        product = self.product_id.with_company(company)
        return product.uom_id._compute_price(product.standard_price, uom)

    def _claimed_seller(self):
        """The vendor's price (``product.supplierinfo``) the claimed price is taken from, if any:
        a line with a vendor bill line is claimed at the price of the bill."""
        self.ensure_one()
        bill_line = self.sudo().vendor_bill_line_id
        if bill_line and bill_line.quantity:
            return self.env["product.supplierinfo"]
        company = self.company_id or self.rma_id.company_id or self.env.company
        return self.product_id.with_company(company)._select_seller(
            partner_id=self.rma_id.partner_id,
            quantity=self.quantity,
            uom_id=self.product_uom_id or self.product_id.uom_id,
        )

    def _seller_price(self, seller, currency, date):
        """The untaxed price of ``seller`` for one unit of the line, in ``currency`` at the rate of ``date``."""
        self.ensure_one()
        company = self.company_id or self.rma_id.company_id or self.env.company
        price = seller.currency_id._convert(seller.price_discounted, currency, company, date)
        return seller.product_uom._compute_price(price, self.product_uom_id or self.product_id.uom_id)

    def _claimed_from_seller(self):
        """The vendor's price the claimed price still is, or an empty record when the line is
        claimed at the price of a vendor bill, at the product's cost, or at a price set by hand.

        The claimed price is kept in the company's currency: it is the vendor's price when it
        matches that price converted at the rate of the day the line was made or of today.
        """
        self.ensure_one()
        seller = self._claimed_seller()
        if not seller:
            return seller
        company_currency = (self.company_id or self.rma_id.company_id or self.env.company).currency_id
        today = fields.Date.context_today(self)
        dates = {today, fields.Date.context_today(self, self.create_date) if self.create_date else today}
        digits = self.env["decimal.precision"].precision_get("Product Price")
        for date in dates:
            price = self._seller_price(seller, company_currency, date)
            if not float_compare(self.price_unit_claimed, price, precision_digits=digits):
                return seller
        return seller.browse()

    def _check_supplier_lines(self):
        """What must hold before the goods leave to the supplier.

        The goods are taken from an internal location of the return's company where they are
        available (each serial really there), nothing is claimed twice on the vendor bill line,
        and a serial is on one open return to a supplier at a time.
        """
        Quant = self.env["stock.quant"].sudo()
        wanted = defaultdict(float)
        for line in self:
            product = line.product_id
            location = line.location_id
            if not product.is_storable:
                raise UserError(
                    _("Only stored products go back to a supplier (%(product)s).", product=product.display_name)
                )
            if not location or location.usage != "internal":
                raise UserError(
                    _(
                        "Choose the internal location %(product)s is taken from.",
                        product=product.display_name,
                    )
                )
            if product.tracking != "none" and not line.lot_id:
                raise UserError(
                    _("Choose the serial number of %(product)s to send back.", product=product.display_name)
                )
            quantity = line.product_uom_id._compute_quantity(line.quantity, product.uom_id)
            if line.lot_id:
                available = Quant._get_available_quantity(product, location, lot_id=line.lot_id, strict=False)
                if float_compare(available, quantity, precision_rounding=product.uom_id.rounding) < 0:
                    raise UserError(
                        _(
                            "Serial %(serial)s is not in %(location)s: it cannot be sent back from there.",
                            serial=line.lot_id.name,
                            location=location.display_name,
                        )
                    )
                others = self.sudo().search(
                    [
                        ("id", "!=", line.id),
                        ("lot_id", "=", line.lot_id.id),
                        ("rma_id.direction", "=", "supplier"),
                        ("state", "in", ("approved", "sent")),
                        ("qty_sent", "=", 0),
                    ],
                    limit=1,
                )
                if others:
                    raise UserError(
                        _(
                            "Serial %(serial)s is already on its way to the supplier with %(rma)s.",
                            serial=line.lot_id.name,
                            rma=others.rma_id.name,
                        )
                    )
            else:
                wanted[product, location] += quantity
        for (product, location), quantity in wanted.items():
            available = Quant._get_available_quantity(product, location, strict=False)
            if float_compare(available, quantity, precision_rounding=product.uom_id.rounding) < 0:
                raise UserError(
                    _(
                        "Only %(available)s %(uom)s of %(product)s are available in %(location)s, not the "
                        "%(quantity)s to send back.",
                        available=available,
                        uom=product.uom_id.name,
                        product=product.display_name,
                        location=location.display_name,
                        quantity=quantity,
                    )
                )
        self._check_billed_quantities()

    def _check_billed_quantities(self):
        """Never send back against a vendor bill line more than it billed, counting the other returns."""
        bill_lines = self.sudo().vendor_bill_line_id
        if not bill_lines:
            return
        claimed = self.sudo().search(
            [("vendor_bill_line_id", "in", bill_lines.ids), ("state", "in", ("approved", "sent", "done"))]
        )
        for bill_line in bill_lines:
            uom = bill_line.product_uom_id
            lines = (claimed | self).filtered(lambda line, bl=bill_line: line.vendor_bill_line_id == bl)
            total = sum(line.product_uom_id._compute_quantity(line.quantity, uom) for line in lines)
            if float_compare(total, bill_line.quantity, precision_rounding=uom.rounding) > 0:
                raise UserError(
                    _(
                        "Vendor bill %(bill)s billed %(billed)s %(uom)s of %(product)s: %(total)s cannot be "
                        "sent back against it.",
                        bill=bill_line.move_id.name,
                        billed=bill_line.quantity,
                        uom=uom.name,
                        product=bill_line.product_id.display_name,
                        total=total,
                    )
                )

    def _prepare_vendor_refund_line_vals(self, price_unit=None):
        """Values of the vendor credit note line claiming the units of this line sent back,
        at ``price_unit`` in the credit note's currency (default: the claimed price)."""
        self.ensure_one()
        name = self.product_id.display_name
        if self.lot_id:
            name = _("%(product)s (serial %(serial)s)", product=name, serial=self.lot_id.name)
        return {
            "product_id": self.product_id.id,
            "name": name,
            "quantity": self.qty_sent - self.qty_refunded,
            "product_uom_id": self.product_uom_id.id,
            "price_unit": self.price_unit_claimed if price_unit is None else price_unit,
        }
