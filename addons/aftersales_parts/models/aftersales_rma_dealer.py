"""Dealer returns: the units a dealer sends back in bulk, by serial, checked against what we delivered to it."""

from collections import defaultdict

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from .aftersales_rma_line import OPEN_STATES

DEALER_REASONS = [
    ("customer_unit", "A Customer's Unit Taken Back"),
    ("unsold_stock", "Unsold Stock That Failed"),
]


class AftersalesRmaDealer(models.Model):
    _inherit = "aftersales.rma"  # pylint: disable=consider-merging-classes-inherited

    dealer_return = fields.Boolean(
        compute="_compute_dealer_return",
        store=True,
        precompute=True,
        index=True,
        copy=False,
        tracking=True,
        help="A return from a dealer: the units it sends back in bulk, by serial, for the customers it served "
        "or from its unsold stock. Set from the customer when the return is created.",
    )

    @api.depends("partner_id", "direction")
    def _compute_dealer_return(self):
        for rma in self:
            # sudo: whether the customer is a dealer, whoever may read its flags
            rma.dealer_return = (
                rma.direction == "customer" and rma.partner_id.sudo().commercial_partner_id.aftersales_dealer
            )

    @api.model_create_multi
    def create(self, vals_list):
        partners = (
            self.env["res.partner"].sudo().browse({vals["partner_id"] for vals in vals_list if vals.get("partner_id")})
        )
        dealers = partners.filtered("commercial_partner_id.aftersales_dealer")
        for vals in vals_list:
            if (
                vals.get("name", _("New")) == _("New")
                and vals.get("direction", "customer") == "customer"
                and vals.get("partner_id") in dealers.ids
            ):
                vals["name"] = self.env["ir.sequence"].next_by_code("aftersales.rma.dealer") or _("New")
        return super().create(vals_list)

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"dealer_return"}

    # ------------------------------------------------------------------
    # Serials
    # ------------------------------------------------------------------

    @api.model
    def _parse_serials(self, text):
        """The serial numbers of a pasted or scanned list (one a line; commas, semicolons and tabs also
        separate them), in their order, without repetition."""
        names = []
        for chunk in (text or "").replace(",", "\n").replace(";", "\n").replace("\t", "\n").splitlines():
            name = chunk.strip()
            if name and name not in names:
                names.append(name)
        return names

    @api.model
    def _dealer_sort_serials(self, dealer, names, company, rma=None):
        """Sort the serials ``names`` that ``dealer`` sends back to ``company``.

        Return ``(accepted, refused)``: ``accepted`` a list of ``(lot, move)``, the move being the done
        delivery of the serial to the dealer's commercial entity or its contacts that the return line
        returns; ``refused`` a list of ``(serial, reason)``. The look-ups are made for all the serials at
        once: their number does not change the number of queries.
        """
        dealer = dealer.commercial_partner_id
        Lot = self.env["stock.lot"].sudo()
        lots = Lot.search([("name", "in", names), ("company_id", "in", [company.id, False])])
        lots_by_name = defaultdict(Lot.browse)
        for lot in lots:
            lots_by_name[lot.name] |= lot
        deliveries = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", lots.ids),
                    ("state", "=", "done"),
                    ("picking_id.picking_type_code", "=", "outgoing"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("move_id.origin_returned_move_id", "=", False),
                    ("picking_id.partner_id", "child_of", dealer.id),
                    ("company_id", "=", company.id),
                ],
                order="date desc, id desc",
            )
        )
        moves = deliveries.move_id
        returnable = self.env["aftersales.rma.line"]._returnable(moves)
        # where each returnable serial can be returned from: its latest delivery to the dealer
        returnable_moves = {}
        for move in moves:
            for lot in returnable.get(move, (0.0, Lot))[1]:
                returnable_moves.setdefault(lot, move)
        returned = moves.returned_move_ids.filtered(lambda m: m.state == "done").move_line_ids.lot_id
        open_lines = (
            self.env["aftersales.rma.line"]
            .sudo()
            .search([("lot_id", "in", deliveries.lot_id.ids), ("state", "in", OPEN_STATES)])
        )
        open_rmas = {line.lot_id: line.rma_id for line in open_lines}
        open_lots = open_lines.lot_id
        accepted, refused = [], []
        for name in names:
            candidates = lots_by_name.get(name, Lot)
            if not candidates:
                refused.append((name, _("Unknown serial number.")))
                continue
            delivered = candidates & deliveries.lot_id
            if not delivered:
                refused.append((name, _("Not delivered to %(dealer)s.", dealer=dealer.name)))
                continue
            ready = delivered.filtered(lambda lot: lot in returnable_moves)
            if len(ready) > 1:
                refused.append(
                    (
                        name,
                        _(
                            "Several products have this serial (%(products)s): return them one by one.",
                            products=", ".join(ready.product_id.mapped("display_name")),
                        ),
                    )
                )
            elif ready:
                accepted.append((ready, returnable_moves[ready]))
            elif delivered & open_lots:
                other = open_rmas[(delivered & open_lots)[:1]]
                if rma and other == rma:
                    refused.append((name, _("Already on this return.")))
                else:
                    refused.append((name, _("Already on another open return (%(rma)s).", rma=other.name)))
            elif delivered & returned:
                refused.append((name, _("Already returned.")))
            elif delivered.filtered(lambda lot: lot.product_id.tracking != "serial"):
                refused.append((name, _("A lot, not a serial number: return it by quantity.")))
            else:
                refused.append((name, _("The return window of this unit is over.")))
        return accepted, refused

    @api.model
    def _prepare_dealer_line_vals(self, accepted, dealer_reason, reason, resolution):
        """Values of the return lines of the ``accepted`` ``(lot, move)`` of
        :meth:`_dealer_sort_serials`: each unit returns its delivery and refunds its invoice line."""
        Line = self.env["aftersales.rma.line"]
        invoice_lines = {}
        vals_list = []
        for lot, move in accepted:
            if move not in invoice_lines:
                invoice_lines[move] = Line._invoice_line(move)
            vals_list.append(
                {
                    "product_id": move.product_id.id,
                    "product_uom_id": move.product_id.uom_id.id,
                    "move_id": move.id,
                    "lot_id": lot.id,
                    "quantity": 1.0,
                    "invoice_line_id": invoice_lines[move].id,
                    "reason_id": reason.id,
                    "resolution": resolution,
                    "dealer_reason": dealer_reason,
                }
            )
        return vals_list

    def _check_dealer_serials(self, dealer_reason, reason, resolution):
        if dealer_reason not in dict(DEALER_REASONS):
            raise UserError(_("Say whether the units are customers' units or unsold stock."))
        if not reason or not reason.active:
            raise UserError(_("Choose the reason of the return."))
        if resolution not in dict(self.env["aftersales.rma.line"]._fields["resolution"].selection):
            raise UserError(_("Choose what is expected: a refund, a replacement, a repair or a return."))

    def action_open_add_serials(self):
        """The Add Serials button: paste or scan the serials of the units the dealer sends back."""
        self.ensure_one()
        self._check_can_add_serials()
        return {
            "type": "ir.actions.act_window",
            "name": _("Add Serials"),
            "res_model": "aftersales.rma.add.serials",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_rma_id": self.id},
        }

    def _check_can_add_serials(self):
        self.check_access("write")
        if not self.dealer_return:
            raise UserError(_("%(rma)s is not a dealer return: add its units one by one.", rma=self.name))
        self._check_state(("draft",), _("Adding serial numbers"))

    def action_add_dealer_serials(self, serials, dealer_reason, reason, resolution="refund"):
        """Add the units of the serials listed in ``serials`` (a text, one a line) to this draft dealer
        return. Return the refused serials, ``[(serial, reason)]``; the accepted ones become lines."""
        self.ensure_one()
        self._check_can_add_serials()
        if isinstance(reason, int):
            reason = self.env["aftersales.rma.reason"].browse(reason).exists()
        self._check_dealer_serials(dealer_reason, reason, resolution)
        names = self._parse_serials(serials)
        if not names:
            raise UserError(_("Paste or scan at least one serial number, one a line."))
        accepted, refused = self._dealer_sort_serials(self.partner_id, names, self.company_id, rma=self)
        vals_list = self._prepare_dealer_line_vals(accepted, dealer_reason, reason, resolution)
        if vals_list:
            self.write({"line_ids": [Command.create(vals) for vals in vals_list]})
        return refused

    # ------------------------------------------------------------------
    # Portal
    # ------------------------------------------------------------------

    @api.model
    def _portal_dealer_create(self, partner, serials, dealer_reason, reason_id, comment=None):
        """Create the draft dealer return that ``partner``, a dealer's portal user, asks for on the portal,
        from the serials listed in ``serials``. Refused when any serial is refused, listing them all:
        nothing is created then. The after-sales team gets an activity to approve it."""
        dealer = partner.commercial_partner_id
        if not dealer.aftersales_dealer:
            raise UserError(_("Only dealers send units back in bulk."))
        reason = self.env["aftersales.rma.reason"].sudo().browse(reason_id).exists()
        self._check_dealer_serials(dealer_reason, reason, "refund")
        names = self._parse_serials(serials)
        if not names:
            raise UserError(_("Paste or scan at least one serial number, one a line."))
        company = partner.company_id or self.env.company
        accepted, refused = self._dealer_sort_serials(partner, names, company)
        if refused:
            raise UserError(
                _(
                    "%(count)s serial numbers cannot be returned; remove them and send the others again:\n%(list)s",
                    count=len(refused),
                    list="\n".join(f"{name}: {why}" for name, why in refused),
                )
            )
        vals_list = self._prepare_dealer_line_vals(accepted, dealer_reason, reason, "refund")
        rma = self.sudo().create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "user_id": False,
                "description": comment and plaintext2html(comment),
                "line_ids": [Command.create(vals) for vals in vals_list],
            }
        )
        rma.line_ids._check_return_window()
        rma.line_ids._check_returnable_quantities()
        rma.message_subscribe(partner_ids=partner.ids)
        if comment:
            rma.message_post(body=plaintext2html(comment), author_id=partner.id, message_type="comment")
        rma._schedule_review(
            _(
                "%(dealer)s sends back %(count)s units on the portal: review and approve the return.",
                dealer=dealer.name,
                count=len(vals_list),
            )
        )
        return rma

    def _refusals_html(self, refused):
        """The refused serials as an HTML list, for the chatter."""
        items = Markup("").join(Markup("<li>%s: %s</li>") % (name, why) for name, why in refused)
        return Markup("<ul>%s</ul>") % items
