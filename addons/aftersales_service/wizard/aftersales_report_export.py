from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.periods import utc_period_bounds
from ..tools.xlsx_export import XlsxColumn, XlsxReport

REPORT_KINDS = [
    ("tickets", "Tickets"),
    ("visits", "Visits per Technician"),
    ("commissions", "Commissions"),
]
# rows read and written at a time: the memory used stays that of one chunk
CHUNK_SIZE = 2000


class AftersalesReportExport(models.TransientModel):
    """Excel reports of the after-sales documents for a period and filters.

    A kind of report is a method ``_export_<kind>(report, domain)`` writing
    its sheets in the ``XlsxReport``; ``_<kind>_domain()`` gives the records
    of the wizard's filters. Other addons add kinds with ``selection_add`` and these
    two methods, and map their model in ``_export_kind_by_model``.
    """

    _name = "aftersales.report.export"
    _description = "Export After-Sales Reports to Excel"

    report_kind = fields.Selection(REPORT_KINDS, string="Report", required=True, default="tickets")
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    team_id = fields.Many2one("aftersales.team", help="Only the tickets of this team and their visits.")
    technician_id = fields.Many2one("aftersales.technician", help="Only this technician's visits and commissions.")

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_to < wizard.date_from:
                raise UserError(_("The end of the period must come after its start."))

    @api.autovacuum
    def _gc_aftersales_export_files(self):
        """The Excel files are downloaded when written: those older than a day are removed."""
        limit = fields.Datetime.now() - timedelta(days=1)
        self.env["ir.attachment"].sudo().search([("res_model", "=", self._name), ("create_date", "<", limit)]).unlink()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_export(self):
        """Write the chosen report for the period and filters and download it."""
        self.ensure_one()
        domain = getattr(self, f"_{self.report_kind}_domain")()
        file_name = f"{self.report_kind}-{self.date_from}-{self.date_to}.xlsx"
        return self._write_report(self.report_kind, domain, file_name)

    @api.model
    def _export_records(self, records):
        """Download the given records (the list view's selection) in the report of their model."""
        kind = self._export_kind_by_model().get(records._name)
        if not kind:
            raise UserError(_("There is no Excel report for these records."))
        if not records:
            raise UserError(_("Select the records to export."))
        return self._write_report(kind, [("id", "in", records.ids)], f"{kind}.xlsx")

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @api.model
    def _export_kind_by_model(self):
        return {
            "aftersales.ticket": "tickets",
            "aftersales.visit": "visits",
            "aftersales.commission": "commissions",
        }

    def _write_report(self, kind, domain, file_name):
        with XlsxReport(self.env.user.tz or "UTC") as report:
            getattr(self, f"_export_{kind}")(report, domain)
            return report.download_action(self.env, file_name)

    @api.model
    def _iter_chunks(self, model, domain, field_names, chunk_size=CHUNK_SIZE):
        """Yield the records of ``domain`` by chunks of ``chunk_size`` in the order of their ids.

        Each chunk is one ``search_fetch`` after the last id of the previous one, and the
        cache is emptied between chunks, so memory does not grow with the number of records.
        """
        records = self.env[model]
        last_id = 0
        while True:
            chunk = records.search_fetch([*domain, ("id", ">", last_id)], field_names, order="id", limit=chunk_size)
            if not chunk:
                return
            last_id = chunk[-1].id
            yield chunk
            self.env.invalidate_all()

    def _period(self):
        """The period's days in the user's time zone, as naive UTC datetimes [start, end)."""
        return utc_period_bounds(self.env, self.date_from, self.date_to)

    def _company_domain(self, field="company_id"):
        return [(field, "=", self.company_id.id)] if self.company_id else []

    def _selection_labels(self, model, field):
        return dict(self.env[model]._fields[field]._description_selection(self.env))

    # tickets ----------------------------------------------------------

    def _tickets_domain(self):
        start, end = self._period()
        domain = [("request_date", ">=", start), ("request_date", "<", end), *self._company_domain()]
        if self.team_id:
            domain.append(("team_id", "=", self.team_id.id))
        if self.technician_id:
            domain.append(("visit_ids.technician_id", "=", self.technician_id.id))
        return domain

    def _export_tickets(self, report, domain):
        priorities = self._selection_labels("aftersales.ticket", "priority")
        sla_statuses = self._selection_labels("aftersales.ticket", "sla_status")
        report.add_sheet(
            _("Tickets"),
            [
                XlsxColumn(_("Reference"), width=14),
                XlsxColumn(_("Subject"), width=32),
                XlsxColumn(_("Customer"), width=28),
                XlsxColumn(_("Product"), width=24),
                XlsxColumn(_("Serial Number"), width=16),
                XlsxColumn(_("Type")),
                XlsxColumn(_("Team")),
                XlsxColumn(_("Assigned to")),
                XlsxColumn(_("Priority"), width=10),
                XlsxColumn(_("Stage"), width=14),
                XlsxColumn(_("Reported on"), "datetime"),
                XlsxColumn(_("First Response"), "datetime"),
                XlsxColumn(_("Closed on"), "datetime"),
                XlsxColumn(_("SLA Status"), width=12),
                XlsxColumn(_("Solve by"), "datetime"),
                XlsxColumn(_("Time to Resolve (h)"), "float"),
                XlsxColumn(_("Reopened"), "integer", total=True),
                XlsxColumn(_("Visits"), "integer", total=True),
                XlsxColumn(_("Closed"), "integer", total=True),
            ],
            title=_("Service Tickets"),
        )
        field_names = [
            "reference",
            "name",
            "partner_id",
            "product_id",
            "lot_id",
            "ticket_type_id",
            "team_id",
            "user_id",
            "priority",
            "stage_id",
            "request_date",
            "first_response_date",
            "closed_date",
            "is_closed",
            "sla_status",
            "sla_resolve_deadline",
            "reopen_count",
        ]
        count = 0
        for tickets in self._iter_chunks("aftersales.ticket", domain, field_names):
            visits = dict(
                self.env["aftersales.visit"]._read_group(
                    [("ticket_id", "in", tickets.ids), ("state", "!=", "cancel")], ["ticket_id"], ["__count"]
                )
            )
            for ticket in tickets:
                resolve = (
                    (ticket.closed_date - ticket.request_date).total_seconds() / 3600.0
                    if ticket.is_closed and ticket.closed_date
                    else None
                )
                report.write_row(
                    [
                        ticket.reference,
                        ticket.name,
                        ticket.partner_id.display_name,
                        ticket.product_id.display_name,
                        ticket.lot_id.name,
                        ticket.ticket_type_id.name,
                        ticket.team_id.name,
                        ticket.user_id.name,
                        priorities.get(ticket.priority),
                        ticket.stage_id.name,
                        ticket.request_date,
                        ticket.first_response_date,
                        ticket.closed_date,
                        sla_statuses.get(ticket.sla_status),
                        ticket.sla_resolve_deadline,
                        resolve,
                        ticket.reopen_count,
                        visits.get(ticket, 0),
                        1 if ticket.is_closed else 0,
                    ]
                )
                count += 1
        report.write_totals(_("Total: %(count)s tickets", count=count))

    # visits -----------------------------------------------------------

    def _visits_domain(self):
        start, end = self._period()
        domain = [
            ("scheduled_start", ">=", start),
            ("scheduled_start", "<", end),
            *self._company_domain(),
        ]
        if self.team_id:
            domain.append(("ticket_id.team_id", "=", self.team_id.id))
        if self.technician_id:
            domain.append(("technician_id", "=", self.technician_id.id))
        return domain

    def _export_visits(self, report, domain):
        states = self._selection_labels("aftersales.visit", "state")
        report.add_sheet(
            _("Visits"),
            [
                XlsxColumn(_("Technician"), width=22),
                XlsxColumn(_("Visit"), width=14),
                XlsxColumn(_("Ticket"), width=32),
                XlsxColumn(_("Customer"), width=28),
                XlsxColumn(_("Visit Type")),
                XlsxColumn(_("Status"), width=12),
                XlsxColumn(_("Scheduled Start"), "datetime"),
                XlsxColumn(_("Check-in"), "datetime"),
                XlsxColumn(_("Check-out"), "datetime"),
                XlsxColumn(_("Hours on Site"), "float", total=True),
                XlsxColumn(_("Fees"), "monetary", total=True),
            ],
            title=_("Visits"),
        )
        field_names = [
            "name",
            "technician_id",
            "ticket_id",
            "partner_id",
            "visit_type_id",
            "state",
            "scheduled_start",
            "check_in",
            "check_out",
            "time_spent",
        ]
        count = 0
        for visits in self._iter_chunks("aftersales.visit", domain, field_names):
            fees = dict(
                self.env["aftersales.visit.line"]._read_group(
                    [("visit_id", "in", visits.ids)], ["visit_id"], ["price_subtotal:sum"]
                )
            )
            for visit in visits:
                report.write_row(
                    [
                        visit.technician_id.name,
                        visit.name,
                        visit.ticket_id.display_name,
                        visit.partner_id.display_name,
                        visit.visit_type_id.name,
                        states.get(visit.state),
                        visit.scheduled_start,
                        visit.check_in,
                        visit.check_out,
                        visit.time_spent,
                        fees.get(visit, 0.0),
                    ]
                )
                count += 1
        report.write_totals(_("Total: %(count)s visits", count=count))
        # one row per technician, summed by the database
        report.add_sheet(
            _("Per Technician"),
            [
                XlsxColumn(_("Technician"), width=22),
                XlsxColumn(_("Visits"), "integer", total=True),
                XlsxColumn(_("Visits Done"), "integer", total=True),
                XlsxColumn(_("Hours on Site"), "float", total=True),
            ],
        )
        Visit = self.env["aftersales.visit"]
        done = {
            technician: (count, hours)
            for technician, count, hours in Visit._read_group(
                [*domain, ("state", "=", "done")], ["technician_id"], ["__count", "time_spent:sum"]
            )
        }
        for technician, count in Visit._read_group(domain, ["technician_id"], ["__count"], order="technician_id"):
            done_count, hours = done.get(technician, (0, 0.0))
            report.write_row([technician.name or _("Unassigned"), count, done_count, hours])
        report.write_totals(_("Total"))

    # commissions ------------------------------------------------------

    def _commissions_domain(self):
        domain = [("date", ">=", self.date_from), ("date", "<=", self.date_to), *self._company_domain()]
        if self.team_id:
            domain.append(("ticket_id.team_id", "=", self.team_id.id))
        if self.technician_id:
            domain.append(("technician_id", "=", self.technician_id.id))
        return domain

    def _export_commissions(self, report, domain):
        report.add_sheet(
            _("Commissions"),
            [
                XlsxColumn(_("Technician"), width=22),
                XlsxColumn(_("Date"), "date"),
                XlsxColumn(_("Visit"), width=14),
                XlsxColumn(_("Ticket"), width=32),
                XlsxColumn(_("Rule")),
                XlsxColumn(_("Billed Fees"), "monetary", total=True),
                XlsxColumn(_("Commission"), "monetary", total=True),
                XlsxColumn(_("Deduction"), "monetary", total=True),
                XlsxColumn(_("Net Commission"), "monetary", total=True),
            ],
            title=_("Commissions"),
        )
        field_names = ["technician_id", "date", "visit_id", "ticket_id", "rule_id", "base_amount", "amount"]
        field_names += ["deduction", "total"]
        for commissions in self._iter_chunks("aftersales.commission", domain, field_names):
            for commission in commissions:
                report.write_row(
                    [
                        commission.technician_id.name,
                        commission.date,
                        commission.visit_id.name,
                        commission.ticket_id.display_name,
                        commission.rule_id.name,
                        commission.base_amount,
                        commission.amount,
                        commission.deduction,
                        commission.total,
                    ]
                )
        report.write_totals(_("Total"))
