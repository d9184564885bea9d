# The visits of a contract: the maintenance plan and the included visits and hours the done visits use.
from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import _, models
from odoo.tools import format_date


class AftersalesContract(models.Model):
    _inherit = "aftersales.contract"  # pylint: disable=consider-merging-classes-inherited

    def _compute_consumption(self):
        stats = {contract_id: [0, 0, 0.0] for contract_id in self.ids}
        groups = (
            self.env["aftersales.visit"]
            .sudo()
            ._read_group(
                [("ticket_id.contract_id", "in", self.ids)], ["ticket_id", "state"], ["__count", "time_spent:sum"]
            )
        )
        for ticket, state, count, hours in groups:
            contract_stats = stats[ticket.contract_id.id]
            contract_stats[0] += count
            if state == "done":
                contract_stats[1] += count
                contract_stats[2] += hours
        for contract in self:
            contract.visit_count, contract.visits_used, contract.hours_used = stats.get(contract.id, (0, 0, 0.0))

    def _aftersales_planned_dates(self):
        """The planned maintenance dates of the term: ``visits_per_year`` evenly spaced over each contract year."""
        self.ensure_one()
        if self.visits_per_year <= 0:
            return []
        dates = []
        year = 0
        while True:
            year_start = self.start_date + relativedelta(years=year)
            if year_start > self.end_date:
                return dates
            for index in range(self.visits_per_year):
                planned = year_start + relativedelta(months=12 * index // self.visits_per_year)
                if planned > self.end_date:
                    return dates
                dates.append(planned)
            year += 1

    def _aftersales_plan_visits(self, today):
        """Open the maintenance ticket and draft visit of each planned date within the lead days, once."""
        Occurrence = self.env["aftersales.contract.visit"]
        planned = {(occ.contract_id.id, occ.planned_date) for occ in self.occurrence_ids}
        vals_list = []
        for contract in self:
            horizon = today + relativedelta(days=contract.visit_lead_days)
            for planned_date in contract._aftersales_planned_dates():
                if planned_date <= horizon and (contract.id, planned_date) not in planned:
                    vals_list.append(contract._prepare_occurrence_vals(planned_date))
        if not vals_list:
            return Occurrence
        with Occurrence._unguard("contract_id"):
            occurrences = Occurrence.create(vals_list)
        occurrences._aftersales_open()
        return occurrences

    def _prepare_occurrence_vals(self, planned_date):
        self.ensure_one()
        return {"contract_id": self.id, "planned_date": planned_date}

    def _prepare_maintenance_ticket_vals(self, planned_date):
        """Values of the ticket opened for the maintenance visit of ``planned_date`` (extension point)."""
        self.ensure_one()
        ticket_type = self.env.ref("aftersales_service.ticket_type_maintenance", raise_if_not_found=False)
        vals = {
            "name": _(
                "Planned maintenance of %(date)s (%(contract)s)",
                date=format_date(self.env, planned_date),
                contract=self.name,
            ),
            "partner_id": (self.site_partner_ids[:1] or self.partner_id).id,
            "company_id": self.company_id.id,
            "contract_id": self.id,
            "ticket_type_id": ticket_type.id,
            "lot_id": self.lot_ids[:1].id,
        }
        if self.team_id:
            vals["team_id"] = self.team_id.id
        return vals

    def _prepare_maintenance_visit_vals(self, ticket, planned_date):
        """Values of the draft visit of a maintenance ticket (extension point)."""
        self.ensure_one()
        return {
            "ticket_id": ticket.id,
            "visit_type_id": (self.visit_type_id or self._default_visit_type_id()).id,
            "scheduled_start": datetime.combine(planned_date, time(9, 0)),
        }
