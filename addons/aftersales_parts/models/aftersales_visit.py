from collections import defaultdict

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_is_zero


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"

    part_ids = fields.One2many("aftersales.visit.part", "visit_id", string="Parts", copy=False)
    parts_request_ids = fields.One2many("aftersales.parts.request", "visit_id", string="Parts Requests", copy=False)
    picking_ids = fields.One2many(
        "stock.picking", "aftersales_visit_id", string="Parts Transfers", readonly=True, copy=False
    )
    picking_count = fields.Integer(string="Transfers", compute="_compute_picking_count")
    suggested_part_ids = fields.Many2many(
        "product.product",
        string="Suggested Parts",
        compute="_compute_suggested_part_ids",
        help="The usual spare parts and the compatible parts of the unit's product.",
    )

    @api.depends("picking_ids")
    def _compute_picking_count(self):
        for visit in self:
            visit.picking_count = len(visit.picking_ids)

    @api.depends("ticket_id.product_id")
    def _compute_suggested_part_ids(self):
        for visit in self:
            template = visit.ticket_id.product_id.product_tmpl_id
            visit.suggested_part_ids = (
                template.aftersales_spare_part_ids.part_id | template.aftersales_compatible_part_ids
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_done(self):
        result = super()._check_done()
        self._check_parts_available()
        return result

    def _prepare_done(self):
        result = super()._prepare_done()
        # before the visits are done and billed: the parts used are billed with the other fees
        self._create_part_lines()
        return result

    def _after_done(self):
        result = super()._after_done()
        self._consume_parts()
        self._collect_removed_parts()
        return result

    def action_aftersales_add_usual_parts(self):
        """Add the usual spare parts of the unit's product that are not on the visit yet."""
        self._check_parts_editable()
        for visit in self:
            template = visit.ticket_id.product_id.product_tmpl_id
            if not template.aftersales_spare_part_ids:
                raise UserError(
                    _(
                        "%(product)s has no usual spare parts: add them on the product.",
                        product=template.display_name or _("The unit"),
                    )
                )
            present = visit.part_ids.filtered(lambda part: not part.removed).product_id
            visit.part_ids = [
                Command.create({"product_id": kit.part_id.id, "quantity": kit.quantity})
                for kit in template.aftersales_spare_part_ids
                if kit.part_id not in present
            ]
        return True

    def action_aftersales_request_parts(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Request Parts"),
            "res_model": "aftersales.parts.request",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {
                "default_visit_id": self.id,
                "default_line_ids": [
                    Command.create({"product_id": part.product_id.id, "quantity": part.quantity})
                    for part in self.part_ids.filtered(lambda part: not part.removed)
                ],
            },
        }

    def action_aftersales_return_unused_parts(self):
        """Send back to the warehouse what was brought to the van for this visit and not used."""
        self.ensure_one()
        self.check_access("read")
        user = self.env.user
        if not (
            self.env.su
            or user in (self.technician_id | self.helper_ids).user_id
            or user.has_group("aftersales_service.aftersales_service_group_dispatcher")
            or user.has_group("aftersales_parts.aftersales_parts_group_clerk")
        ):
            raise AccessError(
                _(
                    "The technicians of visit %(visit)s, a dispatcher or a parts clerk send its unused parts back.",
                    visit=self.name,
                )
            )
        van = self.technician_id.van_location_id
        brought = defaultdict(float)
        for request in self.parts_request_ids.filtered(lambda request: request.state == "done"):
            for move in request.picking_id.move_ids.filtered(lambda move: move.state == "done"):
                brought[move.product_id] += move.quantity
        for part in self.part_ids.filtered(lambda part: not part.removed and part.location_id == van):
            brought[part.product_id] -= part.quantity
        for picking in self.picking_ids.filtered(
            lambda picking: (
                picking.location_id == van
                and picking.location_dest_id == van.warehouse_id.lot_stock_id
                and picking.state != "cancel"
            )
        ):
            for move in picking.move_ids:
                brought[move.product_id] -= move.product_uom_qty
        # sudo: the technicians and the parts clerk checked above read what the visit's van holds
        quants = self.env["stock.quant"].sudo()
        lines = []
        for product, quantity in brought.items():
            available = quants._get_available_quantity(product, van) if van else 0.0
            quantity = min(quantity, available)
            if float_compare(quantity, 0.0, precision_rounding=product.uom_id.rounding) > 0:
                lines.append((product, quantity, self.env["stock.lot"]))
        if not lines:
            raise UserError(_("Visit %(visit)s has no unused parts left in the van.", visit=self.name))
        warehouse = van.warehouse_id
        picking = self._parts_picking(warehouse.int_type_id, van, warehouse.lot_stock_id, lines, validate=False)
        # logged: a parts clerk reads the visit without writing it
        self._message_log(
            body=_("Unused parts go back to the warehouse by %(picking)s.", picking=picking._get_html_link()),
        )
        return True

    def action_aftersales_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("aftersales_visit_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Parts
    # ------------------------------------------------------------------

    def _check_parts_editable(self):
        done = self.filtered(lambda visit: visit.state in ("done", "cancel"))
        if done:
            raise UserError(
                _(
                    "The parts of %(visits)s are recorded and moved: they can no longer be changed.",
                    visits=", ".join(done.mapped("name")),
                )
            )

    def _check_parts_available(self):
        """Refuse to finish a visit using parts its source locations do not hold."""
        needed = defaultdict(float)
        for part in self.part_ids.filtered(lambda part: not part.removed):
            if part.product_id.tracking != "none" and not part.lot_id:
                raise UserError(
                    _(
                        "Give the lot or serial number of %(part)s used on visit %(visit)s.",
                        part=part.product_id.display_name,
                        visit=part.visit_id.name,
                    )
                )
            if not part.location_id and part.visit_id.service_partner_id:
                raise UserError(
                    _(
                        "Say where %(part)s used on job %(visit)s is taken from: %(partner)s has no consignment "
                        "location.",
                        part=part.product_id.display_name,
                        visit=part.visit_id.name,
                        partner=part.visit_id.service_partner_id.display_name,
                    )
                )
            if not part.location_id:
                raise UserError(
                    _(
                        "Say where %(part)s used on visit %(visit)s is taken from: the technician has no van.",
                        part=part.product_id.display_name,
                        visit=part.visit_id.name,
                    )
                )
            # the partner's own parts are not in our stock
            if part.product_id.is_storable and not part.partner_supplied:
                needed[part.product_id, part.location_id, part.lot_id] += part.quantity
        quants = self.env["stock.quant"].sudo()
        for (product, location, lot), quantity in needed.items():
            available = quants._get_available_quantity(product, location, lot_id=lot or None, strict=bool(lot))
            if float_compare(available, quantity, precision_rounding=product.uom_id.rounding) < 0:
                serial = f" ({lot.name})" if lot else ""
                raise UserError(
                    _(
                        "%(location)s holds %(available)s %(unit)s of %(part)s%(serial)s, not the %(quantity)s "
                        "used: correct the quantity or the location.",
                        location=location.display_name,
                        available=available,
                        unit=product.uom_id.name,
                        part=product.display_name,
                        serial=serial,
                        quantity=quantity,
                    )
                )

    def _create_part_lines(self):
        """The parts used become billable lines, one per product used on a visit: the warranty or a
        contract may cover them. One batch of lines, whatever the number of parts recorded."""
        parts = self.part_ids.filtered(lambda part: not part.removed and not part.visit_line_id)
        groups = defaultdict(lambda: self.env["aftersales.visit.part"])
        for part in parts:
            groups[part.visit_id, part.product_id] |= part
        lines = self.env["aftersales.visit.line"].create(
            [
                {
                    "visit_id": visit.id,
                    "line_type": "part",
                    "product_id": product.id,
                    "quantity": sum(group.mapped("quantity")),
                    "sequence": 100 + min(group.mapped("sequence")),
                }
                for (visit, product), group in groups.items()
            ]
        )
        with parts._unguard("visit_line_id"):
            for group, line in zip(groups.values(), lines, strict=True):
                group.visit_line_id = line

    def _consume_parts(self):
        """The parts used leave their location for the customer's, by a validated delivery."""
        customers = self.env.ref("stock.stock_location_customers")
        for visit in self:
            used = visit.part_ids.filtered(lambda part: not part.removed and not part.move_id)
            for location in used.location_id:
                parts = used.filtered(lambda part, location=location: part.location_id == location)
                # sudo: the location's warehouse only says which operation type moves the parts
                warehouse = location.sudo().warehouse_id or visit._warehouse()
                visit._parts_picking(warehouse.out_type_id, location, customers, parts, validate=True)
            # the order line billing a part is delivered by the move that consumed it; sudo: the
            # technician who finishes the visit moves no stock by hand, the flow links its own move
            for part in used:
                part.move_id.sudo().sale_line_id = part.visit_line_id.sale_line_ids[:1]

    def _collect_removed_parts(self):
        """Removed parts come back to the Defective Parts location by an internal transfer, and
        a claim is proposed to the supplier of those still under supplier warranty."""
        customers = self.env.ref("stock.stock_location_customers")
        claims = self.env["aftersales.supplier.claim"]
        for visit in self:
            removed = visit.part_ids.filtered(lambda part: part.removed and not part.move_id)
            if not removed:
                continue
            warehouse = visit.technician_id.sudo().van_location_id.warehouse_id or visit._warehouse()
            defective = warehouse._aftersales_defective_location()
            visit._parts_picking(warehouse.int_type_id, customers, defective, removed, validate=False)
            with removed._unguard("claim_id"):
                for claim in claims._propose(removed.lot_id, ticket=visit.ticket_id, visit=visit):
                    removed.filtered(lambda part, claim=claim: part.lot_id == claim.lot_id).claim_id = claim

    def _warehouse(self):
        """The visit's warehouse: the one serving its branch (see ``res.company._aftersales_warehouse``)."""
        self.ensure_one()
        return self.company_id._aftersales_warehouse(self.branch_id).sudo()

    def _parts_picking(self, picking_type, location, location_dest, parts, validate):
        """A transfer of ``parts`` from ``location`` to ``location_dest``, linked to the visit.

        ``parts`` are visit parts (their moves are linked back to them) or ``(product, quantity,
        lot)`` triples. The transfer has one move per product and one move line per lot, so that
        its cost does not grow with the number of parts of the same product; ``validate``
        validates it, otherwise it waits, reserved, for the warehouse.
        """
        self.ensure_one()
        is_parts = isinstance(parts, models.BaseModel)
        items = [(part.product_id, part.quantity, part.lot_id) for part in parts] if is_parts else parts
        by_product = defaultdict(float)
        by_lot = defaultdict(float)
        for product, quantity, lot in items:
            by_product[product] += quantity
            by_lot[product, lot] += quantity
        picking = (
            self.env["stock.picking"]
            .sudo()
            .create(
                {
                    "picking_type_id": picking_type.id,
                    "location_id": location.id,
                    "location_dest_id": location_dest.id,
                    "partner_id": self.partner_id.id,
                    "origin": self.name,
                    "company_id": self.company_id.id,
                    "aftersales_visit_id": self.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": product.display_name,
                                "product_id": product.id,
                                "product_uom_qty": quantity,
                                "product_uom": product.uom_id.id,
                                "location_id": location.id,
                                "location_dest_id": location_dest.id,
                                "company_id": self.company_id.id,
                            }
                        )
                        for product, quantity in by_product.items()
                    ],
                }
            )
        )
        picking.action_confirm()
        moves = picking.move_ids
        move_of = {move.product_id: move for move in moves}
        moves.move_line_ids.unlink()
        self.env["stock.move.line"].sudo().create(
            [
                {
                    "move_id": move_of[product].id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "product_uom_id": product.uom_id.id,
                    "location_id": location.id,
                    "location_dest_id": location_dest.id,
                    "lot_id": lot.id,
                    "quantity": quantity,
                    "company_id": self.company_id.id,
                }
                for (product, lot), quantity in by_lot.items()
                if not float_is_zero(quantity, precision_rounding=product.uom_id.rounding)
            ]
        )
        if validate:
            moves.picked = True
            picking._action_done()
        if is_parts:
            with parts._unguard("move_id"):
                for part in parts:
                    part.move_id = move_of[part.product_id]
        return picking
