from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

PENALTY_REASONS = [
    ("late", "Late"),
    ("rework", "Re-work"),
    ("low_csat", "Low CSAT"),
]

LATE_BASES = [
    ("resolve", "Done after the ticket's SLA deadline"),
    ("arrival", "Arrived after the agreed time"),
]

AMOUNT_TYPES = [
    ("fixed", "Fixed amount"),
    ("percent", "Percent of the job"),
]


class AftersalesPartnerPenalty(models.Model):
    _name = "aftersales.partner.penalty"
    _description = "Service Partner Penalty Rule"
    _order = "company_id, partner_id, reason, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one(
        "res.partner",
        string="Service Partner",
        index="btree_not_null",
        ondelete="cascade",
        domain="[('aftersales_service_partner', '=', True)]",
        help="The partner whose agreement holds this penalty; empty for the company's default, applied to the "
        "partners without a rule of their own for the reason.",
    )
    reason = fields.Selection(PENALTY_REASONS, required=True, default="late")
    late_basis = fields.Selection(
        LATE_BASES,
        string="Late when",
        default="resolve",
        help="Done after the ticket's SLA deadline (Solve by), or arrived (checked in) after the time agreed "
        "with the customer (Arrival Until, else the planned start).",
    )
    late_hours = fields.Float(
        string="Grace (hours)", help="A job is late only when it is more than this many hours past its deadline."
    )
    rework_days = fields.Integer(
        string="Re-work Window (days)",
        default=30,
        help="A job is re-work when a repair visit on the same unit starts within this many days after it.",
    )
    csat_threshold = fields.Float(
        string="CSAT below",
        default=3.0,
        digits=(3, 2),
        help="A job is penalised when the customer rated its ticket (1 to 5) below this score.",
    )
    amount_type = fields.Selection(AMOUNT_TYPES, required=True, default="fixed")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(string="Fixed Amount", help="Deducted for each job penalised, in the company currency.")
    percent = fields.Float(string="Percent of the Job (%)", help="Part of the job's amount deducted.")

    @api.depends("partner_id", "reason", "late_basis", "amount_type", "amount", "percent")
    def _compute_display_name(self):
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        for penalty in self:
            owner = penalty.partner_id.display_name or _("Default")
            penalty.display_name = f"{owner}: {reasons.get(penalty.reason, '')}"

    @api.constrains("amount", "percent", "late_hours", "rework_days", "csat_threshold")
    def _check_amounts(self):
        for penalty in self:
            if (
                penalty.amount < 0
                or not 0 <= penalty.percent <= 100
                or penalty.late_hours < 0
                or penalty.rework_days < 0
                or not 0 <= penalty.csat_threshold <= 5
            ):
                raise ValidationError(
                    _(
                        "The penalty %(penalty)s is wrong: amounts, grace and window cannot be negative, a percent "
                        "is at most 100 and a CSAT threshold between 0 and 5.",
                        penalty=penalty.display_name,
                    )
                )

    @api.constrains("partner_id", "reason", "late_basis", "company_id", "active")
    def _check_one_rule_per_reason(self):
        for penalty in self.filtered("active"):
            domain = [
                ("id", "!=", penalty.id),
                ("company_id", "=", penalty.company_id.id),
                ("partner_id", "=", penalty.partner_id.id),
                ("reason", "=", penalty.reason),
            ]
            if penalty.reason == "late":
                domain.append(("late_basis", "=", penalty.late_basis))
            same = self.search_count(domain)
            if same:
                raise ValidationError(
                    _(
                        "%(owner)s already has a %(reason)s penalty: change it rather than adding another.",
                        owner=penalty.partner_id.display_name or _("The company"),
                        reason=dict(self._fields["reason"]._description_selection(self.env))[penalty.reason],
                    )
                )

    @api.constrains("partner_id")
    def _check_service_partner(self):
        for penalty in self.filtered("partner_id"):
            if not penalty.partner_id.commercial_partner_id.aftersales_service_partner:
                raise ValidationError(
                    _(
                        "%(partner)s is not a service partner: penalties are agreed with service partners only.",
                        partner=penalty.partner_id.display_name,
                    )
                )

    @api.model
    def _rules_for(self, partner, company):
        """The penalty rules applied to ``partner``: its own, and the company's defaults for the reasons it has no
        rule of its own for (its late rule on arrival replaces both default late rules)."""
        rules = self.search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", [partner.commercial_partner_id.id, False]),
            ]
        )
        own = rules.filtered("partner_id")
        defaults = (rules - own).filtered(lambda rule: rule.reason not in set(own.mapped("reason")))
        return own | defaults

    def _amount_for(self, job_amount, currency, date):
        """The amount (positive) this rule deducts from a job paid ``job_amount`` in ``currency``."""
        self.ensure_one()
        if self.amount_type == "percent":
            return currency.round(job_amount * self.percent / 100.0)
        return self.currency_id._convert(self.amount, currency, self.company_id, date or fields.Date.today())

    def _late_delay_hours(self, visit):
        """How many hours ``visit`` was past its deadline (0 when on time or without a deadline)."""
        self.ensure_one()
        if self.late_basis == "arrival":
            done, deadline = visit.check_in, visit.window_end or visit.scheduled_start
        else:
            done, deadline = visit.check_out, visit.ticket_id.sla_resolve_deadline
        if not done or not deadline or done <= deadline:
            return 0.0
        return (done - deadline).total_seconds() / 3600.0
