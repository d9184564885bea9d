"""Inspection of the received units and the resolutions: restock, scrap, repair, replacement, sending back."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class AftersalesRmaLineInspection(models.Model):
    _inherit = "aftersales.rma.line"  # pylint: disable=consider-merging-classes-inherited

    def _check_received(self):
        for line in self:
            if float_compare(line.qty_received, 0.0, precision_rounding=line.product_uom_id.rounding) <= 0:
                raise UserError(
                    _(
                        "%(product)s of %(rma)s was not received yet: inspect it once it is back.",
                        product=line.product_id.display_name,
                        rma=line.rma_id.name,
                    )
                )

    def _received_moves(self):
        """The done moves that brought the units of this line back."""
        self.ensure_one()
        return self.stock_move_ids.filtered(
            lambda m: m.state == "done"
        ) or self.rma_id.return_picking_ids.move_ids.filtered(
            lambda m: m.state == "done" and m.origin_returned_move_id == self.move_id
        )

    def _received_location(self):
        """Where the received units of this line were put by their receipt."""
        moves = self._received_moves()
        move_lines = moves.move_line_ids.filtered(lambda ml: not self.lot_id or ml.lot_id == self.lot_id)
        return move_lines.location_dest_id[:1] or moves.location_dest_id[:1]

    def action_open_inspection(self):
        """Open a new decision on some of the received units not decided yet."""
        self.ensure_one()
        self.check_access("read")
        self._check_customer_lines(_("Inspecting"))
        self._check_received()
        return {
            "type": "ir.actions.act_window",
            "name": _("Inspect %(product)s", product=self.product_id.display_name),
            "res_model": "aftersales.rma.inspection",
            "view_mode": "form",
            "views": [(self.env.ref("aftersales_parts.aftersales_rma_inspection_view_form").id, "form")],
            "target": "new",
            "context": {
                "default_rma_line_id": self.id,
                "default_quantity": self.qty_to_inspect,
                "default_condition": self.condition,
                "default_decision": self.decision,
            },
        }

    def action_inspect(self):
        """Apply the inspection decision of the line to its received units not decided yet."""
        self.check_access("write")
        self._check_customer_lines(_("Applying an inspection decision"))
        self._check_received()
        for line in self:
            if not line.decision:
                raise UserError(
                    _("Choose what becomes of %(product)s before applying it.", product=line.product_id.display_name)
                )
            if float_compare(line.qty_to_inspect, 0.0, precision_rounding=line.product_uom_id.rounding) <= 0:
                raise UserError(
                    _("The decision on %(product)s was already applied.", product=line.product_id.display_name)
                )
        inspections = self.env["aftersales.rma.inspection"].create(
            [
                {
                    "rma_line_id": line.id,
                    "quantity": line.qty_to_inspect,
                    "condition": line.condition,
                    "decision": line.decision,
                }
                for line in self
            ]
        )
        return inspections.action_apply()

    def _decide_scrap(self, quantity, lot):
        location = self._received_location()
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.product_id.id,
                "product_uom_id": self.product_uom_id.id,
                "scrap_qty": quantity,
                "lot_id": lot.id,
                "location_id": location.id,
                "company_id": self.company_id.id,
                "origin": self.rma_id.name,
            }
        )
        if scrap.action_validate() is not True:
            raise UserError(
                _(
                    "%(product)s is not available in %(location)s to be scrapped.",
                    product=self.product_id.display_name,
                    location=location.display_name,
                )
            )
        self.scrap_id = scrap
        return scrap

    def _decide_customer(self, quantity, lot):
        return self._send_back(quantity=quantity, lot=lot)

    def _decide_vendor(self, quantity, lot):
        """An outgoing transfer of the units to the product's vendor, from where the receipt put them."""
        vendor = self.product_id.with_company(self.company_id).seller_ids.partner_id[:1]
        if not vendor:
            raise UserError(
                _(
                    "%(product)s has no vendor to send it back to: add one on the product.",
                    product=self.product_id.display_name,
                )
            )
        destination = vendor.with_company(self.company_id).property_stock_supplier
        warehouse = self._warehouse()
        location = self._received_location() or warehouse.lot_stock_id
        return self._create_picking(
            warehouse.out_type_id, location, destination, quantity=quantity, lot=lot, link=False, partner=vendor
        )

    def _decide_repair(self, quantity, lot):
        if self.company_id.aftersales_rma_repair_mode == "order":
            repair = self.env["repair.order"].create(self._prepare_repair_order_vals(quantity=quantity))
            self.repair_order_id = repair
            return repair
        ticket = self.env["aftersales.ticket"].create(self._prepare_repair_ticket_vals())
        self.repair_ticket_id = ticket
        return ticket

    def action_create_repair_order(self):
        """Open a repair order for the received units to repair (again, when the previous one was cancelled)."""
        self.check_access("write")
        self._check_received()
        for line in self:
            if line.repair_ticket_id:
                raise UserError(
                    _(
                        "%(product)s is already repaired through ticket %(ticket)s.",
                        product=line.product_id.display_name,
                        ticket=line.repair_ticket_id.display_name,
                    )
                )
            if not line.inspection_ids.filtered(lambda i: i.decision == "repair" and i.applied):
                raise UserError(
                    _("%(product)s is not to be repaired: choose Repair first.", product=line.product_id.display_name)
                )
        repairs = self.env["repair.order"]
        for line in self.sudo():
            repair = line._create_repair_order()
            line.inspection_ids.filtered(lambda i: i.decision == "repair" and i.applied)[-1:].write(
                {"repair_order_id": repair.id}
            )
            repairs |= repair
        return repairs

    def _create_repair_order(self):
        self.ensure_one()
        if self.repair_order_id and self.repair_order_id.state != "cancel":
            raise UserError(
                _(
                    "%(product)s of %(rma)s already has repair order %(repair)s.",
                    product=self.product_id.display_name,
                    rma=self.rma_id.name,
                    repair=self.repair_order_id.name,
                )
            )
        repair = self.env["repair.order"].create(self._prepare_repair_order_vals())
        self.repair_order_id = repair
        return repair

    def _under_warranty(self):
        """Whether the warranty of the returned serial covers its repair (parts or labour) today.

        The receipt of the return voided the warranty of the serial; that warranty still counts
        for the repair of the unit it came back with, the unit leaving with the rest of it.
        """
        self.ensure_one()
        if not self.lot_id:
            return False
        warranty = (
            self.env["aftersales.warranty"].sudo().search([("lot_id", "=", self.lot_id.id)], order="id desc", limit=1)
        )
        receipts = self.rma_id.sudo().return_picking_ids.filtered(lambda p: p.state == "done")
        voided_by_return = warranty.state == "void" and warranty.void_picking_id in receipts
        if not warranty.start_date or (warranty.state != "active" and not voided_by_return):
            return False
        # a started warranty (its start may be dated in another time zone): only its end matters
        today = fields.Date.context_today(self)
        return today <= (warranty.covered_until or warranty.end_date) and bool(
            warranty.covers_parts or warranty.covers_labour
        )

    def _prepare_repair_order_vals(self, quantity=None):
        """The repair order of the received units (all, or ``quantity``), where their receipt put them."""
        self.ensure_one()
        warehouse = self._warehouse()
        if not warehouse.repair_type_id:
            raise UserError(_("Warehouse %(warehouse)s has no repair operation type.", warehouse=warehouse.name))
        location = self._received_location() or warehouse.lot_stock_id
        receipt = self.rma_id.return_picking_ids.filtered(
            lambda p: p.state == "done" and p.return_id and self.product_id in p.move_ids.product_id
        )[:1]
        return {
            "picking_type_id": warehouse.repair_type_id.id,
            "company_id": self.company_id.id,
            "partner_id": self.rma_id.partner_id.id,
            "product_id": self.product_id.id,
            "product_qty": self.qty_received if quantity is None else quantity,
            "product_uom": self.product_uom_id.id,
            "lot_id": self.lot_id.id,
            "picking_id": receipt.id,
            "product_location_src_id": location.id,
            "product_location_dest_id": location.id,
            "under_warranty": self._under_warranty(),
            "aftersales_rma_line_id": self.id,
            "aftersales_ticket_id": self.rma_id.ticket_id.id,
            "internal_notes": self.rma_id.description,
        }

    def _prepare_repair_ticket_vals(self):
        self.ensure_one()
        return {
            "name": _(
                "Repair of %(product)s returned with %(rma)s",
                product=self.product_id.display_name,
                rma=self.rma_id.name,
            ),
            "partner_id": self.rma_id.partner_id.id,
            "company_id": self.company_id.id,
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "ticket_type_id": self.env.ref("aftersales_service.ticket_type_repair", raise_if_not_found=False).id,
        }

    def action_send_back(self):
        """Send the repaired units back to the customer once their repair ticket or order is closed."""
        self.check_access("write")
        self._check_customer_lines(_("Sending back a repaired unit"))
        for line in self:
            repaired = line.inspection_ids.filtered(lambda i: i.decision == "repair" and i.applied)
            if not repaired or not (line.repair_ticket_id or line.repair_order_id):
                raise UserError(_("Only units sent to repair are sent back once repaired."))
            if line.repair_order_id and line.repair_order_id.sudo().state != "done":
                raise UserError(
                    _(
                        "Finish repair order %(repair)s before sending the unit back.",
                        repair=line.repair_order_id.sudo().name,
                    )
                )
            if line.repair_ticket_id and not line.repair_ticket_id.is_closed:
                raise UserError(
                    _(
                        "Close repair ticket %(ticket)s before sending the unit back.",
                        ticket=line.repair_ticket_id.display_name,
                    )
                )
            if line.out_picking_ids.filtered(lambda p: p.state != "cancel"):
                raise UserError(_("%(product)s is already sent back.", product=line.product_id.display_name))
        self.check_access("write")
        for line in self.sudo():
            line._send_back()
        return True

    def _send_back(self, quantity=None, lot=None):
        """An outgoing transfer to the customer of the received units themselves (same serial)."""
        warehouse = self._warehouse()
        location = self._received_location() or warehouse.lot_stock_id
        return self._create_picking(
            warehouse.out_type_id,
            location,
            self.env.ref("stock.stock_location_customers"),
            quantity=quantity,
            lot=self.lot_id if lot is None else lot,
        )

    def action_replace(self):
        """Deliver a new unit of the same product for the received units to replace."""
        self.check_access("write")
        self._check_customer_lines(_("Replacing"))
        self._check_received()
        for line in self:
            if line.resolution != "replacement":
                raise UserError(
                    _(
                        "%(product)s is not to be replaced (its resolution is %(resolution)s).",
                        product=line.product_id.display_name,
                        resolution=dict(line._fields["resolution"]._description_selection(line.env))[line.resolution],
                    )
                )
            if line.out_picking_ids.filtered(lambda p: p.state != "cancel"):
                raise UserError(
                    _("A replacement of %(product)s is already on its way.", product=line.product_id.display_name)
                )
        self.check_access("write")
        pickings = self.env["stock.picking"]
        for line in self.sudo():
            warehouse = line._warehouse()
            pickings |= line._create_picking(
                warehouse.out_type_id,
                warehouse.out_type_id.default_location_src_id,
                self.env.ref("stock.stock_location_customers"),
            )
        return pickings

    def _warehouse(self):
        self.ensure_one()
        return self.rma_id.company_id._aftersales_warehouse(self.rma_id.branch_id)

    def _prepare_out_picking_vals(self, picking_type, source, destination, quantity=None, link=True, partner=None):
        """Values of a transfer of the received units (all, or ``quantity``) of this line: replacements and
        units sent back (``link``: the transfer resolves the line), restocked or sent to the vendor."""
        self.ensure_one()
        item = {
            "product": self.product_id,
            "quantity": self.qty_received if quantity is None else quantity,
            "uom": self.product_uom_id,
        }
        vals = self.rma_id._prepare_picking_vals(picking_type, source, destination, [item], partner=partner)
        if link:
            vals["aftersales_rma_line_id"] = self.id
        return vals

    def _create_picking(self, picking_type, source, destination, quantity=None, lot=None, link=True, partner=None):
        picking = self.env["stock.picking"].create(
            self._prepare_out_picking_vals(
                picking_type, source, destination, quantity=quantity, link=link, partner=partner
            )
        )
        self._ready_pickings(picking, [lot])
        return picking

    @api.model
    def _ready_pickings(self, pickings, lots):
        """Confirm ``pickings`` and reserve their units: the serial or lot given for each (``lots``, in the
        order of the transfers), else what the stock has."""
        if not pickings:
            return
        pickings.action_confirm()
        assign = self.env["stock.picking"]
        for picking, lot in zip(pickings, lots, strict=True):
            if not lot:
                assign |= picking
                continue
            move = picking.move_ids
            move.move_line_ids.unlink()
            lot_quantity = 1.0 if lot.product_id.tracking == "serial" else move.product_uom_qty
            self.env["stock.move.line"].create(dict(move._prepare_move_line_vals(quantity=lot_quantity), lot_id=lot.id))
        if assign:
            assign.action_assign()

    def _carry_warranty(self, picking):
        """Give the units delivered by ``picking`` what is left of the warranty of the returned unit."""
        self.ensure_one()
        if not self.lot_id:
            return self.env["aftersales.warranty"]
        Warranty = self.env["aftersales.warranty"].sudo()
        old = Warranty.search([("lot_id", "=", self.lot_id.id)], order="id desc", limit=1)
        new_lots = picking.move_line_ids.filtered(lambda ml: ml.quantity > 0).lot_id
        if not old or not new_lots:
            return Warranty
        names = ", ".join(new_lots.mapped("name"))
        reason = (
            _("Replaced by %(serial)s", serial=names)
            if new_lots != self.lot_id
            else _("Sent back with %(picking)s", picking=picking.name)
        )
        old.write({"state": "void", "void_reason": reason})
        today = fields.Date.context_today(self)
        if not old.end_date or old.end_date < today:
            return Warranty
        moves = picking.move_ids
        return Warranty.create(
            [
                {
                    "origin": "manual",
                    "company_id": picking.company_id.id,
                    "partner_id": old.partner_id.id,
                    "product_id": lot.product_id.id,
                    "lot_id": lot.id,
                    "policy_id": old.policy_id.id,
                    "picking_id": picking.id,
                    "move_id": moves.filtered(lambda m, lot=lot: lot in m.move_line_ids.lot_id)[:1].id,
                    "sale_line_id": old.sale_line_id.id,
                    "invoice_id": old.invoice_id.id,
                    "start_date": today,
                    "end_date": old.end_date,
                    "state": "active",
                }
                for lot in new_lots
            ]
        )
