from contextlib import contextmanager

from odoo import _, fields, models

# key of the cursor's cache holding the sale order lines of the serial numbers read while it is open
# (see StockLot._aftersales_remember_sale_lines)
_SALE_LINES_KEY = "aftersales_sale_lines"


class StockLot(models.Model):
    _inherit = "stock.lot"

    aftersales_ticket_ids = fields.One2many("aftersales.ticket", "lot_id", string="Service Tickets")
    aftersales_ticket_count = fields.Integer(string="Service Ticket Count", compute="_compute_aftersales_ticket_count")
    aftersales_batch = fields.Char(
        string="Manufacturing Batch",
        index="btree_not_null",
        help="The production batch this serial number was made in; failure rates are followed per batch. "
        "A lot-tracked product's lot is its own batch.",
    )
    aftersales_event_count = fields.Integer(string="History Events", compute="_compute_aftersales_event_count")

    def _compute_aftersales_ticket_count(self):
        counts = dict(self.env["aftersales.ticket"]._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"]))
        for lot in self:
            lot.aftersales_ticket_count = counts.get(lot, 0)

    def _compute_aftersales_event_count(self):
        counts = dict(
            self.env["aftersales.unit.event"]._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"])
        )
        for lot in self:
            lot.aftersales_event_count = counts.get(lot, 0)

    def _aftersales_sale_lines(self):
        """The sale order line each serial number was delivered for, by lot id.

        Read from the done outgoing stock moves, the most recent delivery winning
        (a unit sold again after a return belongs to its last sale).
        """
        if not self.ids:
            return {}
        remembered = self.env.cr.cache.get(_SALE_LINES_KEY)
        key = frozenset(self.ids)
        if remembered is not None and key in remembered:
            return {lot_id: line.with_env(self.env) for lot_id, line in remembered[key].items()}
        move_lines = (
            self.env["stock.move.line"]
            .sudo()
            .search_fetch(
                [
                    ("lot_id", "in", self.ids),
                    ("state", "=", "done"),
                    ("move_id.sale_line_id", "!=", False),
                ],
                ["lot_id", "move_id"],
                order="date, id",
            )
        )
        lines = {}
        for move_line in move_lines:
            lines[move_line.lot_id.id] = move_line.move_id.sale_line_id.with_env(self.env)
        if remembered is not None:
            remembered[key] = lines
        return dict(lines)

    @contextmanager
    def _aftersales_remember_sale_lines(self):
        """Read the sale order lines of the same serial numbers once in the ``with`` block: opening a
        ticket finds its unit's sale line, order, customer and address from them, one compute after
        the other. Nothing is delivered in the block, or its deliveries are not seen."""
        cache = self.env.cr.cache
        if _SALE_LINES_KEY in cache:  # an enclosing block
            yield
            return
        cache[_SALE_LINES_KEY] = {}
        try:
            yield
        finally:
            cache.pop(_SALE_LINES_KEY, None)

    def _aftersales_owners(self):
        """Who owns each unit now and where it stands, by lot id: ``{lot_id: (owner, address)}``.

        Here the customer of its last delivery (the sale order's customer) and the address it was
        delivered to; the warranty addon puts the current warranty owner first (registrations,
        transfers). Read as superuser: call it for serial numbers the user may read only.
        """
        owners = {}
        for lot_id, line in self._aftersales_sale_lines().items():
            order = line.sudo().order_id
            owners[lot_id] = (order.partner_id, order.partner_shipping_id or order.partner_id)
        if owners:
            # the address the unit actually went to, when the delivery was sent elsewhere
            move_lines = (
                self.env["stock.move.line"]
                .sudo()
                .search(
                    [
                        ("lot_id", "in", list(owners)),
                        ("state", "=", "done"),
                        ("location_dest_id.usage", "=", "customer"),
                        ("picking_id.partner_id", "!=", False),
                    ],
                    order="date, id",
                )
            )
            for move_line in move_lines:
                owner, _address = owners[move_line.lot_id.id]
                owners[move_line.lot_id.id] = (owner, move_line.picking_id.partner_id)
        return owners

    def action_view_aftersales_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {
            "default_lot_id": self.id,
            "default_product_id": self.product_id.id,
            "default_company_id": self.company_id.id or self.env.company.id,
        }
        action["name"] = _("Tickets of %(serial)s", serial=self.name)
        return action

    def action_view_aftersales_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_unit_event_action")
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {}
        action["name"] = _("History of %(serial)s", serial=self.name)
        return action
