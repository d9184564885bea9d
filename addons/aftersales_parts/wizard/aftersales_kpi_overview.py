from odoo import fields, models


class AftersalesKpiOverview(models.TransientModel):
    _inherit = "aftersales.kpi.overview"

    returned_qty = fields.Float(string="Units Returned", compute="_compute_kpis")
    return_rate = fields.Float(
        string="Return Rate (%)",
        compute="_compute_kpis",
        help="Units returned by customers over units delivered, in the months of the period.",
    )

    def action_open_return_rate(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_parts.aftersales_rma_report_action")
        action["domain"] = self._return_domain()
        return action

    def _return_domain(self):
        # the report counts by month: the months touching the period
        domain = [("date", ">=", self.date_from.replace(day=1)), ("date", "<=", self.date_to)]
        if self.company_id:
            domain.append(("company_id", "=", self.company_id.id))
        return domain

    def _kpi_values(self):
        values = super()._kpi_values()
        [(delivered, returned)] = self.env["aftersales.rma.report"]._read_group(
            self._return_domain(), aggregates=["delivered_qty:sum", "returned_qty:sum"]
        )
        values.update(returned_qty=returned, return_rate=100.0 * returned / delivered if delivered else 0.0)
        return values
