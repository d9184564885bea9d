from odoo import fields, models


class AftersalesKpiOverview(models.TransientModel):
    _inherit = "aftersales.kpi.overview"

    warranty_cost = fields.Monetary(
        compute="_compute_kpis",
        currency_field="currency_id",
        help="What the lines paid by the warranty on the period's visits cost the company.",
    )
    warranty_covered_amount = fields.Monetary(
        string="Covered by Warranty",
        compute="_compute_kpis",
        currency_field="currency_id",
        help="What the customers would have paid for these lines.",
    )

    def action_open_warranty_cost(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_warranty.aftersales_visit_line_action_warranty_cost"
        )
        action["domain"] = self._warranty_cost_domain()
        return action

    def _warranty_cost_domain(self):
        domain = [
            ("coverage", "=", "warranty"),
            ("visit_date", ">=", self.date_from),
            ("visit_date", "<=", self.date_to),
            ("visit_id.state", "!=", "cancel"),
        ]
        if self.company_id:
            domain.append(("company_id", "=", self.company_id.id))
        if self.team_id:
            domain.append(("visit_id.ticket_id.team_id", "=", self.team_id.id))
        return domain

    def _kpi_values(self):
        values = super()._kpi_values()
        [(cost, covered)] = self.env["aftersales.visit.line"]._read_group(
            self._warranty_cost_domain(), aggregates=["cost_amount:sum", "covered_amount:sum"]
        )
        values.update(warranty_cost=cost, warranty_covered_amount=covered)
        return values
