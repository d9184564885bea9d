"""Lines of returns from customers: what can be returned and refunded, against the deliveries and invoices."""

from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_round

from .aftersales_rma_line import OPEN_STATES


class AftersalesRmaLineCustomer(models.Model):
    _inherit = "aftersales.rma.line"  # pylint: disable=consider-merging-classes-inherited

    def _check_return_window(self):
        today = fields.Date.context_today(self)
        for line in self.sudo().filtered("move_id"):
            days = line.product_id.categ_id.aftersales_return_days
            delivered = fields.Date.context_today(self, line.move_id.date)
            if days and delivered + timedelta(days=days) < today:
                raise ValidationError(
                    _(
                        "%(product)s was delivered on %(date)s: the return window of %(days)s days is over.",
                        product=line.product_id.display_name,
                        date=delivered,
                        days=days,
                    )
                )

    def _check_returnable_quantities(self):
        """Never return more than delivered, counting done returns and other open returns."""
        lines = self.sudo().filtered("move_id")
        if not lines:
            return
        moves = lines.move_id
        open_lines = self.sudo().search([("move_id", "in", moves.ids), ("state", "in", OPEN_STATES)])
        for move in moves:
            product = move.product_id
            delivered, returns, returned, move_lines, requested = self._move_balance(move, open_lines)
            others = sum(
                line.product_uom_id._compute_quantity(line.quantity - line.qty_received, product.uom_id)
                for line in move_lines - lines
            )
            if float_compare(returned + requested, delivered, precision_rounding=product.uom_id.rounding) > 0:
                raise ValidationError(
                    _(
                        "Only %(available)s %(uom)s of %(product)s delivered by %(picking)s can still be returned "
                        "(%(delivered)s delivered, %(returned)s returned, %(open)s on open returns).",
                        available=max(delivered - returned - others, 0.0),
                        uom=product.uom_id.name,
                        product=product.display_name,
                        picking=move.picking_id.name,
                        delivered=delivered,
                        returned=returned,
                        open=requested,
                    )
                )
            delivered_lots = move.move_line_ids.lot_id
            returned_lots = returns.move_line_ids.lot_id
            counted = defaultdict(int)
            for line in move_lines.filtered("lot_id"):
                counted[line.lot_id] += 1
            for line in (lines & move_lines).filtered("lot_id"):
                if line.lot_id not in delivered_lots:
                    raise ValidationError(
                        _(
                            "Serial %(serial)s was not delivered by %(picking)s.",
                            serial=line.lot_id.name,
                            picking=move.picking_id.name,
                        )
                    )
                if line.lot_id in returned_lots and not line.qty_received:
                    raise ValidationError(_("Serial %(serial)s was already returned.", serial=line.lot_id.name))
                if counted[line.lot_id] > 1:
                    raise ValidationError(
                        _("Serial %(serial)s is already on another open return.", serial=line.lot_id.name)
                    )

    def _check_refundable_at_approval(self):
        """A return to refund is approved only for units its invoice still owes: once received, they
        could never be refunded otherwise."""
        lines = self.filtered(
            lambda line: line.rma_id.direction == "customer" and line.resolution == "refund" and line.invoice_line_id
        )
        lines.sudo()._check_refundable_amounts(requested=True)

    def _check_refundable_quantities(self):
        """Never refund more than invoiced: the lines of customer returns against what their invoice lines
        are still owed, the lines of returns to suppliers against what was already claimed of their bills."""
        customer = self.filtered(lambda line: line.rma_id.direction == "customer" and line.invoice_line_id)
        customer._check_refundable_amounts()
        (self - customer)._check_refundable_bill_quantities()

    def _check_refundable_amounts(self, requested=False):
        """Never refund units or money of an invoice line that its credit notes already took back.

        Every credit note of the invoice counts, made by a return or by hand (drafts included,
        cancelled ones not), by the units and the amount it credits of each invoice line. The units
        asked are those received and not refunded yet, or with ``requested`` (at the approval) those
        the return asks for.
        """
        # from the credit notes as they are: a read of the invoices' reversals earlier in the transaction,
        # by a user whose rules hide some of them, left only those in the cache
        self.invoice_line_id.move_id.invalidate_recordset(["reversal_move_ids"])
        by_invoice = defaultdict(lambda: defaultdict(float))
        for line in self:
            origin = line.invoice_line_id
            asked = line.quantity if requested else line._qty_returned()
            by_invoice[origin.move_id][origin] += line.product_uom_id._compute_quantity(
                asked - line.qty_refunded, origin.product_uom_id
            )
        for invoice, asked_by_line in by_invoice.items():
            invoice = invoice.sudo()
            currency = invoice.currency_id
            if invoice.state != "posted":
                if requested:
                    continue
                raise UserError(
                    _("Invoice %(invoice)s is not posted: post it before refunding it.", invoice=invoice.display_name)
                )
            balance = self._invoice_balance(invoice)
            for origin, asked in asked_by_line.items():
                uom = origin.product_uom_id
                entry = balance.get(origin.sudo())
                if not entry:
                    raise UserError(
                        _(
                            "The line of %(product)s on %(invoice)s bills nothing that a return could refund.",
                            product=origin.product_id.display_name,
                            invoice=invoice.name,
                        )
                    )
                over_quantity = (
                    float_compare(entry["qty_credited"] + asked, origin.quantity, precision_rounding=uom.rounding) > 0
                )
                if not over_quantity and currency.compare_amounts(entry["net"] - entry["credited"], 0.0) > 0:
                    continue
                values = {
                    "product": origin.product_id.display_name,
                    "invoice": invoice.name,
                    "currency": currency.name,
                    "net": currency.round(entry["net"]),
                    "credited": currency.round(entry["credited"]),
                }
                if over_quantity:
                    raise UserError(
                        _(
                            "%(product)s: %(asked)s %(uom)s cannot be refunded, %(already)s of the %(invoiced)s "
                            "invoiced on %(invoice)s were already refunded (%(credited)s of the %(net)s "
                            "%(currency)s paid for them are credited).",
                            asked=asked,
                            uom=uom.name,
                            already=float_round(entry["qty_credited"], precision_rounding=uom.rounding),
                            invoiced=origin.quantity,
                            **values,
                        )
                    )
                raise UserError(
                    _(
                        "%(product)s on %(invoice)s: %(credited)s of the %(net)s %(currency)s paid were already "
                        "credited, nothing is left to refund.",
                        **values,
                    )
                )

    def _check_refundable_bill_quantities(self):
        """Never claim more than billed: count what other returns already claimed."""
        invoice_lines = self.invoice_line_id | self.vendor_bill_line_id
        # from the credit notes as they are (see _check_refundable_amounts)
        invoice_lines.move_id.invalidate_recordset(["reversal_move_ids"])
        refunded_lines = self.sudo().search(
            [
                "|",
                ("invoice_line_id", "in", invoice_lines.ids),
                ("vendor_bill_line_id", "in", invoice_lines.ids),
                ("qty_refunded", ">", 0),
            ]
        )
        for invoice_line in invoice_lines:
            uom = invoice_line.product_uom_id
            already = sum(
                line.product_uom_id._compute_quantity(line.qty_refunded, uom)
                for line in refunded_lines.filtered(lambda line, il=invoice_line: line._refund_origin_line() == il)
            )
            asked = sum(
                line.product_uom_id._compute_quantity(line._qty_returned() - line.qty_refunded, uom)
                for line in self.filtered(lambda line, il=invoice_line: line._refund_origin_line() == il)
            )
            invoiced = invoice_line.quantity
            # the credit notes of the bill made without a return (by hand, or by another flow) count too:
            # what all of them credit of this product, against what the bill billed of it
            product_invoiced, product_credited = self._credited_by_reversals(invoice_line)
            if float_compare(product_credited - already, 0.0, precision_rounding=uom.rounding) > 0:
                already, invoiced = product_credited, product_invoiced
            if float_compare(already + asked, invoiced, precision_rounding=uom.rounding) > 0:
                raise UserError(
                    _(
                        "%(product)s: %(asked)s %(uom)s cannot be refunded, %(already)s of the %(invoiced)s invoiced "
                        "on %(invoice)s were already refunded.",
                        product=invoice_line.product_id.display_name,
                        asked=asked,
                        uom=uom.name,
                        already=already,
                        invoiced=invoiced,
                        invoice=invoice_line.move_id.name,
                    )
                )

    @api.model
    def _credited_by_reversals(self, invoice_line):
        """What the invoice of ``invoice_line`` billed of its product, and what the credit notes
        reversing that invoice (drafts included, cancelled ones not) credit of it, in its unit."""
        invoice = invoice_line.sudo().move_id
        uom = invoice_line.product_uom_id
        product = invoice_line.product_id

        def total(lines):
            lines = lines.filtered(lambda aml: aml.display_type == "product" and aml.product_id == product)
            return sum(aml.product_uom_id._compute_quantity(aml.quantity, uom) for aml in lines)

        return total(invoice.invoice_line_ids), total(self._credit_notes(invoice).invoice_line_ids)

    @api.model
    def _credit_notes(self, invoice):
        """The credit notes reversing ``invoice``, drafts included, cancelled ones not.

        Read through the invoice's reversals: the ORM keeps them in its cache as credit notes are
        created in the transaction, so the checks before and after a refund read them once. The
        cache is shared by all users of the transaction: the checks on money first drop what a
        user's own read of the reversals left there (``_check_refundable_amounts``).
        """
        return invoice.sudo().reversal_move_ids.filtered(lambda move: move.state != "cancel")

    @api.model
    def _prorated_lines(self, move):
        """The lines of ``move`` (an invoice or a credit note) that bill goods, each with its share of
        the negative lines of ``move``.

        The negative lines (an order-level discount, a reward, the deduction of a down payment) are
        spread over the positive product lines by their untaxed amounts. Return ``(shares, negative)``:
        ``shares`` maps each positive line to ``(its total, its share of the negative lines)``, both
        taxes included, in the currency of ``move``; ``negative`` are the negative lines.
        """
        currency = move.currency_id
        lines = move.invoice_line_ids.filtered(lambda aml: aml.display_type == "product")
        positive = lines.filtered(lambda aml: currency.compare_amounts(aml.price_subtotal, 0.0) > 0)
        negative = lines.filtered(lambda aml: currency.compare_amounts(aml.price_subtotal, 0.0) < 0)
        base = sum(positive.mapped("price_subtotal"))
        deduction = sum(negative.mapped("price_total"))
        shares = {aml: (aml.price_total, deduction * aml.price_subtotal / base) for aml in positive}
        return shares, negative

    @api.model
    def _invoice_balance(self, invoice):
        """What each line of ``invoice`` billing goods was paid, and what its credit notes took back.

        Return ``{invoice line: {"net", "credited", "qty_credited"}}``: ``net`` is the line's total with
        its share of the negative lines of the invoice, ``credited`` what the credit notes of the
        invoice (made by returns or by hand, drafts included, cancelled ones not) credit of it, counted
        the same way, both taxes included in the invoice's currency; ``qty_credited`` the units they
        credit, in the line's unit. A credit note line counts for the invoice lines of its sale line,
        else of its product, split by their amounts.
        """
        invoice = invoice.sudo()
        shares, _negative = self._prorated_lines(invoice)
        balance = {
            aml: {"net": total + share, "credited": 0.0, "qty_credited": 0.0} for aml, (total, share) in shares.items()
        }
        billed = invoice.invoice_line_ids.filtered(lambda aml: aml in balance)
        for note in self._credit_notes(invoice):
            note_shares, _negative = self._prorated_lines(note)
            for credit_line, (total, share) in note_shares.items():
                targets = billed.filtered(lambda aml, cl=credit_line: aml.product_id == cl.product_id)
                if credit_line.sale_line_ids:
                    targets = (
                        targets.filtered(lambda aml, cl=credit_line: aml.sale_line_ids & cl.sale_line_ids) or targets
                    )
                weight = sum(targets.mapped("price_subtotal"))
                for target in targets:
                    part = target.price_subtotal / weight
                    entry = balance[target]
                    entry["credited"] += (total + share) * part
                    entry["qty_credited"] += (
                        credit_line.product_uom_id._compute_quantity(credit_line.quantity, target.product_uom_id) * part
                    )
        return balance

    @api.model
    def _refundable(self, invoice_line, quantity, balance):
        """What refunding ``quantity`` units (in its unit) of ``invoice_line`` may credit, taxes included.

        The amount still owed on the line is spread over its units not yet credited; a unit never
        gets back more than it was paid. ``balance`` is the invoice's, see ``_invoice_balance``.
        """
        invoice_line = invoice_line.sudo()
        entry = balance.get(invoice_line)
        currency = invoice_line.currency_id
        rounding = invoice_line.product_uom_id.rounding
        if not entry or float_compare(quantity, 0.0, precision_rounding=rounding) <= 0:
            return 0.0
        remaining_qty = invoice_line.quantity - entry["qty_credited"]
        remaining = entry["net"] - entry["credited"]
        if (
            float_compare(remaining_qty, 0.0, precision_rounding=rounding) <= 0
            or currency.compare_amounts(remaining, 0.0) <= 0
        ):
            return 0.0
        unit = min(entry["net"] / invoice_line.quantity, remaining / remaining_qty)
        return currency.round(unit * min(quantity, remaining_qty))

    @api.model
    def _invoice_line(self, move):
        """The posted customer invoice line of the sale line that ``move`` delivered, with units still
        to refund: an invoice fully reversed gives way to the one invoicing the units again."""
        invoice_lines = (
            move.sale_line_id.sudo()
            .invoice_lines.filtered(
                lambda line: (
                    line.move_id.move_type == "out_invoice"
                    and line.move_id.state == "posted"
                    and line.display_type == "product"
                )
            )
            .sorted("id")
        )
        balances = {}
        for invoice_line in invoice_lines:
            invoice = invoice_line.move_id
            if invoice not in balances:
                balances[invoice] = self._invoice_balance(invoice)
            if self._refundable(invoice_line, invoice_line.quantity, balances[invoice]):
                return invoice_line.with_env(self.env)
        return invoice_lines[:1].with_env(self.env)

    @api.model
    def _prepare_lines_from_moves(self, moves):
        """Values of the lines proposed for the delivered ``moves``: one per serial, else one per move."""
        reason = self.env["aftersales.rma.reason"].search([], limit=1)
        vals_list = []
        for move in moves:
            common = {
                "product_id": move.product_id.id,
                "product_uom_id": move.product_uom.id,
                "move_id": move.id,
                "invoice_line_id": self._invoice_line(move).id,
                "reason_id": reason.id,
            }
            lots = move.move_line_ids.lot_id
            if lots and move.product_id.tracking == "serial":
                vals_list += [dict(common, lot_id=lot.id, quantity=1.0) for lot in lots]
            else:
                vals_list.append(dict(common, quantity=move.quantity))
        return vals_list

    @api.model
    def _move_balance(self, move, open_lines):
        """Where the delivery ``move`` stands, in its product's unit: ``(delivered, done returns, returned,
        its lines among the open return lines `open_lines`, the units they hold)``. The lines whose receipt
        is done are already counted by the done returns: they hold what is still to come back."""
        uom = move.product_id.uom_id
        delivered = move.product_uom._compute_quantity(move.quantity, uom)
        returns = move.returned_move_ids.filtered(lambda m: m.state == "done")
        returned = sum(m.product_uom._compute_quantity(m.quantity, uom) for m in returns)
        move_lines = open_lines.filtered(lambda line: line.move_id == move)
        held = sum(line.product_uom_id._compute_quantity(line.quantity - line.qty_received, uom) for line in move_lines)
        return delivered, returns, returned, move_lines, held

    @api.model
    def _returnable(self, moves):
        """What can still be returned of the delivery ``moves``, counted as the checks do.

        Return ``{move: (quantity, lots)}`` in the product's unit, for the moves with something
        left within the return window: the delivered quantity minus the done returns and the
        units held by open returns, and for serial products the serials still returnable.
        """
        moves = moves.sudo()
        open_lines = self.sudo().search([("move_id", "in", moves.ids), ("state", "in", OPEN_STATES)])
        today = fields.Date.context_today(self)
        result = {}
        for move in moves:
            product = move.product_id
            days = product.categ_id.aftersales_return_days
            if days and fields.Date.context_today(self, move.date) + timedelta(days=days) < today:
                continue
            delivered, returns, returned, move_lines, held = self._move_balance(move, open_lines)
            available = delivered - returned - held
            if float_compare(available, 0.0, precision_rounding=product.uom_id.rounding) <= 0:
                continue
            lots = self.env["stock.lot"]
            if product.tracking == "serial":
                lots = move.move_line_ids.lot_id - returns.move_line_ids.lot_id - move_lines.lot_id
                if not lots:
                    continue
            result[move] = (available, lots)
        return result
