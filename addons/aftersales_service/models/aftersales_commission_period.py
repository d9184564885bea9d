from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import split_every

from ..tools.xlsx_export import XlsxColumn, XlsxReport

# who reads every technician's commissions, hence the period's export
EXPORT_GROUPS = (
    "aftersales_service.aftersales_service_group_dispatcher,aftersales_service.aftersales_service_group_accountant"
)

# visits whose commissions are computed together by the period's computation (and its daily cron)
COMPUTE_BATCH = 200

PERIOD_STATES = [
    ("open", "Open"),
    ("closed", "Closed"),
]


class AftersalesCommissionPeriod(models.Model):
    _name = "aftersales.commission.period"
    _description = "Commission Period"
    _inherit = ["mail.thread", "aftersales.guarded.mixin"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True)
    date_from = fields.Date(required=True, tracking=True)
    date_to = fields.Date(required=True, tracking=True)
    state = fields.Selection(PERIOD_STATES, required=True, default="open", tracking=True, readonly=True, copy=False)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    commission_ids = fields.One2many("aftersales.commission", "period_id", string="Commissions")
    commission_count = fields.Integer(compute="_compute_totals")
    total = fields.Monetary(compute="_compute_totals", string="Net Commissions")

    @api.depends("commission_ids.total")
    def _compute_totals(self):
        for period in self:
            period.commission_count = len(period.commission_ids)
            period.total = sum(period.commission_ids.mapped("total"))

    @api.constrains("date_from", "date_to", "company_id")
    def _check_dates(self):
        for period in self:
            if period.date_to < period.date_from:
                raise ValidationError(_("Commission period %(period)s ends before it starts.", period=period.name))
            overlap = self.search_count(
                [
                    ("id", "!=", period.id),
                    ("company_id", "=", period.company_id.id),
                    ("date_from", "<=", period.date_to),
                    ("date_to", ">=", period.date_from),
                ],
                limit=1,
            )
            if overlap:
                raise ValidationError(
                    _("Commission period %(period)s overlaps another period of the company.", period=period.name)
                )

    @api.model
    def _guarded_fields(self):
        """The status changes by the Close and Reopen actions only."""
        return super()._guarded_fields() | {"state"}

    def _locked_records(self):
        """Closed periods: only reopening them, with a reason, changes them."""
        return super()._locked_records() | self.filtered(lambda period: period.state == "closed")

    def _lock_refusal(self, field_names, records=None):
        """The refusal to change ``field_names`` of ``records`` (these closed periods when not given)."""
        records = self if records is None else records
        return AccessError(
            _(
                "Commission periods %(periods)s are closed: %(fields)s can no longer be changed. A manager "
                "reopens the period first (Reopen, which asks why).",
                periods=", ".join(self.mapped("display_name")[:5]),
                fields=", ".join(sorted(records._fields[name]._description_string(self.env) for name in field_names)),
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_commissions(self):
        if self.commission_ids:
            raise UserError(_("Periods with commissions cannot be deleted."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_compute(self):
        """Compute again the commissions of the visits done in these open periods."""
        self.check_access("write")
        self._check_open()
        Commission = self.env["aftersales.commission"].sudo()
        for period in self:
            visits = self.env["aftersales.visit"].search(
                [
                    ("company_id", "=", period.company_id.id),
                    ("state", "=", "done"),
                    ("check_out", ">=", fields.Datetime.to_datetime(period.date_from)),
                    ("check_out", "<", fields.Datetime.to_datetime(period.date_to + relativedelta(days=1))),
                ]
            )
            # in batches: the queries of a batch do not grow with its visits, the memory stays bounded
            for visit_ids in split_every(COMPUTE_BATCH, visits.ids):
                Commission._compute_for_visits(visits.browse(visit_ids))
                self.env.flush_all()
                self.env.invalidate_all()
        return True

    def action_close(self):
        """Compute the commissions a last time and freeze them."""
        self.action_compute()
        with self._unguard("state"):
            self.write({"state": "closed"})

    def action_reopen(self):
        """Open closed periods again: their commissions can change, so the window asks why first and
        then reopens them with the reason (:meth:`_reopen`)."""
        self.check_access("write")
        if not self.filtered(lambda period: period.state == "closed"):
            return True
        return self.env["aftersales.audit.reason"]._action(self, "_reopen", _("Why reopen the commission period?"))

    def _reopen(self, reason):
        """Open closed periods again, ``reason`` written in the audit log."""
        self.check_access("write")
        if not (reason or "").strip():
            raise UserError(_("Say why the commission period is reopened."))
        closed = self.filtered(lambda period: period.state == "closed")
        with self._unguard():
            self.write({"state": "open"})
        self.env["aftersales.audit.log"]._audit(
            "commission_period_reopened",
            closed,
            reason,
            old={period.id: self.env._("Closed (%(total)s)", total=period.total) for period in closed},
            new=_("Open"),
        )
        return True

    @api.model
    def _cron_compute_open_periods(self):
        """Re-work shows up after the visit: compute the open periods again every day."""
        self.search([("state", "=", "open")]).action_compute()

    def action_view_commissions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_commission_action")
        action["domain"] = [("period_id", "=", self.id)]
        action["context"] = {"search_default_groupby_technician": 1}
        return action

    def action_export_xlsx(self):
        """Fill the Excel export of the period and download it."""
        self.ensure_one()
        self.check_access("read")
        if not self.env.su and not self.env.user.has_groups(EXPORT_GROUPS):
            raise AccessError(
                _("Only dispatchers, managers and accountants export the commissions of every technician.")
            )
        # Not stored on the period, which every technician reads: an attachment of a record is readable
        # by whoever reads the record, whatever the groups of its field. Filed under the export wizard
        # with no record, it is private to the user who exported (and removed after a day).
        with XlsxReport() as report:
            self._write_xlsx(report)
            return report.download_action(self.env, f"{self.name.replace('/', '-')}.xlsx")

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _check_open(self):
        closed = self.filtered(lambda period: period.state == "closed")
        if closed:
            raise UserError(
                _(
                    "Commission period %(periods)s is closed: its commissions can no longer change.",
                    periods=", ".join(closed.mapped("name")),
                )
            )

    @api.model
    def _period_for(self, company, day):
        """The period of ``company`` holding ``day``; a calendar month is opened when there is none."""
        period = self.search(
            [("company_id", "=", company.id), ("date_from", "<=", day), ("date_to", ">=", day)], limit=1
        )
        if not period:
            first = date(day.year, day.month, 1)
            period = self.create(
                {
                    "name": first.strftime("%Y-%m"),
                    "company_id": company.id,
                    "date_from": first,
                    "date_to": first + relativedelta(months=1, days=-1),
                }
            )
        return period

    def _xlsx(self):
        """The commissions of the period as an Excel workbook (bytes)."""
        with XlsxReport() as report:
            self._write_xlsx(report)
            return report.read_bytes()

    def _write_xlsx(self, report):
        """Write the commissions of the period in ``report``: one line per commission, then the
        totals per technician."""
        self.ensure_one()
        line_types = dict(self.env["aftersales.commission"]._fields["line_type"]._description_selection(self.env))
        commissions = self.commission_ids.sorted(lambda c: (c.technician_id.name or "", c.date, c.id))
        totals = {}
        for commission in commissions:
            totals[commission.technician_id.name] = totals.get(commission.technician_id.name, 0.0) + commission.total
        report.write_sheet(
            _("Commissions"),
            [
                XlsxColumn(_("Technician")),
                XlsxColumn(_("Date"), "date"),
                XlsxColumn(_("Visit")),
                XlsxColumn(_("Ticket")),
                XlsxColumn(_("Rule")),
                XlsxColumn(_("Type")),
                XlsxColumn(_("Re-work Visit")),
                XlsxColumn(_("Billed Fees"), "monetary"),
                XlsxColumn(_("Covered Fees"), "monetary"),
                XlsxColumn(_("Commission"), "monetary"),
                XlsxColumn(_("Deduction"), "monetary"),
                XlsxColumn(_("Net Commission"), "monetary"),
            ],
            (
                [
                    commission.technician_id.name,
                    commission.date,
                    commission.visit_id.name,
                    commission.ticket_id.display_name,
                    commission.rule_id.name,
                    line_types[commission.line_type],
                    commission.rework_visit_id.name,
                    commission.base_amount,
                    commission.covered_amount,
                    commission.amount,
                    commission.deduction,
                    commission.total,
                ]
                for commission in commissions
            ),
        )
        report.write_sheet(
            _("Per Technician"),
            [XlsxColumn(_("Technician")), XlsxColumn(_("Net Commission"), "monetary")],
            sorted(totals.items()),
        )
