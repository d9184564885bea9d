from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

PARTS_PRICINGS = [
    ("cost", "Cost plus markup"),
    ("list", "Sales price less discount"),
]


class AftersalesPartnerRate(models.Model):
    _name = "aftersales.partner.rate"
    _description = "Service Partner Rate"
    _order = "partner_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Service Partner",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('aftersales_service_partner', '=', True)]",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    visit_type_id = fields.Many2one(
        "aftersales.visit.type", help="The visits of this type are paid at this rate; empty for any type."
    )
    ticket_type_id = fields.Many2one(
        "aftersales.ticket.type", help="The jobs of tickets of this type are paid at this rate; empty for any type."
    )
    currency_id = fields.Many2one("res.currency", required=True, default=lambda self: self.env.company.currency_id)
    amount = fields.Monetary(
        string="Amount per Job", required=True, help="The fixed amount paid to the partner for each job done."
    )
    parts_pricing = fields.Selection(
        PARTS_PRICINGS,
        required=True,
        default="cost",
        help="How the parts the partner supplies from its own stock are paid: the part's cost plus a markup, "
        "or its sales price less a discount.",
    )
    parts_percent = fields.Float(
        string="Markup / Discount (%)", help="The markup on the cost, or the discount on the sales price, in percent."
    )

    _sql_constraints = [
        ("amount_positive", "CHECK(amount >= 0)", "The amount per job cannot be negative."),
    ]

    @api.constrains("parts_percent", "parts_pricing")
    def _check_parts_percent(self):
        for rate in self:
            if rate.parts_percent < 0 or (rate.parts_pricing == "list" and rate.parts_percent > 100):
                raise ValidationError(
                    _(
                        "The markup or discount of the rates of %(partner)s must be a positive percentage, "
                        "a discount at most 100%%.",
                        partner=rate.partner_id.display_name,
                    )
                )

    @api.depends("partner_id", "visit_type_id", "ticket_type_id")
    def _compute_display_name(self):
        for rate in self:
            scope = " / ".join(filter(None, [rate.visit_type_id.name, rate.ticket_type_id.name])) or _("Any job")
            rate.display_name = f"{rate.partner_id.display_name}: {scope}"

    def _for_visit(self, partner, visit, rates=None):
        """The partner's rate for ``visit``: both types matching first, then one, then a rate for any job.

        ``rates``: the partner's rates already loaded (see ``_partner_rates``), to read them once
        for many jobs."""
        if rates is None:
            rates = self._partner_rates(partner, visit.company_id)
        rates = rates.filtered(
            lambda rate: (
                rate.company_id == visit.company_id
                and rate.visit_type_id in (visit.visit_type_id, self.env["aftersales.visit.type"])
                and rate.ticket_type_id in (visit.ticket_id.ticket_type_id, self.env["aftersales.ticket.type"])
            )
        )
        return rates.sorted(lambda rate: (-(bool(rate.visit_type_id) * 2 + bool(rate.ticket_type_id)), rate.sequence))[
            :1
        ]

    def _partner_rates(self, partner, company):
        return self.search([("partner_id", "=", partner.commercial_partner_id.id), ("company_id", "=", company.id)])

    def _part_price(self, product, currency=None, date=None):
        """The price of a part the partner supplied, in ``currency`` (default: the rate's) on ``date``."""
        self.ensure_one()
        company = self.company_id
        product = product.with_company(company)
        if self.parts_pricing == "list":
            base, base_currency = product.lst_price * (1 - self.parts_percent / 100.0), product.currency_id
        else:
            base, base_currency = product.standard_price * (1 + self.parts_percent / 100.0), company.currency_id
        return base_currency._convert(
            base, currency or self.currency_id, company, date or fields.Date.context_today(self)
        )
