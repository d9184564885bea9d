from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

AMOUNT_TYPES = [
    ("fixed", "Fixed Amount"),
    ("percentage", "Percentage of the Fees"),
]


class AftersalesCommissionRule(models.Model):
    _name = "aftersales.commission.rule"
    _description = "Commission Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    visit_type_id = fields.Many2one("aftersales.visit.type", help="Leave empty for every visit type.")
    ticket_type_id = fields.Many2one("aftersales.ticket.type", help="Leave empty for every ticket type.")
    product_category_id = fields.Many2one(
        "product.category", help="The category of the ticket's product, or one of its parents; empty for all."
    )
    amount_type = fields.Selection(AMOUNT_TYPES, required=True, default="fixed")
    fixed_amount = fields.Monetary(help="Paid for each done visit.")
    percentage = fields.Float(help="Part of what the visit bills the customer (untaxed), in percent.")
    covered_base = fields.Boolean(
        string="Count Covered Fees",
        default=True,
        help="The percentage also applies to the fees a warranty or a service contract pays, at what the "
        "customer would have paid: warranty and contract jobs earn as billed jobs do. Unticked, they "
        "earn only on what the customer is billed.",
    )
    rework_days = fields.Integer(
        string="Re-work Period (days)",
        default=30,
        help="A repair visit on the same unit (the serial number, or the same ticket when there is none), "
        "on any ticket, started within these days after the visit was done, shows the visit needed "
        "re-work: the commission of the visit is reduced.",
    )
    rework_deduction = fields.Float(string="Re-work Deduction (%)", help="Part of the commission withheld on re-work.")

    @api.constrains("fixed_amount", "percentage", "rework_days", "rework_deduction")
    def _check_figures(self):
        for rule in self:
            if rule.fixed_amount < 0 or rule.rework_days < 0:
                raise ValidationError(
                    _("The amount and the days of commission rule %(rule)s cannot be negative.", rule=rule.name)
                )
            if not (0 <= rule.percentage <= 100 and 0 <= rule.rework_deduction <= 100):
                raise ValidationError(
                    _("The percentages of commission rule %(rule)s must be between 0 and 100.", rule=rule.name)
                )

    def _specificity(self, visit):
        """How many criteria of the rule ``visit`` meets, or -1 when one does not match."""
        self.ensure_one()
        ticket = visit.ticket_id
        category_ids = [int(i) for i in (ticket.product_id.categ_id.parent_path or "").split("/") if i]
        checks = [
            (self.visit_type_id, self.visit_type_id == visit.visit_type_id),
            (self.ticket_type_id, self.ticket_type_id == ticket.ticket_type_id),
            (self.product_category_id, self.product_category_id.id in category_ids),
        ]
        if any(criterion and not matched for criterion, matched in checks):
            return -1
        return sum(1 for criterion, _matched in checks if criterion)

    @api.model
    def _rule_for(self, visit, rules=None):
        """The rule paying ``visit``: the most specific one that matches, then the first in sequence."""
        if rules is None:
            rules = self.search([("company_id", "=", visit.company_id.id)])
        scored = [(rule._specificity(visit), rule) for rule in rules]
        scored = [(score, rule) for score, rule in scored if score >= 0]
        if not scored:
            return self.browse()
        return min(scored, key=lambda item: (-item[0], item[1].sequence, item[1].id))[1]

    def _amount(self, base_amount):
        self.ensure_one()
        if self.amount_type == "percentage":
            return self.currency_id.round(base_amount * self.percentage / 100.0)
        return self.fixed_amount
