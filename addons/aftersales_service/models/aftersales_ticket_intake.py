# The intake of a ticket: who owns the unit, where it stands, and which team takes the ticket.
from odoo import api, fields, models


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    service_address_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        compute="_compute_service_address_id",
        compute_sudo=False,  # from what the user may read only
        store=True,
        readonly=False,
        precompute=True,
        help="Where the unit stands and the visits go: the address the unit was delivered to, else the "
        "customer's delivery address.",
    )
    team_id = fields.Many2one(
        compute="_compute_routing",
        compute_sudo=False,  # the default team and the assignee of the user who opens the ticket
        store=True,
        readonly=False,
        precompute=True,
    )
    user_id = fields.Many2one(
        compute="_compute_routing",
        compute_sudo=False,  # the default team and the assignee of the user who opens the ticket
        store=True,
        readonly=False,
        precompute=True,
    )
    routing_rule_id = fields.Many2one(
        "aftersales.routing.rule",
        string="Routed by",
        index="btree_not_null",
        copy=False,
        ondelete="set null",
        compute="_compute_routing",
        compute_sudo=False,  # the default team and the assignee of the user who opens the ticket
        store=True,
        precompute=True,
        help="The routing rule that chose the team of this new ticket; empty when the team was chosen by hand.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("sale_order_id", "lot_id")
    def _compute_partner_id(self):
        """The customer is the current owner of the unit (see ``stock.lot._aftersales_owners``); a
        contact of the owner's company stays. Without a unit, the customer of the sale order."""
        owners = self._readable_lots()._aftersales_owners()
        orders = self._known_sale_orders().sudo()
        for ticket in self:
            owner = owners.get(ticket.lot_id.id, (None, None))[0]
            if owner:
                if ticket.partner_id.commercial_partner_id != owner.commercial_partner_id:
                    ticket.partner_id = owner.sudo(False)
                continue
            order = ticket.sale_order_id.sudo() & orders
            if order and not ticket.partner_id:
                ticket.partner_id = order.partner_id.sudo(False)

    @api.depends("lot_id", "partner_id")
    def _compute_service_address_id(self):
        owners = self._readable_lots()._aftersales_owners()
        at_customer = self.browse()
        for ticket in self:
            owner, address = owners.get(ticket.lot_id.id, (None, None))
            partner = ticket.partner_id
            if address and (not partner or partner.commercial_partner_id == owner.commercial_partner_id):
                ticket.service_address_id = address.sudo(False)
            elif partner:
                at_customer |= ticket
            else:
                ticket.service_address_id = False
        # the customers' delivery addresses, only for the units not standing where they were delivered
        delivery_of = self._delivery_addresses(at_customer.partner_id)
        for ticket in at_customer:
            ticket.service_address_id = delivery_of[ticket.partner_id]

    @api.model
    def _delivery_addresses(self, partners):
        """The delivery address of each of ``partners``, as ``address_get`` finds it: ``{partner:
        address}``. ``address_get`` looks among the contacts of the partner's company only, all of its
        commercial entity: one query tells which of these have a delivery address at all, and the
        contacts of the others are not walked one by one."""
        commercials = partners.commercial_partner_id
        with_delivery = set()
        if commercials:
            with_delivery = {
                contact.commercial_partner_id
                # sudo: which companies have a delivery address at all; address_get reads it as the user
                for contact in self.env["res.partner"]
                .sudo()
                .search_fetch(
                    [("commercial_partner_id", "in", commercials.ids), ("type", "=", "delivery")],
                    ["commercial_partner_id"],
                )
            }
        addresses = {}
        for partner in partners:
            if partner.type == "delivery" or (
                partner.type == "contact" and partner.commercial_partner_id not in with_delivery
            ):
                addresses[partner] = partner
            else:
                addresses[partner] = partner.browse(partner.address_get(["delivery"])["delivery"])
        return addresses

    @api.depends("ticket_type_id", "product_id", "priority", "channel", "service_address_id", "company_id")
    def _compute_routing(self):
        """A new ticket goes to the team and assignee of the first routing rule it matches, else to the
        default team. A team chosen by hand is kept: the rule only fills in what nobody chose. Saved
        tickets are not routed again: moving them is the dispatcher's decision."""
        new_tickets = self.filtered(lambda ticket: not ticket._origin)
        if not new_tickets:
            return
        rules = self.env["aftersales.routing.rule"]._rules_for(new_tickets.company_id)
        zone_cache = {}
        default_team = None
        for ticket in new_tickets:
            old_rule = ticket.routing_rule_id
            rule = next((rule for rule in rules if rule._matches(ticket, zone_cache)), rules.browse())
            if not rule and not old_rule and ticket.team_id:
                # no rule to route by: the team given stays, and so does its assignee, whatever the default
                ticket.routing_rule_id = False
                continue
            if default_team is None:
                default_team = self.env["aftersales.team"]._default_team()
            if ticket.team_id and ticket.team_id != (old_rule.team_id or default_team):
                # a team chosen by hand, or given by the caller: kept, and routed only if the rule agrees
                ticket.routing_rule_id = rule if rule.team_id == ticket.team_id else False
                continue
            ticket.routing_rule_id = rule
            ticket.team_id = rule.team_id or default_team
            if not ticket.user_id or ticket.user_id == old_rule.user_id:
                ticket.user_id = rule.user_id

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"routing_rule_id"}

    @api.model_create_multi
    def create(self, vals_list):
        # a team given by the caller (or by the view it works in) wins over the routing rules, and so
        # does its assignee, even none
        context_team = self.env.context.get("default_team_id")
        for vals in vals_list:
            if vals.get("team_id") or (context_team and "team_id" not in vals):
                vals.setdefault("user_id", False)
        tickets = super().create(vals_list)
        # the rule that matched but was overruled by the given team did not route the ticket
        overruled = tickets.filtered(
            lambda ticket: ticket.routing_rule_id and ticket.routing_rule_id.team_id != ticket.team_id
        )
        if overruled:
            with overruled._unguard("routing_rule_id"):
                overruled.routing_rule_id = False
        return tickets

    # ------------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """An e-mail to a team's alias: the routing rules choose the team first, the alias's team takes
        what they leave; an unknown sender becomes a contact when the company asks for it."""
        values = dict(custom_values or {})
        alias_team = self.env["aftersales.team"].browse(values.pop("team_id", False)).exists()
        company = self.env["res.company"].browse(values.get("company_id")) or alias_team.company_id or self.env.company
        if not values.get("partner_id") and company.aftersales_create_contacts:
            sender = self._sender_contact(msg_dict)
            if sender:
                values["partner_id"] = sender.id
        if alias_team:
            values.setdefault("company_id", alias_team.company_id.id)
            draft = self.with_company(alias_team.company_id).new(
                {key: value for key, value in values.items() if key in self._fields} | {"channel": "email"}
            )
            if not draft.routing_rule_id:
                values["team_id"] = alias_team.id
        return super().message_new(msg_dict, custom_values=values)

    @api.model
    def _sender_contact(self, msg_dict):
        """The contact of the e-mail's sender, created from its display name and address when nobody has
        that address yet. Employees and the senders already known are found, not created."""
        if self.env["res.partner"].browse(msg_dict.get("author_id")).exists() or not msg_dict.get("email_from"):
            return self.env["res.partner"]
        sender = self.env["mail.thread"]._mail_find_partner_from_emails([msg_dict["email_from"]], force_create=True)[0]
        if sender.user_ids.filtered(lambda user: not user.share):
            return self.env["res.partner"]
        return sender
