from collections import Counter, defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import float_compare

from .aftersales_warranty import OPEN_STATES


class StockPicking(models.Model):
    _inherit = "stock.picking"

    aftersales_warranty_ids = fields.One2many(
        "aftersales.warranty",
        "picking_id",
        string="Warranties",
        groups="aftersales_service.aftersales_service_group_user,stock.group_stock_user",
    )
    aftersales_warranty_count = fields.Integer(
        string="Warranty Count",
        compute="_compute_aftersales_warranty_count",
        groups="aftersales_service.aftersales_service_group_user,stock.group_stock_user",
    )

    def _compute_aftersales_warranty_count(self):
        counts = dict(
            self.env["aftersales.warranty"]._read_group([("picking_id", "in", self.ids)], ["picking_id"], ["__count"])
        )
        for picking in self:
            picking.aftersales_warranty_count = counts.get(picking, 0)

    def _action_done(self):
        result = super()._action_done()
        self._aftersales_register_warranties()
        self._aftersales_release_returned_warranties()
        self._aftersales_set_supplier_warranty()
        return result

    def action_view_aftersales_warranties(self):
        self.ensure_one()
        return self.env["aftersales.warranty"]._action_for(
            [("picking_id", "=", self.id)], _("Warranties of %(picking)s", picking=self.name)
        )

    # ------------------------------------------------------------------
    # Registration
    # ------------------------------------------------------------------

    def _aftersales_register_warranties(self):
        """Register a warranty per unit delivered to a customer whose product has a policy.

        A serial-tracked unit gets its own warranty, other products one per stock move with
        the delivered quantity. Units already registered (the hook ran before) are skipped,
        so running it twice registers nothing twice. A serial delivered again voids the
        warranty it still had.
        """
        deliveries = self.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing" and p.location_dest_id.usage == "customer"
        )
        moves = deliveries.move_ids.filtered(lambda m: m.state == "done" and m.quantity > 0)
        # warehouse users validate deliveries without reading policies, invoices or warranties
        policies = {}
        for product in moves.product_id:
            policies[product] = product.sudo()._aftersales_warranty_policy()
        moves = moves.filtered(lambda m: policies[m.product_id])
        if not moves:
            return self.env["aftersales.warranty"]
        Warranty = self.env["aftersales.warranty"].sudo().with_context(active_test=False)
        serial_lines = {
            move: move.move_line_ids.filtered(lambda line: line.quantity > 0)
            for move in moves
            if move.has_tracking == "serial"
        }
        lot_ids = [line.lot_id.id for lines in serial_lines.values() for line in lines if line.lot_id]
        # one query: the units these moves registered before (the hook ran already) and the
        # running warranties of the serials delivered
        domain = [("move_id", "in", moves.ids)]
        if lot_ids:
            domain = ["|", *domain, "&", ("lot_id", "in", lot_ids), ("state", "in", OPEN_STATES)]
        known = Warranty.search_fetch(domain, ["move_id", "lot_id", "state"], order="id")
        existing = {(warranty.move_id.id, warranty.lot_id.id) for warranty in known if warranty.move_id in moves}
        units = []  # (move, lot, quantity)
        for move in moves:
            if move in serial_lines:
                for lot in serial_lines[move].lot_id:
                    if (move.id, lot.id) not in existing:
                        existing.add((move.id, lot.id))
                        units.append((move, lot, 1.0))
            elif (move.id, False) not in existing:
                existing.add((move.id, False))
                quantity = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
                units.append((move, self.env["stock.lot"], quantity))
        if not units:
            return Warranty.browse()
        # a unit delivered again (after a return) leaves its former warranty behind
        picking_of_lot = {lot: move.picking_id for move, lot, _qty in units if lot}
        former = known.filtered(lambda w: w.state in OPEN_STATES and w.lot_id in picking_of_lot)
        for picking, picking_former in _group(former, lambda w: picking_of_lot[w.lot_id]).items():
            picking_former._void(self.env._("Delivered again with %(picking)s", picking=picking.name), picking=picking)
        # the database keeps one running warranty per serial: the former ones are void before the insert
        former.flush_recordset(["state"])
        invoices = self._aftersales_posted_invoices(moves.sale_line_id.sudo())
        # what the units share is worked out once: the terms and coverage per policy, the rest per move
        policy_vals = {policy: Warranty._prepare_policy_vals(policy) for policy in set(policies.values()) if policy}
        move_vals = {}
        for move, _lot, _quantity in units:
            if move not in move_vals:
                policy = policies[move.product_id]
                move_vals[move] = dict(
                    policy_vals[policy], **self._aftersales_prepare_warranty_vals(move, policy, invoices)
                )
        # the computed values of all the moves at once
        computed = Warranty._prepare_computed_vals_list(list(move_vals.values()))
        move_vals = {
            move: dict(computed_vals, **vals)
            for (move, vals), computed_vals in zip(move_vals.items(), computed, strict=True)
        }
        vals_list = [
            dict(move_vals[move], lot_id=lot.id, lot_name=lot.name, quantity=quantity) for move, lot, quantity in units
        ]
        # a delivery registers many units: no creation message, followers or tracking per
        # warranty (its delivery is on it), and one note per delivery, written in one batch
        warranties = Warranty.with_context(tracking_disable=True, aftersales_delivery_registration=True).create(
            vals_list
        )
        counts = Counter(warranty.picking_id for warranty in warranties)
        warranties.picking_id._message_log_batch(
            {
                picking.id: Markup("<p>%s</p>") % self.env._("Warranties registered for %(count)s units.", count=count)
                for picking, count in counts.items()
            }
        )
        warranties._expire_ended()
        return warranties

    @api.model
    def _aftersales_posted_invoices(self, sale_lines):
        """The first posted customer invoice of each sale line, as {sale line: invoice}."""
        first = {}
        for line in sale_lines:
            posted = line.invoice_lines.move_id.filtered(
                lambda move: move.state == "posted" and move.move_type == "out_invoice"
            )
            if posted:
                first[line] = posted.sorted(lambda move: (move.invoice_date, move.id))[0]
        return first

    def _aftersales_prepare_warranty_vals(self, move, policy, invoices):
        """Values of the warranties of the units delivered by ``move``, under ``policy``; the
        caller adds each unit's ``lot_id`` and ``quantity``.

        ``invoices`` maps sale lines to their posted invoice: the warranty links it, and a
        policy that starts at the invoice starts at once when the invoice came first.
        """
        picking = move.picking_id
        order = move.sale_line_id.order_id
        invoice = invoices.get(move.sale_line_id)
        vals = {
            "origin": "sale",
            "company_id": picking.company_id.id,
            "partner_id": (order.partner_id or picking.partner_id.commercial_partner_id).id,
            "product_id": move.product_id.id,
            "policy_id": policy.id,
            "sale_line_id": move.sale_line_id.id,
            "picking_id": picking.id,
            "move_id": move.id,
            "invoice_id": invoice.id if invoice else False,
            "state": "draft",
        }
        start = False
        if policy.start_trigger == "delivery":
            start = fields.Date.context_today(self, picking.date_done)
        elif policy.start_trigger == "invoice" and invoice:
            start = invoice.invoice_date
        if start:
            vals.update(start_date=start, state="active")
        return vals

    # ------------------------------------------------------------------
    # Returns
    # ------------------------------------------------------------------

    def _aftersales_release_returned_warranties(self):
        """Units returned by the customer lose their warranty.

        A returned serial's warranty is voided; the warranty of an untracked move keeps the
        quantity still at the customer's, and is voided when nothing is left. The quantity is
        worked out from all the done returns of the move, so running this again changes nothing.
        """
        returns = self.filtered(lambda p: p.state == "done" and p.location_id.usage == "customer")
        moves = returns.move_ids.filtered(lambda m: m.state == "done" and m.origin_returned_move_id)
        if not moves:
            return
        Warranty = self.env["aftersales.warranty"].sudo()
        open_states = ("draft", "active")
        serial_moves = moves.filtered(lambda m: m.has_tracking == "serial")
        lots = serial_moves.move_line_ids.filtered(lambda line: line.quantity > 0).lot_id
        if lots:
            picking_of_lot = {line.lot_id: line.picking_id for line in serial_moves.move_line_ids if line.quantity > 0}
            warranties = Warranty.search([("lot_id", "in", lots.ids), ("state", "in", open_states)])
            for picking, picking_warranties in _group(warranties, lambda w: picking_of_lot[w.lot_id]).items():
                picking_warranties._void(self.env._("Returned with %(picking)s", picking=picking.name), picking=picking)
        origins = (moves - serial_moves).origin_returned_move_id
        if not origins:
            return
        warranties = Warranty.search(
            [("move_id", "in", origins.ids), ("lot_id", "=", False), ("state", "in", open_states)]
        )
        for warranty in warranties:
            origin = warranty.move_id
            returned = origin.returned_move_ids.filtered(lambda m: m.state == "done")
            uom = origin.product_id.uom_id
            left = origin.product_uom._compute_quantity(origin.quantity, uom) - sum(
                move.product_uom._compute_quantity(move.quantity, uom) for move in returned
            )
            if float_compare(left, 0.0, precision_rounding=uom.rounding) <= 0:
                last = (returned & moves)[-1:] or returned[-1:]
                warranty._void(
                    self.env._("Returned with %(picking)s", picking=last.picking_id.name), picking=last.picking_id
                )
            elif float_compare(left, warranty.quantity, precision_rounding=uom.rounding) != 0:
                warranty.quantity = left

    def _aftersales_set_supplier_warranty(self):
        """Give the lots received from a vendor the warranty of the vendor's price line.

        The price line is the vendor's line of the product (or of its template) for the
        receipt's company; lots of the same end and supplier are written at once.
        """
        receipts = self.filtered(lambda p: p.state == "done" and p.location_id.usage == "supplier" and p.partner_id)
        move_lines = receipts.move_line_ids.filtered(lambda line: line.lot_id and line.quantity > 0)
        if not move_lines:
            return
        lots_by_values = defaultdict(lambda: self.env["stock.lot"])
        for line in move_lines:
            picking = line.picking_id
            info = picking._aftersales_supplier_warranty_info(line.product_id)
            received_on = fields.Date.context_today(self, picking.date_done or fields.Datetime.now())
            end = info and info._aftersales_warranty_end(received_on)
            if end:
                lots_by_values[(end, info.aftersales_warranty_partner_id.id or info.partner_id.id)] |= line.lot_id
        for (end, supplier_id), lots in lots_by_values.items():
            lots.sudo().write({"aftersales_supplier_warranty_end": end, "aftersales_supplier_id": supplier_id})

    def _aftersales_supplier_warranty_info(self, product):
        """The price line of this receipt's vendor that gives ``product`` a warranty, if any."""
        self.ensure_one()
        vendor = self.partner_id.commercial_partner_id
        return (
            product.sudo()
            .seller_ids.filtered(
                lambda info: (
                    info.partner_id.commercial_partner_id == vendor
                    and info.aftersales_warranty_duration > 0
                    and (not info.product_id or info.product_id == product)
                    and (not info.company_id or info.company_id == self.company_id)
                )
            )
            .sorted(lambda info: (not info.product_id, info.sequence, info.id))[:1]
        )


def _group(records, key):
    grouped = defaultdict(lambda: records.browse())
    for record in records:
        grouped[key(record)] |= record
    return grouped
