from odoo import api, fields, models


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
    base_amount = fields.Monetary(string="Billed Fees", help="What the visit billed the customer, untaxed.")
    amount = fields.Monetary(string="Commission", help="The commission before any deduction.")
    deduction = fields.Monetary(help="Withheld because the unit needed re-work.")
    total = fields.Monetary(compute="_compute_total", store=True, string="Net Commission")
    rework_ticket_id = fields.Many2one(
        "aftersales.ticket", string="Re-work Ticket", help="The ticket that shows the unit needed re-work."
    )

    _sql_constraints = [
        ("visit_technician_uniq", "unique (visit_id, technician_id)", "A visit pays a technician once."),
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
            "rework_ticket_id",
        }

    def _locked_records(self):
        """The commissions of closed periods are frozen."""
        return super()._locked_records() | self.filtered(lambda commission: commission.period_id.state == "closed")

    @api.model_create_multi
    def create(self, vals_list):
        periods = self.env["aftersales.commission.period"].browse({vals["period_id"] for vals in vals_list})
        periods._aftersales_check_open()
        return super().create(vals_list)

    def write(self, vals):
        # the rights first: a frozen commission is refused as such
        self._guard_check_write(vals)
        self.period_id._aftersales_check_open()
        if "period_id" in vals:
            self.env["aftersales.commission.period"].browse(vals["period_id"])._aftersales_check_open()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed(self):
        self.period_id._aftersales_check_open()

    # ------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------

    @api.model
    def _aftersales_compute_for_visits(self, visits):
        """Create or update the commissions of done ``visits``; closed periods stay as they are."""
        visits = visits.with_env(self.env).filtered(lambda v: v.state == "done" and v.technician_id and v.check_out)
        if not visits:
            return self.browse()
        Period = self.env["aftersales.commission.period"]
        rules_by_company = {
            company: self.env["aftersales.commission.rule"].search([("company_id", "=", company.id)])
            for company in visits.company_id
        }
        existing = {(c.visit_id, c.technician_id): c for c in self.search([("visit_id", "in", visits.ids)])}
        to_create, result = [], self.browse()
        for visit in visits:
            period = Period._aftersales_period_for(visit.company_id, visit.check_out.date())
            commission = existing.pop((visit, visit.technician_id), self.browse())
            if period.state == "closed" or commission.state == "closed":
                result |= commission
                continue
            rule = self.env["aftersales.commission.rule"]._aftersales_rule_for(
                visit, rules_by_company[visit.company_id]
            )
            if not rule:
                commission.unlink()
                continue
            vals = self._prepare_commission_vals(visit, rule, period)
            if commission:
                commission.write(vals)
                result |= commission
            else:
                to_create.append(vals)
        # a technician replaced on a done visit no longer earns it
        self.browse([c.id for c in existing.values() if c.state != "closed"]).unlink()
        return result | self.create(to_create)

    def _prepare_commission_vals(self, visit, rule, period):
        company = visit.company_id
        base = 0.0
        for sale_line in visit.line_ids.sale_line_ids:
            order = sale_line.order_id
            base += order.currency_id._convert(
                sale_line.price_subtotal, company.currency_id, company, order.date_order or fields.Date.today()
            )
        amount = rule._aftersales_amount(base)
        rework = visit._aftersales_rework_ticket(rule.rework_days) if rule.rework_deduction else None
        deduction = company.currency_id.round(amount * rule.rework_deduction / 100.0) if rework else 0.0
        return {
            "visit_id": visit.id,
            "technician_id": visit.technician_id.id,
            "period_id": period.id,
            "company_id": company.id,
            "rule_id": rule.id,
            "date": visit.check_out.date(),
            "base_amount": base,
            "amount": amount,
            "deduction": deduction,
            "rework_ticket_id": rework.id if rework else False,
        }
