from collections import defaultdict

from markupsafe import Markup

from odoo import _, fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    aftersales_installation_count = fields.Integer(
        string="Installation Count",
        compute="_compute_aftersales_installation_count",
        groups="aftersales_service.aftersales_service_group_user",
    )

    def _compute_aftersales_installation_count(self):
        counts = dict(
            self.env["aftersales.visit"]._read_group([("picking_id", "in", self.ids)], ["picking_id"], ["__count"])
        )
        for picking in self:
            picking.aftersales_installation_count = counts.get(picking, 0)

    def _action_done(self):
        result = super()._action_done()
        self._aftersales_open_installations()
        return result

    def action_view_aftersales_installations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_visit_action")
        action["domain"] = [("picking_id", "=", self.id)]
        action["context"] = {}
        action["views"] = [(False, "list"), (False, "form")]
        action["name"] = _("Installations of %(picking)s", picking=self.name)
        return action

    def _aftersales_open_installations(self):
        """Open an installation ticket and visit per unit delivered to a customer.

        A serial-tracked unit gets its own ticket; other products one per stock move.
        Units that already have their installation (the hook ran before) are skipped,
        and returns never get one.
        """
        deliveries = self.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing" and p.location_dest_id.usage == "customer"
        )
        moves = deliveries.move_ids.filtered(
            lambda m: m.state == "done" and m.quantity > 0 and m.product_id.aftersales_requires_installation
        )
        if not moves:
            return
        Visit = self.env["aftersales.visit"].sudo()
        existing = {
            (visit.move_id.id, visit.ticket_id.lot_id.id)
            for visit in Visit.with_context(active_test=False).search([("move_id", "in", moves.ids)])
        }
        units = []  # (move, lot)
        for move in moves:
            if move.has_tracking == "serial":
                lots = move.move_line_ids.filtered(lambda line: line.quantity > 0).lot_id
            else:
                lots = [self.env["stock.lot"]]
            for lot in lots:
                if (move.id, lot.id) not in existing:
                    existing.add((move.id, lot.id))
                    units.append((move, lot))
        if not units:
            return
        Ticket = self.env["aftersales.ticket"].sudo()
        visit_vals = []
        for company, company_units in _by_company(units).items():
            tickets = Ticket.with_company(company).create(
                [self._aftersales_prepare_installation_ticket_vals(move, lot) for move, lot in company_units]
            )
            visit_vals += [
                move.picking_id._aftersales_prepare_installation_visit_vals(ticket, move)
                for (move, _lot), ticket in zip(company_units, tickets, strict=True)
            ]
        visits = Visit.create(visit_vals)
        by_picking = defaultdict(lambda: Visit.browse())
        for visit in visits:
            by_picking[visit.picking_id] |= visit
        for picking, picking_visits in by_picking.items():
            links = Markup(", ").join(visit.ticket_id._get_html_link() for visit in picking_visits)
            picking.message_post(
                body=Markup("%s %s") % (_("Installation tickets opened:"), links),
                subtype_xmlid="mail.mt_note",
            )

    def _aftersales_prepare_installation_ticket_vals(self, move, lot):
        """Values of the installation ticket of one delivered unit (``lot`` may be empty)."""
        order = move.sale_line_id.order_id
        picking = move.picking_id
        customer = order.partner_id or picking.partner_id.commercial_partner_id
        return {
            "name": _("Installation of %(product)s", product=move.product_id.display_name),
            "ticket_type_id": self.env.ref("aftersales_service.ticket_type_installation").id,
            "channel": "delivery",
            "company_id": picking.company_id.id,
            "partner_id": customer.id,
            "product_id": move.product_id.id,
            "lot_id": lot.id,
            "sale_order_id": order.id,
            "sale_line_id": move.sale_line_id.id,
            "description": Markup("<p>%s</p>")
            % _(
                "Delivered with %(picking)s; to be installed at %(address)s.",
                picking=picking.name,
                address=picking.partner_id.display_name,
            ),
        }

    def _aftersales_prepare_installation_visit_vals(self, ticket, move):
        """Values of the draft installation visit of ``ticket``, opened for ``move``."""
        self.ensure_one()
        return {
            "ticket_id": ticket.id,
            "visit_type_id": self.env.ref("aftersales_service.visit_type_installation").id,
            "partner_id": self.partner_id.id or ticket.partner_id.id,
            "picking_id": self.id,
            "move_id": move.id,
        }


def _by_company(units):
    grouped = defaultdict(list)
    for move, lot in units:
        grouped[move.company_id].append((move, lot))
    return grouped
