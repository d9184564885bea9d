from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.periods import utc_period_bounds


class AftersalesKpiOverview(models.TransientModel):
    """The managers' overview: one tile per KPI, each read by a grouped SQL query.

    The measures are read by ``_kpi_values``, which other addons extend
    with their own (warranty cost, return rate, satisfaction) through ``super()``.
    """

    _name = "aftersales.kpi.overview"
    _description = "After-Sales KPI Overview"

    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    team_id = fields.Many2one("aftersales.team", help="Only the tickets of this team.")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")

    # backlog: now, whatever the period
    open_count = fields.Integer(string="Open Tickets", compute="_compute_kpis")
    backlog_age_days = fields.Float(string="Backlog Age (days)", compute="_compute_kpis")
    # tickets reported in the period
    ticket_count = fields.Integer(string="Tickets Reported", compute="_compute_kpis")
    closed_count = fields.Integer(string="Tickets Closed", compute="_compute_kpis")
    response_hours = fields.Float(string="Time to Respond (h)", compute="_compute_kpis")
    resolve_hours = fields.Float(string="Time to Resolve (h)", compute="_compute_kpis")
    sla_response_rate = fields.Float(string="Response on Time (%)", compute="_compute_kpis")
    sla_resolve_rate = fields.Float(string="Resolved on Time (%)", compute="_compute_kpis")
    first_time_fix_rate = fields.Float(string="First-Time Fix (%)", compute="_compute_kpis")
    csat_score = fields.Float(string="CSAT", digits=(3, 2), compute="_compute_kpis")
    rated_count = fields.Integer(string="Rated Tickets", compute="_compute_kpis")
    # technicians in the period
    visit_hours = fields.Float(compute="_compute_kpis")
    utilisation = fields.Float(string="Utilisation (%)", compute="_compute_kpis")

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for overview in self:
            if overview.date_to < overview.date_from:
                raise UserError(_("The end of the period must come after its start."))

    @api.depends("date_from", "date_to", "team_id", "company_id")
    def _compute_kpis(self):
        for overview in self:
            values = overview._kpi_values() if overview.date_from and overview.date_to else {}
            for name in overview._kpi_fields():
                overview[name] = values.get(name) or 0

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_kpi_action")
        action["domain"] = self._ticket_domain()
        action["context"] = {"search_default_group_team": 1}
        return action

    def action_open_backlog(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_kpi_action")
        action["domain"] = self._scope_domain() + [("is_closed", "=", False)]
        action["context"] = {"search_default_group_team": 1}
        return action

    def action_open_utilisation(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_technician_kpi_action")
        action["domain"] = self._technician_domain()
        return action

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _kpi_fields(self):
        """The computed measure fields of the overview (extended with the fields added by other addons)."""
        return [name for name, field in self._fields.items() if field.compute == "_compute_kpis"]

    def _period_bounds(self):
        """The period's days in the user's time zone, as naive UTC datetimes [start, end)."""
        return utc_period_bounds(self.env, self.date_from, self.date_to)

    def _scope_domain(self):
        domain = []
        if self.company_id:
            domain.append(("company_id", "=", self.company_id.id))
        if self.team_id:
            domain.append(("team_id", "=", self.team_id.id))
        return domain

    def _ticket_domain(self):
        start, end = self._period_bounds()
        return self._scope_domain() + [("request_date", ">=", start), ("request_date", "<", end)]

    def _technician_domain(self):
        domain = [("date", ">=", self.date_from), ("date", "<=", self.date_to)]
        if self.company_id:
            domain.append(("company_id", "=", self.company_id.id))
        if self.team_id:
            domain.append(("user_id", "in", self.team_id.member_ids.ids))
        return domain

    def _kpi_values(self):
        """The measures of the overview by field name; one grouped query per source."""
        self.ensure_one()
        kpi = self.env["aftersales.ticket.kpi"]
        [(open_count, backlog_age)] = kpi._read_group(
            self._scope_domain() + [("is_closed", "=", False)],
            aggregates=["__count", "backlog_age_days:avg"],
        )
        [period] = kpi._read_group(
            self._ticket_domain(),
            aggregates=[
                "__count",
                "closed_count:sum",
                "response_hours:avg",
                "resolve_hours:avg",
                "sla_response_rate:avg",
                "sla_resolve_rate:avg",
                "first_time_fix_rate:avg",
                "csat_score:avg",
                "rated_count:sum",
            ],
        )
        [(visit_hours, utilisation)] = self.env["aftersales.technician.kpi"]._read_group(
            self._technician_domain(), aggregates=["visit_hours:sum", "utilisation:avg"]
        )
        return {
            "open_count": open_count,
            "backlog_age_days": backlog_age,
            "ticket_count": period[0],
            "closed_count": period[1],
            "response_hours": period[2],
            "resolve_hours": period[3],
            "sla_response_rate": period[4],
            "sla_resolve_rate": period[5],
            "first_time_fix_rate": period[6],
            "csat_score": period[7],
            "rated_count": period[8],
            "visit_hours": visit_hours,
            "utilisation": utilisation,
        }
