# The visits of a contract: the maintenance plan and the included visits and hours the done visits use.
from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import _, fields, models
from odoo.tools import format_date


class AftersalesContract(models.Model):
    _inherit = "aftersales.contract"  # pylint: disable=consider-merging-classes-inherited

    visits_left = fields.Integer(
        compute="_compute_consumption",
        help="Included visits not used yet; the visits beyond them are billed.",
    )
    hours_left = fields.Float(
        compute="_compute_consumption",
        help="Included hours not used yet; the hours beyond them are billed.",
    )

    def _compute_consumption(self):
        stats = {contract_id: [0, 0, 0.0] for contract_id in self.ids}
        # sudo: the contract counts every visit of its tickets, whoever reads it
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
            contract.visits_left = max(contract.included_visits - contract.visits_used, 0)
            contract.hours_left = max(contract.included_hours - contract.hours_used, 0.0)

    # ------------------------------------------------------------------
    # Included visits and hours
    # ------------------------------------------------------------------

    def _visits_done_before(self, visit):
        """The done visits of this contract's tickets that count before ``visit``: all of them when
        ``visit`` is not done, else those checked out before it (the first done is the first included)."""
        self.ensure_one()
        domain = [("ticket_id.contract_id", "=", self.id), ("state", "=", "done")]
        visit_id = visit.id if isinstance(visit.id, int) else False
        if visit_id:
            domain.append(("id", "!=", visit_id))
        if visit_id and visit.state == "done" and visit.check_out:
            domain += [
                "|",
                ("check_out", "<", visit.check_out),
                "&",
                ("check_out", "=", visit.check_out),
                ("id", "<", visit_id),
            ]
        # sudo: the count of the contract, not the visits the reader may see
        return self.env["aftersales.visit"].sudo().search(domain)

    def _visit_included(self, visit):
        """Whether ``visit`` is among the visits included in this contract (always with no limit)."""
        self.ensure_one()
        if not self.included_visits:
            return True
        return len(self._visits_done_before(visit)) < self.included_visits

    def _hours_left_before(self, visit):
        """The included hours left for ``visit``, after the done visits before it (None: no limit)."""
        self.ensure_one()
        if not self.included_hours:
            return None
        used = sum(self._visits_done_before(visit).mapped("time_spent"))
        return max(self.included_hours - used, 0.0)

    def _planned_dates(self):
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

    def _maintenance_units(self):
        """What each planned date services: one ``(serial, site)`` pair per covered serial and per
        covered site, each with its own ticket and visit; the customer when the contract names none."""
        self.ensure_one()
        no_lot, no_site = self.env["stock.lot"], self.env["res.partner"]
        units = [(lot, no_site) for lot in self.lot_ids] + [(no_lot, site) for site in self.site_partner_ids]
        return units or [(no_lot, no_site)]

    def _plan_visits(self, today):
        """Open the maintenance ticket and draft visit of each planned date within the lead days, once
        per covered serial and site. A serial or site added to a contract already planned joins from today."""
        Occurrence = self.env["aftersales.contract.visit"]
        planned = {
            (occ.contract_id.id, occ.planned_date, occ.lot_id.id, occ.site_partner_id.id) for occ in self.occurrence_ids
        }
        planned_units = {(key[0], key[2], key[3]) for key in planned}
        vals_list = []
        for contract in self:
            horizon = today + relativedelta(days=contract.visit_lead_days)
            dates = [day for day in contract._planned_dates() if day <= horizon]
            if not dates:
                continue
            for lot, site in contract._maintenance_units():
                new_unit = contract.occurrence_ids and (contract.id, lot.id, site.id) not in planned_units
                for planned_date in dates:
                    if new_unit and planned_date < today:
                        continue
                    if (contract.id, planned_date, lot.id, site.id) not in planned:
                        vals_list.append(contract._prepare_occurrence_vals(planned_date, lot, site))
        if not vals_list:
            return Occurrence
        with Occurrence._unguard("contract_id", "lot_id", "site_partner_id"):
            occurrences = Occurrence.create(vals_list)
        occurrences._open()
        return occurrences

    def _prepare_occurrence_vals(self, planned_date, lot=None, site=None):
        self.ensure_one()
        return {
            "contract_id": self.id,
            "planned_date": planned_date,
            "lot_id": lot.id if lot else False,
            "site_partner_id": site.id if site else False,
        }

    def _prepare_maintenance_ticket_vals(self, planned_date, lot=None, site=None):
        """Values of the ticket opened for the maintenance visit of ``planned_date`` of the serial
        ``lot`` or the site ``site`` (extension point)."""
        self.ensure_one()
        ticket_type = self.env.ref("aftersales_service.ticket_type_maintenance", raise_if_not_found=False)
        unit = lot.name if lot else (site.display_name if site else "")
        name = _(
            "Planned maintenance of %(date)s (%(contract)s)",
            date=format_date(self.env, planned_date),
            contract=self.name,
        )
        if unit:
            name = _("%(name)s: %(unit)s", name=name, unit=unit)
        vals = {
            "name": name,
            "partner_id": (site or self.partner_id).id,
            "company_id": self.company_id.id,
            "contract_id": self.id,
            "ticket_type_id": ticket_type.id,
            "lot_id": lot.id if lot else False,
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
