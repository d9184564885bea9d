from collections import namedtuple

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from .aftersales_ticket import TICKET_PRIORITIES

# what a ticket is matched on, kept in the registry's cache (see AftersalesSlaPolicy._criteria)
PolicyCriteria = namedtuple("PolicyCriteria", "id company_id team_id ticket_type_id priority partner_category_ids")


class AftersalesSlaPolicy(models.Model):
    _name = "aftersales.sla.policy"
    # the criteria of the policies are kept in the registry's cache (see _criteria)
    _inherit = ["aftersales.cached.mixin"]
    _description = "Service Level Agreement Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="The first matching policy, in this order, applies to a ticket.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    description = fields.Text(translate=True)
    team_id = fields.Many2one("aftersales.team", check_company=True, help="Leave empty to apply to every team.")
    ticket_type_id = fields.Many2one("aftersales.ticket.type", help="Leave empty to apply to every ticket type.")
    priority = fields.Selection(TICKET_PRIORITIES, help="Leave empty to apply to every priority.")
    partner_category_ids = fields.Many2many(
        "res.partner.category",
        string="Customer Tags",
        help="Applies to customers with one of these tags. Leave empty for every customer.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        required=True,
        check_company=True,
        default=lambda self: self.env.company.resource_calendar_id,
        help="Deadlines count only the working hours of this calendar; its public "
        "holidays (leaves without a resource) are skipped.",
    )
    response_hours = fields.Float(
        string="First Response (hours)",
        required=True,
        default=4.0,
        help="Working hours allowed before the first answer to the customer.",
    )
    resolution_hours = fields.Float(
        string="Resolution (hours)",
        required=True,
        default=24.0,
        help="Working hours allowed to solve the ticket.",
    )
    at_risk_percent = fields.Integer(
        string="At Risk After (%)",
        default=80,
        help="A ticket is at risk once this share of its resolution time is used.",
    )
    reply_hours = fields.Float(
        string="Next Reply (hours)",
        help="Working hours allowed to answer each message of the customer after the first response. "
        "0: no next reply target.",
    )
    escalation_hours = fields.Float(
        string="Level 2 after (hours)",
        help="Hours a target stays missed after its first escalation (to the team leader) before it goes "
        "to the branch manager or the after-sales manager. 0: no second level.",
    )

    @api.constrains("response_hours", "resolution_hours", "at_risk_percent", "reply_hours", "escalation_hours")
    def _check_targets(self):
        for policy in self:
            if policy.reply_hours < 0 or policy.escalation_hours < 0:
                raise ValidationError(
                    _(
                        "The next reply target and the level 2 delay of %(policy)s cannot be negative "
                        "(0 switches them off).",
                        policy=policy.name,
                    )
                )
            if policy.response_hours <= 0 or policy.resolution_hours <= 0:
                raise ValidationError(
                    _(
                        "The SLA targets of %(policy)s must be more than zero hours.",
                        policy=policy.name,
                    )
                )
            if policy.response_hours > policy.resolution_hours:
                raise ValidationError(
                    _(
                        "The first response target of %(policy)s cannot be longer than its resolution target.",
                        policy=policy.name,
                    )
                )
            if not 0 < policy.at_risk_percent < 100:
                raise ValidationError(
                    _(
                        "The at-risk threshold of %(policy)s must be between 1 and 99 percent.",
                        policy=policy.name,
                    )
                )

    @api.model
    @tools.ormcache("company_ids")
    def _criteria(self, company_ids):
        """The criteria of the active policies of the companies ``company_ids`` (a sorted tuple), in the
        order they are tried (:class:`PolicyCriteria`); cached until a policy changes, so that a new
        ticket is matched without reading them. The customer tags are the active ones (archiving a tag
        clears the cache too, see ``res.partner.category``)."""
        policies = (
            self.sudo()
            .with_context(active_test=True)
            .search_fetch(
                [("company_id", "in", list(company_ids))],
                ["company_id", "team_id", "ticket_type_id", "priority", "partner_category_ids"],
            )
        )
        return tuple(
            PolicyCriteria(
                policy.id,
                policy.company_id.id,
                policy.team_id.id,
                policy.ticket_type_id.id,
                policy.priority or False,
                frozenset(policy.partner_category_ids.ids),
            )
            for policy in policies
        )

    @api.model
    def _match(self, tickets):
        """The policy of each of ``tickets``: ``{ticket: policy}``, the first policy whose criteria it
        meets (empty criteria match anything); an empty policy when none does. The criteria come from
        the cache; the customers' tags are read at once, when a policy asks for them."""
        criteria = self._criteria(tuple(sorted(tickets.company_id.ids))) if tickets.company_id else ()
        tags = {}
        if any(policy.partner_category_ids for policy in criteria):
            # the tags of the customers and of their companies, archived ones too: the policies' are
            # active ones only
            partners = (tickets.partner_id | tickets.partner_id.commercial_partner_id).with_context(active_test=False)
            partners.fetch(["category_id"])
            tags = {partner.id: frozenset(partner.category_id.ids) for partner in partners}
        matches = {}
        for ticket in tickets:
            partner = ticket.partner_id
            ticket_tags = tags.get(partner.id, frozenset()) | tags.get(partner.commercial_partner_id.id, frozenset())
            policy_id = next(
                (
                    policy.id
                    for policy in criteria
                    if policy.company_id == ticket.company_id.id
                    and (not policy.team_id or policy.team_id == ticket.team_id.id)
                    and (not policy.ticket_type_id or policy.ticket_type_id == ticket.ticket_type_id.id)
                    and (not policy.priority or policy.priority == ticket.priority)
                    and (not policy.partner_category_ids or policy.partner_category_ids & ticket_tags)
                ),
                False,
            )
            matches[ticket] = self.browse(policy_id)
        return matches
