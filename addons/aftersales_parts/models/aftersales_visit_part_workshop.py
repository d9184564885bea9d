from odoo import api, models


class AftersalesVisitPart(models.Model):
    _inherit = "aftersales.visit.part"  # pylint: disable=consider-merging-classes-inherited

    @api.depends(
        "removed",
        "partner_supplied",
        "visit_id.technician_id",
        "visit_id.service_partner_id",
        "visit_id.workshop",
    )
    def _compute_location_id(self):
        """A workshop job takes its parts from the stock of the service centre's warehouse, not a van."""
        result = super()._compute_location_id()
        for part in self.filtered(
            lambda part: part.visit_id.workshop and not part.removed and not part.partner_supplied
        ):
            warehouse = part.visit_id.carry_in_ids[:1].warehouse_id or part.visit_id._warehouse()
            if not part.location_id or part.location_id.sudo().aftersales_technician_ids:
                part.location_id = warehouse.sudo().lot_stock_id
        return result

    @api.model_create_multi
    def create(self, vals_list):
        parts = super().create(vals_list)
        # a part added to a job under repair is added to its repair order, for the parts clerk to serve
        parts.filtered(lambda part: not part.removed and part.visit_id.carry_in_ids.repair_id)._add_to_repair()
        return parts

    def write(self, vals):
        moves = self.move_id
        result = super().write(vals)
        if "quantity" in vals:
            # the repair order asks the parts clerk for the new quantity
            self._sync_repair_moves(moves)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_cancel_repair_move(self):
        # a part taken off the job is no longer asked from the parts clerk
        moves = self.move_id
        rest = self.sudo().search([("move_id", "in", moves.ids), ("id", "not in", self.ids)])
        self._sync_repair_moves(moves, rest)

    def _add_to_repair(self):
        """Add these parts to the repair order of their carry-in repair, from the warehouse's stock,
        confirmed and reserved; ``move_id`` links the part to its move. The parts billed on one line
        (same product, same billable line or none yet) share one move, so that the line's delivered
        quantity is the move's."""
        moves = self.env["stock.move"]
        for part in self.filtered(lambda part: not part.move_id):
            # sudo: the technician records the part; the flow moves it through the repair order
            repair = part.visit_id.carry_in_ids[:1].sudo().repair_id
            if repair.state not in ("draft", "confirmed", "under_repair"):
                continue
            sibling = self.sudo().search(
                [
                    ("move_id.repair_id", "=", repair.id),
                    ("move_id.state", "not in", ("done", "cancel")),
                    ("product_id", "=", part.product_id.id),
                    ("visit_line_id", "=", part.visit_line_id.id),
                    ("removed", "=", False),
                ],
                limit=1,
            )
            move = sibling.move_id or self.env["stock.move"].sudo().create(part._prepare_repair_move_vals(repair))
            with part._unguard("move_id"):
                part.move_id = move
            moves |= move
        self._sync_repair_moves(moves)

    def _sync_repair_moves(self, moves, parts=None):
        """Ask each open repair move of ``moves`` for the quantity of its parts (``parts``, default: all
        those linked to it), reserved again; a move without parts is cancelled."""
        # sudo: the technician changes his parts; the flow changes the repair moves that serve them
        moves = moves.sudo().filtered(lambda move: move.repair_id and move.state not in ("done", "cancel"))
        if not moves:
            return
        if parts is None:
            parts = self.sudo().search([("move_id", "in", moves.ids)])
        for move in moves:
            quantity = sum(parts.filtered(lambda part, move=move: part.move_id == move).mapped("quantity"))
            if not quantity:
                move._action_cancel()
                continue
            if move.product_uom_qty != quantity or move.state != "assigned":
                move._do_unreserve()
                move.product_uom_qty = quantity
                if move.repair_id.state != "draft":
                    move._action_assign()

    def _prepare_repair_move_vals(self, repair):
        self.ensure_one()
        return {
            "repair_id": repair.id,
            "repair_line_type": "add",
            "product_id": self.product_id.id,
            "product_uom_qty": self.quantity,
            "product_uom": self.product_id.uom_id.id,
            "location_id": (self.location_id or repair.location_id).id,
            "company_id": repair.company_id.id,
        }
