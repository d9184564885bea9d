"""Returns asked for by customers on the portal."""

from odoo import Command, _, api, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html


class AftersalesRmaPortal(models.Model):
    _inherit = "aftersales.rma"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _portal_moves(self, partner):
        """The done deliveries to the customers of ``partner``'s commercial entity."""
        return (
            self.env["stock.move"]
            .sudo()
            .search(
                [
                    ("state", "=", "done"),
                    ("picking_id.picking_type_code", "=", "outgoing"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("origin_returned_move_id", "=", False),
                    ("picking_id.partner_id", "child_of", partner.commercial_partner_id.id),
                ],
                order="date desc, id desc",
            )
        )

    @api.model
    def _portal_returnable(self, partner):
        """What ``partner`` can still ask to return: ``{move: (quantity, serials)}``."""
        return self.env["aftersales.rma.line"]._returnable(self._portal_moves(partner))

    @api.model
    def _portal_create(self, partner, lines, comment=None):
        """Create the draft return that ``partner`` asks for on the portal.

        ``lines`` is a list of dicts with ``move_id``, ``quantity``, ``reason_id``, ``resolution``
        and, for serial products, ``lot_id``. The moves must be deliveries to the customer; the
        quantities and the return window are checked by the return lines themselves, so that
        nothing more than delivered can be asked. The after-sales team gets an activity.
        """
        lines = [line for line in lines if line.get("quantity")]
        if not lines:
            raise UserError(_("Choose at least one product to return."))
        moves = self._portal_moves(partner)
        Reason = self.env["aftersales.rma.reason"].sudo()
        resolutions = dict(self.env["aftersales.rma.line"]._fields["resolution"].selection)
        line_vals = []
        for line in lines:
            move = moves.filtered(lambda m, line=line: m.id == line.get("move_id"))
            if not move:
                raise UserError(_("Only the products delivered to you can be returned."))
            reason = Reason.browse(line.get("reason_id")).exists()
            if not reason or not reason.active:
                raise UserError(_("Choose the reason of the return."))
            if line.get("resolution") not in resolutions:
                raise UserError(_("Choose what you expect: a refund, a replacement, a repair or a return."))
            quantity = line["quantity"]
            lot_id = line.get("lot_id") or False
            if move.product_id.tracking == "serial" and move.move_line_ids.lot_id:
                if not lot_id:
                    raise UserError(
                        _("Choose the serial numbers of %(product)s to return.", product=move.product_id.display_name)
                    )
                quantity = 1.0
            line_vals.append(
                {
                    "product_id": move.product_id.id,
                    "product_uom_id": move.product_id.uom_id.id,
                    "move_id": move.id,
                    "lot_id": lot_id,
                    "invoice_line_id": self.env["aftersales.rma.line"]._invoice_line(move).id,
                    "quantity": quantity,
                    "reason_id": reason.id,
                    "resolution": line["resolution"],
                }
            )
        chosen = moves.browse([vals["move_id"] for vals in line_vals])
        if len(chosen.company_id) > 1:
            raise UserError(_("Ask for the return of the products of each company separately."))
        orders = chosen.sale_line_id.order_id
        pickings = chosen.picking_id
        invoices = self.env["account.move.line"].browse([vals["invoice_line_id"] for vals in line_vals]).move_id
        rma = self.sudo().create(
            {
                "partner_id": partner.id,
                "company_id": chosen.company_id.id,
                "user_id": False,
                "sale_order_id": orders.id if len(orders) == 1 else False,
                "picking_id": pickings.id if len(pickings) == 1 else False,
                "invoice_id": invoices.id if len(invoices) == 1 else False,
                "description": comment and plaintext2html(comment),
                "line_ids": [Command.create(vals) for vals in line_vals],
            }
        )
        # the line constraints checked the quantities and windows; check them once more as a whole
        rma.line_ids._check_return_window()
        rma.line_ids._check_returnable_quantities()
        rma.message_subscribe(partner_ids=partner.ids)
        if comment:
            rma.message_post(body=plaintext2html(comment), author_id=partner.id, message_type="comment")
        rma._schedule_review(
            _("%(customer)s asked for this return on the portal: review and approve it.", customer=partner.name)
        )
        return rma
