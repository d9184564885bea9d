from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from .aftersales_ticket import TICKET_CHANNELS, TICKET_PRIORITIES


class AftersalesRoutingRule(models.Model):
    _name = "aftersales.routing.rule"
    # the rules of the companies are kept in the registry's cache (see _rule_ids_for)
    _inherit = ["aftersales.cached.mixin"]
    _description = "Ticket Routing Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="New tickets go by the first matching rule, in this order.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    ticket_type_ids = fields.Many2many(
        "aftersales.ticket.type", string="Ticket Types", help="Leave empty to route every type."
    )
    product_category_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="Routes the tickets on products of these categories or of their sub-categories. "
        "Leave empty for every product, and for tickets without a product.",
    )
    priority = fields.Selection(TICKET_PRIORITIES, help="Leave empty to route every priority.")
    zone_ids = fields.Many2many(
        "aftersales.zone",
        string="Zones",
        check_company=True,
        help="Routes the tickets whose service address lies in one of these zones. Leave empty for every place.",
    )
    channel = fields.Selection(TICKET_CHANNELS, help="Leave empty to route the tickets of every channel.")
    team_id = fields.Many2one(
        "aftersales.team",
        required=True,
        check_company=True,
        ondelete="cascade",
        help="The team the matching tickets go to.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assign to",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="A member of the team, or its leader, who gets the matching tickets; leave empty to let the team "
        "share them out.",
    )

    @api.constrains("team_id", "user_id")
    def _check_user_in_team(self):
        for rule in self.filtered("user_id"):
            if rule.user_id not in rule.team_id.member_ids | rule.team_id.user_id:
                raise ValidationError(
                    _(
                        "Routing rule %(rule)s assigns its tickets to %(user)s, who is not a member of team "
                        "%(team)s: add them to the team or choose a member.",
                        rule=rule.name,
                        user=rule.user_id.name,
                        team=rule.team_id.name,
                    )
                )

    @api.onchange("team_id")
    def _onchange_team_id(self):
        if self.user_id and self.user_id not in self.team_id.member_ids | self.team_id.user_id:
            self.user_id = False

    @api.model
    @tools.ormcache("company_ids")
    def _rule_ids_for(self, company_ids):
        """The ids of the active rules of the companies ``company_ids`` (a sorted tuple), in the order
        they are tried; cached until a rule changes, so that a company without rules costs a new
        ticket no query."""
        return tuple(self.sudo().with_context(active_test=True).search([("company_id", "in", list(company_ids))]).ids)

    @api.model
    def _rules_for(self, companies):
        """The active rules of ``companies``, in the order they are tried: read once for a batch of
        tickets. Rules are configuration, read as superuser: whoever opens a ticket is routed, the
        team and assignee written are the ticket's own."""
        rule_ids = self._rule_ids_for(tuple(sorted(companies.ids))) if companies else ()
        if not rule_ids:
            return self.browse()
        # the conditions of every rule at once, not rule by rule while matching (and only the rules
        # still there: a team deleted takes its rules with it)
        rules = self.sudo().search_fetch(
            [("id", "in", rule_ids), ("company_id", "in", companies.ids)],
            ["company_id", "ticket_type_ids", "product_category_ids", "priority", "zone_ids", "channel"],
        )
        rules.zone_ids.fetch(["country_ids", "state_ids", "cities", "zip_from", "zip_to"])
        rules.product_category_ids.fetch(["parent_path"])
        return rules

    def _matches(self, ticket, zone_cache=None):
        """Whether this rule routes ``ticket`` (empty conditions match anything).

        ``zone_cache`` keeps, for a batch, whether a zone covers an address: ``{(zone, address): bool}``.
        """
        self.ensure_one()
        if self.company_id != ticket.company_id:
            return False
        if self.ticket_type_ids and ticket.ticket_type_id not in self.ticket_type_ids:
            return False
        if self.priority and self.priority != ticket.priority:
            return False
        if self.channel and self.channel != ticket.channel:
            return False
        if self.product_category_ids:
            path = ticket.product_id.sudo().categ_id.parent_path or ""
            ancestors = {int(part) for part in path.split("/") if part}
            if not ancestors.intersection(self.product_category_ids.ids):
                return False
        if self.zone_ids:
            address = ticket.service_address_id.sudo()
            if not address:
                return False
            cache = {} if zone_cache is None else zone_cache
            for zone in self.zone_ids:
                key = (zone.id, address.id)
                if key not in cache:
                    cache[key] = zone._covers(address)
                if cache[key]:
                    return True
            return False
        return True
