"""Returns from customers: their receipts and their refunds by reversing the invoices."""

from collections import defaultdict

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class AftersalesRmaCustomer(models.Model):
    _inherit = "aftersales.rma"  # pylint: disable=consider-merging-classes-inherited

    has_units_to_refund = fields.Boolean(
        compute="_compute_has_units_to_refund",
        help="Whether units received for the lines to refund are not refunded yet (what the Refund button does).",
    )

    @api.depends("line_ids.resolution", "line_ids.qty_received", "line_ids.qty_refunded")
    def _compute_has_units_to_refund(self):
        for rma in self:
            rma.has_units_to_refund = bool(rma._lines_to_refund())

    def _lines_to_refund(self):
        """The lines to refund whose received units are not all refunded yet."""
        return self.line_ids.filtered(
            lambda line: (
                line.resolution == "refund"
                and float_compare(line.qty_received, line.qty_refunded, precision_rounding=line.product_uom_id.rounding)
                > 0
            )
        )

    def _create_receipts(self):
        """Create the receipts of the approved lines, into the inspection location of the warehouse.

        Lines coming from a delivery are received through Odoo's return of that delivery; only the
        units to refund lower the quantities delivered on the sale order (a replacement or a repair
        is not owed a credit note). Other lines come in by a plain receipt from the customer.
        """
        self.ensure_one()
        if self.direction == "supplier":
            return self._ship_to_supplier()
        pickings = self.env["stock.picking"]
        lines_by_picking = defaultdict(lambda: self.env["aftersales.rma.line"])
        for line in self.line_ids:
            lines_by_picking[line.move_id.picking_id] |= line
        for delivery, lines in lines_by_picking.items():
            if delivery:
                pickings |= self._return_delivery(delivery, lines)
            else:
                pickings |= self._receive_from_customer(lines)
        pickings.filtered(lambda picking: picking.aftersales_rma_id != self).sudo().write(
            {"aftersales_rma_id": self.id}
        )
        if not self.branch_id:
            # a return outside any branch joins the branch of the warehouse receiving it
            self.branch_id = pickings.picking_type_id.warehouse_id.aftersales_branch_id[:1]
        return pickings

    def _return_delivery(self, delivery, lines):
        """Odoo's return of ``delivery``: one move per line, refunding the sale only for the lines to refund."""
        # the goods come back to the warehouse of the return's branch, through its own receipts
        warehouse = self.company_id._aftersales_warehouse(self.branch_id)
        if not delivery._can_return():
            raise UserError(_("Only done deliveries can be returned: %(picking)s is not.", picking=delivery.name))
        # the lines to return given at once: the wizard does not propose every move of the delivery first
        wizard = (
            self.env["stock.return.picking"]
            .sudo()
            .with_context(active_model="stock.picking", active_id=delivery.id, active_ids=delivery.ids)
            .create(
                {
                    "picking_id": delivery.id,
                    "aftersales_rma_id": self.id,
                    "aftersales_location_dest_id": warehouse._aftersales_inspection_location().id,
                    "aftersales_picking_type_id": (
                        warehouse.out_type_id.return_picking_type_id or warehouse.in_type_id
                    ).id,
                    "product_return_moves": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "move_id": line.move_id.id,
                                "quantity": line.product_uom_id._compute_quantity(
                                    line.quantity, line.product_id.uom_id
                                ),
                                "to_refund": line.resolution == "refund",
                                "aftersales_rma_line_id": line.id,
                            }
                        )
                        for line in lines
                    ],
                }
            )
        )
        picking = wizard._create_return()
        self._set_lots(picking, lines)
        return picking

    def _receive_from_customer(self, lines):
        warehouse = self.company_id._aftersales_warehouse(self.branch_id)
        source = self.env.ref("stock.stock_location_customers")
        inspection = warehouse._aftersales_inspection_location()
        items = [
            {"product": line.product_id, "quantity": line.quantity, "uom": line.product_uom_id, "rma_line": line}
            for line in lines
        ]
        vals = self._prepare_picking_vals(warehouse.in_type_id, source, inspection, items)
        for _command, _id, move_vals in vals["move_ids"]:
            # as the returns of deliveries: the units end at the inspection, no push rule moves them on first
            move_vals["location_final_id"] = inspection.id
        picking = self.env["stock.picking"].sudo().create(vals)
        picking.action_confirm()
        picking.action_assign()
        self._set_lots(picking, lines)
        return picking

    def _update_received(self):
        """Mark the returns whose receipts are all done or cancelled as received (the lines count the
        units received from their moves)."""
        suppliers = self.filtered(lambda rma: rma.direction == "supplier")
        suppliers._update_sent()
        received = (self - suppliers).filtered(
            lambda rma: (
                rma.state == "approved"
                and any(move.state == "done" for move in rma.return_picking_ids.move_ids)
                and all(picking.state in ("done", "cancel") for picking in rma.return_picking_ids)
            )
        )
        if received:
            received.sudo().state = "received"
            received._notify_customer("received")

    def action_refund_ask(self):
        """The Refund button: units refunded before their inspection need a reason, asked first."""
        self._check_record_access()
        self._check_billing_rights(_("Refunding"))
        uninspected = self.line_ids.filtered(
            lambda line: line.resolution == "refund" and line.qty_received and not line.decision_applied
        )
        if uninspected:
            return self.env["aftersales.audit.reason"]._action(self, "_refund", _("Why refund before the inspection?"))
        return self._refund()

    def _refund(self, reason=None):
        """Refund the received units of the lines to refund, by reversing their invoices.

        ``reason`` goes to the audit log with the credit notes; units refunded before their inspection
        need one.
        """
        self._check_direction("customer", _("Refunding"))
        self._check_state(("approved", "received", "done"), _("Refunding"))
        self._check_billing_rights(_("Refunding"))
        self._check_record_access()
        self._lock()
        reason = (reason or "").strip()
        refunds = self.env["account.move"].sudo()
        for rma in self.sudo():
            lines = rma._lines_to_refund()
            if not lines:
                raise UserError(_("Return %(rma)s has no received units left to refund.", rma=rma.name))
            missing = lines.filtered(lambda line: not line.invoice_line_id)
            if missing:
                raise UserError(
                    _(
                        "No posted invoice line is known for %(products)s: refund them from the invoice.",
                        products=", ".join(missing.product_id.mapped("display_name")),
                    )
                )
            lines._check_refundable_quantities()
            if not all(lines.mapped("decision_applied")) and not reason:
                raise UserError(_("Say why return %(rma)s is refunded before its inspection.", rma=rma.name))
            by_invoice = defaultdict(lines.browse)
            for line in lines:
                by_invoice[line.invoice_line_id.move_id] |= line
            rma_refunds = self.env["account.move"].sudo()
            for invoice, invoice_lines in by_invoice.items():
                rma_refunds |= rma._reverse_invoice(invoice, invoice_lines)
            rma._audit_refund(
                "rma_refund" if all(lines.mapped("decision_applied")) else "rma_refund_uninspected",
                rma_refunds,
                old=", ".join(lines.invoice_line_id.move_id.mapped("name")),
                reason=reason,
            )
            refunds |= rma_refunds
        if refunds and any(self.company_id.mapped("aftersales_rma_post_refund")):
            refunds.filtered(lambda move: move.company_id.aftersales_rma_post_refund).action_post()
        return self.action_view_refunds() if len(self) == 1 else True

    def _prepare_refund_vals(self, invoice):
        return {
            "ref": _("Return %(rma)s of %(invoice)s", rma=self.name, invoice=invoice.name),
            "invoice_date": fields.Date.context_today(self),
            "aftersales_rma_id": self.id,
        }

    def _reverse_invoice(self, invoice, lines):
        """Reverse ``invoice`` keeping only the lines of ``lines`` with their quantities to refund.

        The lines of a customer return refund their received units of their invoice line, with their
        share of the negative lines of the invoice (see ``_prepare_refund_line_updates``); those of a
        return to a supplier their units sent, of their vendor bill line.
        """
        quantities = defaultdict(float)
        for line in lines:
            origin = line._refund_origin_line()
            quantities[origin] += line.product_uom_id._compute_quantity(
                line._qty_returned() - line.qty_refunded, origin.product_uom_id
            )
        target = None
        if self.direction == "customer":
            # counted before the reversal, from what the invoice and its credit notes hold now
            updates, target = self._prepare_refund_line_updates(invoice, quantities)
        else:
            updates = {original: {"quantity": quantity} for original, quantity in quantities.items()}
        # Odoo's reversal of the invoice, given only the lines refunded with their quantities: the credit
        # note is created once, as its lines are, instead of a full copy cut down afterwards
        originals = invoice.invoice_line_ids.filtered(lambda aml: aml.display_type == "product" and aml in updates)
        originals = originals.sorted("id")
        commands = []
        for original, vals in zip(
            originals, originals.with_context(include_business_fields=True).copy_data(), strict=True
        ):
            vals.pop("move_id", None)
            vals.update(updates[original])
            commands.append(Command.create(vals))
        refund = invoice.sudo()._reverse_moves([{**self._prepare_refund_vals(invoice), "line_ids": commands}])
        copies = refund.invoice_line_ids.filtered(lambda aml: aml.display_type == "product").sorted("id")
        if copies.product_id != originals.product_id or len(copies) != len(originals):
            raise UserError(_("The credit note of %(invoice)s does not match its invoice.", invoice=invoice.name))
        kept = dict(zip(originals, copies, strict=True))
        if target is not None:
            self._round_refund(refund, target)
            self._check_refunded_lines(invoice, quantities)
        self._check_credited_amount(invoice)
        for line in lines:
            line.write(
                {
                    "qty_refunded": line._qty_returned(),
                    "refund_line_ids": [Command.link(kept[line._refund_origin_line()].id)],
                }
            )
        return refund

    def _prepare_refund_line_updates(self, invoice, quantities):
        """How the copies of the lines of ``invoice`` on its credit note change, by original line.

        ``quantities`` are the units to refund by invoice line. Each of these lines is credited for
        its units; the negative lines of the invoice (order-level discounts, rewards, the deduction
        of a down payment) are kept at the share of the refunded units, by amount: the credit note
        gives back what the customer paid, as Odoo's full reversal would for all units. Discounts and
        rewards keep their quantity at a scaled unit price and no link to the sale order: they stay
        invoiced. The deduction of a down payment keeps its price at a scaled quantity and its sale
        line: the share of the down payment given back is deducted again from the order's next
        invoice, as after Odoo's reversal. When the credit notes of the invoice already took back
        more than that share of a line, its unit price is lowered so that the refund credits only
        what is still owed.
        """
        Line = self.env["aftersales.rma.line"]
        balance = Line._invoice_balance(invoice)
        shares, negative = Line._prorated_lines(invoice.sudo())
        base = sum(original.price_subtotal for original in shares)
        updates = {}
        fraction = 0.0
        target = 0.0
        for original, quantity in quantities.items():
            total, share = shares[original]
            ratio = quantity / original.quantity
            fraction += original.price_subtotal / base * ratio
            owed = Line._refundable(original, quantity, balance)
            target += owed
            natural = (total + share) * ratio
            vals = {"quantity": quantity}
            if invoice.currency_id.compare_amounts(owed, natural) < 0 and total:
                # the units left are worth less than their price: what is still owed, at a lower price
                vals["price_unit"] = original.price_unit * max(owed - share * ratio, 0.0) / (total * ratio)
            updates[original] = vals
        for original in negative:
            if any(original.sale_line_ids.mapped("is_downpayment")):
                # the share of the down payment given back is deducted again from the next invoice
                updates[original] = {"quantity": original.quantity * fraction}
            else:
                updates[original] = {"price_unit": original.price_unit * fraction, "sale_line_ids": [Command.clear()]}
        return updates, invoice.currency_id.round(target)

    def _round_refund(self, refund, target):
        """Bring the total of ``refund`` to ``target`` where its rounded unit prices missed it by cents:
        the line absorbing them is its largest negative line, else its largest line."""
        currency = refund.currency_id
        lines = refund.invoice_line_ids.filtered(lambda aml: aml.display_type == "product" and aml.quantity)
        negative = lines.filtered(lambda aml: currency.compare_amounts(aml.price_subtotal, 0.0) < 0)
        # not a down payment: its quantity is what the sale order deducts again
        negative = negative.filtered(lambda aml: not aml.sale_line_ids)
        candidates = (negative or lines).sorted(lambda aml: abs(aml.price_subtotal), reverse=True)
        if not candidates:
            return
        line = candidates[0]
        for _attempt in range(3):
            gap = currency.round(target - refund.amount_total)
            if currency.is_zero(gap) or currency.compare_amounts(abs(gap), currency.rounding * 5) > 0:
                return
            taxed = line.price_total / line.price_subtotal if line.price_subtotal else 1.0
            line.price_unit += gap / (line.quantity * taxed)

    def _check_refunded_lines(self, invoice, quantities):
        """After the refund, no line of ``invoice`` is credited more than it was paid."""
        Line = self.env["aftersales.rma.line"]
        balance = Line._invoice_balance(invoice)
        currency = invoice.currency_id
        # the unit prices of the credit note are rounded: a cent per line of the invoice at most
        tolerance = currency.rounding * (len(invoice.invoice_line_ids) + 1)
        for original in quantities:
            entry = balance[original.sudo()]
            if currency.compare_amounts(entry["credited"] - entry["net"], tolerance) > 0:
                raise UserError(
                    _(
                        "%(product)s on %(invoice)s was paid %(net)s %(currency)s: its credit notes would credit "
                        "%(credited)s %(currency)s.",
                        product=original.product_id.display_name,
                        invoice=invoice.name,
                        net=currency.round(entry["net"]),
                        credited=currency.round(entry["credited"]),
                        currency=currency.name,
                    )
                )

    def _check_credited_amount(self, invoice):
        """Never credit more than ``invoice`` is worth: its credit notes (drafts included) together."""
        invoice = invoice.sudo()
        credited = sum(self.env["aftersales.rma.line"]._credit_notes(invoice).mapped("amount_total"))
        if invoice.currency_id.compare_amounts(credited, invoice.amount_total) > 0:
            raise UserError(
                _(
                    "%(invoice)s is worth %(amount)s %(currency)s: its credit notes would credit %(credited)s.",
                    invoice=invoice.name,
                    amount=invoice.amount_total,
                    currency=invoice.currency_id.name,
                    credited=invoice.currency_id.round(credited),
                )
            )
