from odoo import api, fields, models

from ..tools.periods import company_day

LINE_TYPES = [
    ("commission", "Commission"),
    ("deduction", "Late Deduction"),
]


class AftersalesCommission(models.Model):
    _name = "aftersales.commission"
    _description = "Technician Commission"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    visit_id = fields.Many2one("aftersales.visit", required=True, index=True, ondelete="restrict", check_company=True)
    ticket_id = fields.Many2one(related="visit_id.ticket_id", store=True, string="Ticket")
    technician_id = fields.Many2one(
        "aftersales.technician", required=True, index=True, ondelete="restrict", check_company=True
    )
    technician_user_id = fields.Many2one(related="technician_id.user_id", store=True, string="Technician User")
    period_id = fields.Many2one(
        "aftersales.commission.period", required=True, index=True, ondelete="restrict", check_company=True
    )
    state = fields.Selection(related="period_id.state", store=True, string="Period Status")
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    rule_id = fields.Many2one("aftersales.commission.rule", required=True, ondelete="restrict", check_company=True)
    date = fields.Date(required=True, index=True, help="The day the visit was done.")
    line_type = fields.Selection(
        LINE_TYPES,
        string="Type",
        required=True,
        default="commission",
        help="A late deduction withholds, in a later period, a part of a commission of a closed period "
        "when the re-work of its visit was found after the period closed.",
    )
    origin_id = fields.Many2one(
        "aftersales.commission",
        string="Original Commission",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        help="The commission of a closed period this late deduction reduces.",
    )
    late_deduction_ids = fields.One2many("aftersales.commission", "origin_id", string="Late Deductions")
    base_amount = fields.Monetary(string="Billed Fees", help="What the visit billed the customer, untaxed.")
    covered_amount = fields.Monetary(
        string="Covered Fees",
        help="What the customer would have paid for the fees a warranty or a service contract paid.",
    )
    amount = fields.Monetary(string="Commission", help="The commission before any deduction.")
    deduction = fields.Monetary(help="Withheld because the unit needed re-work.")
    total = fields.Monetary(compute="_compute_total", store=True, string="Net Commission")
    rework_visit_id = fields.Many2one(
        "aftersales.visit",
        string="Re-work Visit",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        help="The repair visit on the same unit, within the re-work period of the rule, that shows the "
        "visit needed re-work.",
    )
    rework_ticket_id = fields.Many2one(related="rework_visit_id.ticket_id", store=True, string="Re-work Ticket")

    _sql_constraints = [
        (
            "visit_technician_uniq",
            "unique (visit_id, technician_id, line_type)",
            "A visit pays a technician once, and is reduced by at most one late deduction.",
        ),
        (
            "deduction_origin",
            "CHECK ((line_type = 'commission' AND origin_id IS NULL) "
            "OR (line_type = 'deduction' AND origin_id IS NOT NULL))",
            "A late deduction, and only a late deduction, reduces an original commission.",
        ),
    ]

    @api.depends("amount", "deduction")
    def _compute_total(self):
        for commission in self:
            commission.total = commission.amount - commission.deduction

    @api.model
    def _guarded_fields(self):
        """Who earns what for which visit is computed from the done visits, never typed in."""
        return super()._guarded_fields() | {
            "visit_id",
            "technician_id",
            "period_id",
            "state",
            "company_id",
            "rule_id",
            "date",
            "base_amount",
            "covered_amount",
            "line_type",
            "origin_id",
            "rework_visit_id",
            "rework_ticket_id",
        }

    def _locked_records(self):
        """The commissions of closed periods are frozen."""
        return super()._locked_records() | self.filtered(lambda commission: commission.period_id.state == "closed")

    def _lock_refusal(self, field_names):
        return self.period_id._lock_refusal(field_names, records=self)

    @api.model_create_multi
    def create(self, vals_list):
        periods = self.env["aftersales.commission.period"].browse({vals["period_id"] for vals in vals_list})
        periods._check_open()
        return super().create(vals_list)

    def write(self, vals):
        # the rights first: a frozen commission is refused as such
        self._guard_check_write(vals)
        self.period_id._check_open()
        if "period_id" in vals:
            self.env["aftersales.commission.period"].browse(vals["period_id"])._check_open()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed(self):
        self.period_id._check_open()

    # ------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------

    @api.model
    def _compute_for_visits(self, visits):
        """Create or update the commissions of done ``visits``; closed periods stay as they are.

        A done repair visit may be the re-work of earlier visits on the same unit: their commissions
        are computed again too. When the commission of such a visit is in a closed period, the
        deduction goes to a late deduction line in the next open period (see
        :meth:`_withhold_late_rework`).
        """
        visits = visits.with_env(self.env).filtered(lambda v: v.state == "done" and v.technician_id and v.check_out)
        if not visits:
            return self.browse()
        Rule = self.env["aftersales.commission.rule"]
        rules_by_company = {company: Rule.search([("company_id", "=", company.id)]) for company in visits.company_id}
        max_days = max(
            (rule.rework_days for rules in rules_by_company.values() for rule in rules if rule.rework_deduction),
            default=0,
        )
        visits |= visits._find_reworked(max_days).filtered(lambda v: v.technician_id)
        existing = {
            (c.visit_id, c.technician_id): c
            for c in self.search([("visit_id", "in", visits.ids), ("line_type", "=", "commission")])
        }
        periods = self.env["aftersales.commission.period"]
        plans, closed = [], self.browse()
        for visit in visits:
            # the periods already met serve the next visits: one search per period, not per visit
            # the day where the company is, as its partners' settlements count it
            day = company_day(visit.company_id, visit.check_out)
            period = next(
                (p for p in periods if p.company_id == visit.company_id and p.date_from <= day <= p.date_to),
                None,
            )
            if not period:
                period = periods._period_for(visit.company_id, day)
                periods |= period
            commission = existing.pop((visit, visit.technician_id), self.browse())
            if period.state == "closed" or commission.state == "closed":
                closed |= commission
                continue
            rule = Rule._rule_for(visit, rules_by_company[visit.company_id])
            plans.append((visit, commission, rule, period))
        windows = {visit: rule.rework_days for visit, _c, rule, _p in plans if rule.rework_deduction}
        windows.update({c.visit_id: c.rule_id.rework_days for c in closed if c.rule_id.rework_deduction})
        revisits = visits._find_revisits(windows)
        to_create, result = [], closed
        for visit, commission, rule, period in plans:
            if not rule:
                commission.unlink()
                continue
            vals = self._prepare_commission_vals(visit, rule, period, revisits.get(visit))
            if commission.late_deduction_ids:
                # a reopened period: the re-work was already withheld later, not twice
                vals.update(deduction=0.0, rework_visit_id=False)
            if commission:
                commission._write_changes(vals)
                result |= commission
            else:
                to_create.append(vals)
        # a technician replaced on a done visit no longer earns it
        self.browse([c.id for c in existing.values() if c.state != "closed"]).unlink()
        result |= self.create(to_create)
        closed._withhold_late_rework(revisits)
        return result

    def _withhold_late_rework(self, revisits):
        """Withhold the re-work of these commissions of closed periods in a later open period.

        :param dict revisits: ``{visit: revisit}`` (see ``aftersales.visit._find_revisits``)
        """
        to_create = []
        for commission in self:
            revisit = revisits.get(commission.visit_id)
            late = commission.late_deduction_ids
            if late.state == "closed":
                continue
            amount = 0.0
            if revisit and not commission.deduction:
                amount = commission.currency_id.round(commission.amount * commission.rule_id.rework_deduction / 100.0)
            if commission.currency_id.is_zero(amount):
                late.unlink()
                continue
            vals = {
                "deduction": amount,
                "rework_visit_id": revisit.id,
                "date": company_day(revisit.company_id, revisit.check_out),
            }
            if late:
                late._write_changes(vals)
                continue
            period = self._late_deduction_period(commission, revisit)
            if period:
                to_create.append(self._prepare_late_deduction_vals(commission, period) | vals)
        return self.create(to_create)

    def _late_deduction_period(self, commission, revisit):
        """The period of a late deduction of ``commission``: the first open period after the
        commission's own, else the period of the day the revisit was done, if it is open."""
        Period = self.env["aftersales.commission.period"]
        period = Period.search(
            [
                ("company_id", "=", commission.company_id.id),
                ("state", "=", "open"),
                ("date_from", ">", commission.period_id.date_to),
            ],
            order="date_from",
            limit=1,
        )
        if not period:
            period = Period._period_for(commission.company_id, company_day(revisit.company_id, revisit.check_out))
        return period if period.state == "open" else Period

    def _prepare_late_deduction_vals(self, commission, period):
        """Values of the late deduction that reduces ``commission`` (of a closed period) in ``period``."""
        return {
            "line_type": "deduction",
            "origin_id": commission.id,
            "visit_id": commission.visit_id.id,
            "technician_id": commission.technician_id.id,
            "period_id": period.id,
            "company_id": commission.company_id.id,
            "rule_id": commission.rule_id.id,
            "base_amount": 0.0,
            "covered_amount": 0.0,
            "amount": 0.0,
        }

    def _write_changes(self, vals):
        """Write the values of ``vals`` that differ: a computation that finds nothing new writes nothing."""
        self.ensure_one()
        changes = {}
        for name, value in vals.items():
            current = self[name]
            if self._fields[name].type == "many2one":
                current = current.id
            if self._fields[name].type == "monetary":
                if self.currency_id.compare_amounts(current, value or 0.0):
                    changes[name] = value
            elif current != value:
                changes[name] = value
        if changes:
            self.write(changes)

    def _prepare_commission_vals(self, visit, rule, period, revisit=None):
        """Values of the commission of ``visit`` paid by ``rule`` in ``period``; ``revisit`` is the
        visit that shows it needed re-work, if any."""
        company = visit.company_id
        base = covered = 0.0
        for sale_line in visit.line_ids.sale_line_ids:
            order = sale_line.order_id
            base += order.currency_id._convert(
                sale_line.price_subtotal, company.currency_id, company, order.date_order or fields.Date.today()
            )
        for line in visit.line_ids:
            value = line._covered_value()
            if value:
                covered += line.currency_id._convert(
                    value, company.currency_id, company, company_day(company, visit.check_out)
                )
        covered = company.currency_id.round(covered)
        amount = rule._amount(base + covered if rule.covered_base else base)
        rework = revisit if rule.rework_deduction else None
        deduction = company.currency_id.round(amount * rule.rework_deduction / 100.0) if rework else 0.0
        return {
            "visit_id": visit.id,
            "technician_id": visit.technician_id.id,
            "period_id": period.id,
            "company_id": company.id,
            "rule_id": rule.id,
            "date": company_day(company, visit.check_out),
            "base_amount": base,
            "covered_amount": covered,
            "amount": amount,
            "deduction": deduction,
            "rework_visit_id": rework.id if rework else False,
        }
