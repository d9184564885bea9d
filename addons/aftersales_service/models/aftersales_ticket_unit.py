"""The unit a ticket is about: its serial number, the sale order and line it was sold on, and when it
was delivered; filled in from what the user may read, and kept consistent."""

from odoo import _, api, models
from odoo.exceptions import AccessError, ValidationError


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("lot_id", "sale_line_id")
    def _compute_product_id(self):
        lots = self._readable_lots()
        lines = self._known_sale_lines().sudo()
        for ticket in self:
            product = (ticket.lot_id & lots).product_id or (ticket.sale_line_id.sudo() & lines).product_id
            if product:
                ticket.product_id = product.sudo(False)

    @api.depends("lot_id")
    def _compute_sale_line_id(self):
        lines_by_lot = self._readable_lots()._aftersales_sale_lines()
        for ticket in self:
            line = lines_by_lot.get(ticket.lot_id.id)
            if line:
                ticket.sale_line_id = line

    @api.depends("sale_line_id")
    def _compute_sale_order_id(self):
        lines = self._known_sale_lines().sudo()
        for ticket in self:
            line = ticket.sale_line_id.sudo() & lines
            if line:
                ticket.sale_order_id = line.order_id.sudo(False)

    @api.depends("lot_id", "sale_line_id")
    def _compute_delivery_date(self):
        """When the unit was delivered: the last delivery of its serial number to a customer, else the
        delivery of its sale order line. Read from the stock moves as superuser, for the serial
        numbers and sale order lines the user may rely on only."""
        lots = self._readable_lots()
        lines = self._known_sale_lines()
        MoveLine = self.env["stock.move.line"].sudo()
        dates = {}
        if lots or lines:
            for move_line in MoveLine.search(
                [
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    "|",
                    ("lot_id", "in", lots.ids),
                    ("move_id.sale_line_id", "in", lines.ids),
                ],
                order="date, id",
            ):
                dates[("lot", move_line.lot_id.id)] = move_line.date
                dates[("line", move_line.move_id.sale_line_id.id)] = move_line.date
        for ticket in self:
            lot, line = ticket.lot_id & lots, ticket.sale_line_id & lines
            ticket.delivery_date = (lot and dates.get(("lot", lot.id))) or (line and dates.get(("line", line.id)))

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("lot_id", "product_id", "sale_line_id", "sale_order_id")
    def _check_unit_consistency(self):
        # the consistency of the data, whoever may read the sale order
        for ticket in self.sudo():
            if ticket.lot_id and ticket.product_id and ticket.lot_id.product_id != ticket.product_id:
                raise ValidationError(
                    _(
                        "Serial number %(lot)s belongs to %(lot_product)s, not to %(product)s.",
                        lot=ticket.lot_id.name,
                        lot_product=ticket.lot_id.product_id.display_name,
                        product=ticket.product_id.display_name,
                    )
                )
            line = ticket.sale_line_id
            if line and ticket.sale_order_id and line.order_id != ticket.sale_order_id:
                raise ValidationError(
                    _(
                        "The sale order line %(line)s is not part of %(order)s.",
                        line=line.display_name,
                        order=ticket.sale_order_id.name,
                    )
                )
            if line and ticket.product_id and line.product_id != ticket.product_id:
                raise ValidationError(
                    _(
                        "The sale order line %(line)s sold %(line_product)s, not %(product)s.",
                        line=line.display_name,
                        line_product=line.product_id.display_name,
                        product=ticket.product_id.display_name,
                    )
                )

    def _check_unit_known(self):
        """A user links a ticket only to sale orders and lines they may read, or to the delivery of a
        serial number they may read: never to another customer's order picked by its id."""
        lines = self._known_sale_lines()
        orders = self._known_sale_orders()
        for ticket in self:
            if (ticket.sale_line_id and ticket.sale_line_id not in lines) or (
                ticket.sale_order_id and ticket.sale_order_id not in orders
            ):
                raise AccessError(
                    _(
                        "Ticket %(ticket)s can only be linked to a sale order you may read, or to the delivery "
                        "of its serial number.",
                        ticket=ticket.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _readable_lots(self):
        """The serial numbers of the tickets that the current user may read: the others, sent by
        a client that may not read them, fill in nothing."""
        return self.lot_id._filtered_access("read")

    def _known_sale_lines(self):
        """The sale order lines of the tickets that the current user may rely on: the ones they may
        read, and the delivery of a serial number they may read, even sold by another salesperson.

        The ticket shows of them what it needs (customer, product, delivery date), read as
        superuser; nothing of the other lines, whatever id a client sends."""
        lines = self.sale_line_id
        if not lines:
            return lines
        known = lines._filtered_access("read")
        for line in self._readable_lots()._aftersales_sale_lines().values():
            known |= line & lines
        return known

    def _known_sale_orders(self):
        """The sale orders of the tickets that the current user may read, or that hold a sale order
        line they may rely on (see :meth:`_known_sale_lines`)."""
        orders = self.sale_order_id
        if not orders:
            return orders
        return orders._filtered_access("read") | (self._known_sale_lines().sudo().order_id & orders.sudo()).sudo(False)
