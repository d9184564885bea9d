from odoo import _, api, fields, models


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "aftersales.guarded.mixin"]

    aftersales_ticket_count = fields.Integer(string="Service Ticket Count", compute="_compute_aftersales_ticket_count")
    aftersales_service_partner = fields.Boolean(
        string="Service Partner",
        help="An outside service company (service point, dealer) that does visits for us: visits can be "
        "dispatched to it and its portal users accept and record them.",
    )
    aftersales_dealer = fields.Boolean(
        string="Dealer",
        help="A company that sells our products and takes them back from its customers: it returns units "
        "in bulk, reports its stock of our products and reads our bulletins on its portal.",
    )
    aftersales_partner_rate_ids = fields.One2many(
        "aftersales.partner.rate", "partner_id", string="Service Partner Rates", context={"active_test": False}
    )
    aftersales_partner_penalty_ids = fields.One2many(
        "aftersales.partner.penalty",
        "partner_id",
        string="Service Partner Penalties",
        context={"active_test": False},
    )
    aftersales_partner_job_count = fields.Integer(
        string="Partner Job Count", compute="_compute_aftersales_partner_job_count"
    )

    def _compute_aftersales_ticket_count(self):
        """Tickets of the partner and of its contacts, like the sales smart button."""
        all_partners = self.with_context(active_test=False).search_fetch([("id", "child_of", self.ids)], ["parent_id"])
        counts = self.env["aftersales.ticket"]._read_group(
            [("partner_id", "in", all_partners.ids)], ["partner_id"], ["__count"]
        )
        self.aftersales_ticket_count = 0
        self_ids = set(self._ids)
        for partner, count in counts:
            while partner:
                if partner.id in self_ids:
                    partner.aftersales_ticket_count += count
                partner = partner.parent_id

    def _compute_aftersales_partner_job_count(self):
        counts = dict(
            self.env["aftersales.visit"]._read_group(
                [("service_partner_id", "in", self.ids)], ["service_partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.aftersales_partner_job_count = counts.get(partner, 0)

    def _aftersales_partner_portal_users(self):
        """The portal users who work for this service partner."""
        self.ensure_one()
        return (
            self.env["res.users"]
            .sudo()
            .search([("partner_id", "child_of", self.commercial_partner_id.id), ("share", "=", True)])
        )

    def _aftersales_lot_candidates(self):
        """Serial numbers that may belong to this partner's company, as superuser: here those delivered
        to it and still with it (a unit returned or delivered elsewhere since then is not). Extend it
        with the other ways a unit comes to a customer; :meth:`_aftersales_owned_lots` keeps those it
        owns now."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        MoveLine = self.env["stock.move.line"].sudo()
        delivered = MoveLine.search(
            [
                ("state", "=", "done"),
                ("lot_id", "!=", False),
                ("location_dest_id.usage", "=", "customer"),
                ("picking_id.partner_id", "child_of", commercial.id),
            ]
        )
        lots = self.env["stock.lot"].sudo()
        if not delivered:
            return lots
        last_move_by_lot = {}
        for move_line in MoveLine.search(
            [("state", "=", "done"), ("lot_id", "in", delivered.lot_id.ids)], order="date, id"
        ):
            last_move_by_lot[move_line.lot_id] = move_line
        for lot, move_line in last_move_by_lot.items():
            if move_line.location_dest_id.usage == "customer" and move_line in delivered:
                lots |= lot
        return lots

    def _aftersales_owned_lots(self):
        """The serial numbers this partner's company owns now, as superuser: the units its users may
        open a ticket for. One rule for the portal's list and its check: the current owner of each
        candidate (see ``stock.lot._aftersales_owners``) is this company."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        lots = self._aftersales_lot_candidates()
        owners = lots._aftersales_owners()
        return lots.filtered(
            lambda lot: lot.id not in owners or owners[lot.id][0].commercial_partner_id == commercial
        ).sorted(lambda lot: (lot.product_id.display_name, lot.name))

    def action_view_aftersales_partner_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_visit_action")
        action["domain"] = [("service_partner_id", "=", self.id)]
        action["context"] = {"default_service_partner_id": self.id}
        action["name"] = _("Jobs of %(partner)s", partner=self.display_name)
        return action

    def action_view_aftersales_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
        action["domain"] = [("partner_id", "child_of", self.ids)]
        action["context"] = {"default_partner_id": self.id}
        action["name"] = _("Tickets of %(customer)s", customer=self.display_name)
        return action

    @api.model
    def _guarded_fields(self):
        # making a company a service partner gives its portal users jobs, rates and settlements; a dealer's
        # portal users return units in bulk and report stock
        if self.env.user.has_group("aftersales_service.aftersales_service_group_manager"):
            return super()._guarded_fields()
        return super()._guarded_fields() | {"aftersales_service_partner", "aftersales_dealer"}
