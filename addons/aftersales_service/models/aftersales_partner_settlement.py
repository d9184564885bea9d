import pytz
from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.periods import company_day, company_tz, utc_period_bounds

SETTLEMENT_STATES = [
    ("draft", "Draft"),
    ("confirmed", "Confirmed"),
    ("billed", "Billed"),
    ("cancel", "Cancelled"),
]


class AftersalesPartnerSettlement(models.Model):
    _name = "aftersales.partner.settlement"
    _description = "Service Partner Settlement"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "date_to desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index="trigram", default=lambda self: _("New")
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Service Partner",
        required=True,
        index=True,
        tracking=True,
        domain="[('aftersales_service_partner', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    date_from = fields.Date(required=True, tracking=True)
    date_to = fields.Date(required=True, tracking=True)
    state = fields.Selection(SETTLEMENT_STATES, required=True, default="draft", tracking=True, index=True, copy=False)
    line_ids = fields.One2many("aftersales.partner.settlement.line", "settlement_id", string="Lines", copy=False)
    job_count = fields.Integer(string="Jobs", compute="_compute_amounts", store=True)
    amount_total = fields.Monetary(string="Total", compute="_compute_amounts", store=True, tracking=True)
    move_id = fields.Many2one(
        "account.move",
        string="Vendor Bill",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
        tracking=True,
    )
    move_state = fields.Selection(related="move_id.state", string="Bill Status")
    note = fields.Html()

    @api.depends("partner_id", "company_id")
    def _compute_currency_id(self):
        for settlement in self:
            rate = settlement.partner_id.commercial_partner_id.aftersales_partner_rate_ids.filtered(
                lambda r, company=settlement.company_id: r.company_id == company
            )[:1]
            settlement.currency_id = rate.currency_id or settlement.company_id.currency_id

    @api.depends("line_ids.price_subtotal", "line_ids.line_type")
    def _compute_amounts(self):
        for settlement in self:
            settlement.amount_total = sum(settlement.line_ids.mapped("price_subtotal"))
            settlement.job_count = len(settlement.line_ids.filtered(lambda line: line.line_type == "job"))

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for settlement in self:
            settlement.access_url = f"/my/settlements/{settlement.id}"
        return result

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for settlement in self:
            if settlement.date_from > settlement.date_to:
                raise ValidationError(
                    _("The period of settlement %(settlement)s must end after it starts.", settlement=settlement.name)
                )

    @api.constrains("partner_id")
    def _check_service_partner(self):
        for settlement in self:
            if not settlement.partner_id.commercial_partner_id.aftersales_service_partner:
                raise ValidationError(
                    _(
                        "%(partner)s is not a service partner: only their jobs are settled.",
                        partner=settlement.partner_id.display_name,
                    )
                )

    @api.model
    def _guarded_fields(self):
        """The status and the vendor bill change by the actions only."""
        return super()._guarded_fields() | {"state", "move_id"}

    def _locked_records(self):
        """Confirmed and billed settlements: the partner was given them; reset or cancel them to change them."""
        return super()._locked_records() | self.filtered(lambda settlement: settlement.state in ("confirmed", "billed"))

    def _get_report_base_filename(self):
        """The name of the statement's PDF, as the portal downloads it."""
        self.ensure_one()
        return _("Statement %(settlement)s", settlement=self.name)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("aftersales.partner.settlement") or _("New")
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft(self):
        if self.filtered(lambda settlement: settlement.state != "draft"):
            raise UserError(_("Cancel settlements rather than deleting them once they are confirmed."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_state(self, allowed, action):
        wrong = self.filtered(lambda settlement: settlement.state not in allowed)
        if wrong:
            raise UserError(
                _(
                    "%(action)s is not possible for %(settlements)s in their current state.",
                    action=action,
                    settlements=", ".join(wrong.mapped("name")),
                )
            )

    def action_compute_lines(self):
        """Fill a draft settlement with the partner's done jobs of the period not settled yet."""
        self.check_access("write")
        self._check_state(("draft",), _("Updating the lines"))
        for settlement in self:
            settlement.line_ids.unlink()
            # the jobs are read in sudo (after the access check): branch rules must not hide jobs to pay
            vals_list = settlement.sudo()._collect_line_vals()
            settlement.line_ids = [Command.create(vals) for vals in vals_list]
        return True

    def action_confirm(self):
        self._check_state(("draft",), _("Confirming"))
        empty = self.filtered(lambda settlement: not settlement.line_ids)
        if empty:
            raise UserError(
                _("Settlements %(settlements)s have nothing to settle.", settlements=", ".join(empty.mapped("name")))
            )
        with self._unguard("state"):
            self.write({"state": "confirmed"})
        return True

    def action_create_bill(self):
        """A draft vendor bill for each confirmed settlement, one line per job or part."""
        self._check_state(("confirmed",), _("Billing"))
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only invoicing users create the vendor bills of the service partners."))
        for settlement in self:
            move = self.env["account.move"].with_company(settlement.company_id).create(settlement._prepare_bill_vals())
            with settlement._unguard():
                settlement.write({"move_id": move.id, "state": "billed"})
            move.message_post(
                body=_("Created from the settlement %(settlement)s.", settlement=settlement._get_html_link()),
                subtype_xmlid="mail.mt_note",
            )
        return self.action_view_bill() if len(self) == 1 else True

    def action_cancel(self):
        self._check_state(("draft", "confirmed", "billed"), _("Cancelling"))
        # a bill cancelled, or reversed in full by a posted credit note, releases the jobs
        billed = self.filtered(
            lambda settlement: (
                settlement.move_id
                and settlement.move_id.state != "cancel"
                and settlement.move_id.payment_state != "reversed"
            )
        )
        if billed:
            raise UserError(
                _(
                    "The vendor bills of %(settlements)s are still due: cancel them, or reverse them in full with a "
                    "posted credit note, before cancelling the settlements.",
                    settlements=", ".join(billed.mapped("name")),
                )
            )
        with self._unguard():
            self.write({"state": "cancel"})
        return True

    def action_reset_draft(self):
        self._check_state(("confirmed",), _("Resetting"))
        with self._unguard():
            self.write({"state": "draft", "move_id": False})
        return True

    def action_view_bill(self):
        self.ensure_one()
        if not self.move_id:
            raise UserError(_("Settlement %(settlement)s has no vendor bill yet.", settlement=self.name))
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {"default_move_type": "in_invoice"},
        }

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _check_lines_editable(self):
        locked = self.filtered(lambda settlement: settlement.state != "draft")
        if locked:
            raise UserError(
                _(
                    "The lines of %(settlements)s are confirmed: reset them to draft to change them.",
                    settlements=", ".join(locked.mapped("name")),
                )
            )

    def _period_bounds(self):
        """The period's days in the company's time zone, as naive UTC datetimes, the day after ``date_to``
        excluded."""
        self.ensure_one()
        return utc_period_bounds(self.env, self.date_from, self.date_to, company_tz(self.company_id))

    def _jobs_to_settle(self):
        """The partner's done jobs finished in the period and not on another live settlement."""
        self.ensure_one()
        start, end = self._period_bounds()
        # every job of the partner, whatever the branch: the settlement pays them all
        jobs = (
            self.env["aftersales.visit"]
            .sudo()
            .search(
                [
                    ("service_partner_id", "=", self.partner_id.commercial_partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("partner_job_state", "=", "done"),
                    ("state", "=", "done"),
                    ("check_out", ">=", start),
                    ("check_out", "<", end),
                ],
                order="check_out, id",
            )
        )
        settled = (
            self.env["aftersales.partner.settlement.line"]
            .sudo()
            .search(
                [
                    ("visit_id", "in", jobs.ids),
                    ("line_type", "=", "job"),
                    ("state", "!=", "cancel"),
                    ("settlement_id", "!=", self.id),
                ]
            )
        )
        return (jobs - settled.visit_id).with_env(self.env)

    def _collect_line_vals(self):
        """The values of the lines of the settlement; the parts addon adds the parts supplied."""
        self.ensure_one()
        Rate = self.env["aftersales.partner.rate"]
        rates = Rate._partner_rates(self.partner_id, self.company_id)
        vals_list = []
        for visit in self._jobs_to_settle():
            vals_list.append(self._prepare_job_line_vals(visit, Rate._for_visit(self.partner_id, visit, rates)))
        return vals_list

    def _prepare_job_line_vals(self, visit, rate):
        self.ensure_one()
        amount = 0.0
        if rate:
            amount = rate.currency_id._convert(
                rate.amount,
                self.currency_id,
                self.company_id,
                company_day(self.company_id, visit.check_out) if visit.check_out else self.date_to,
            )
        return {
            "line_type": "job",
            "visit_id": visit.id,
            "name": _(
                "%(visit)s: %(type)s at %(address)s",
                visit=visit.name,
                type=visit.visit_type_id.name,
                address=visit.partner_id.display_name,
            ),
            "quantity": 1.0,
            "price_unit": amount,
        }

    def _bill_product(self):
        product = self.env.ref("aftersales_service.product_partner_service", raise_if_not_found=False)
        if not product or not product.active:
            raise UserError(_("The product Partner service is missing: restore it to bill the service partners."))
        return product

    def _prepare_bill_line_vals(self, line):
        product = self._bill_product()
        return {
            "product_id": product.id,
            "name": line.name,
            "quantity": line.quantity,
            "price_unit": line.price_unit,
            "product_uom_id": product.uom_id.id,
            "aftersales_settlement_line_id": line.id,
        }

    def _prepare_bill_vals(self):
        self.ensure_one()
        return {
            "move_type": "in_invoice",
            "partner_id": self.partner_id.commercial_partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_origin": self.name,
            "ref": _(
                "%(settlement)s (%(date_from)s - %(date_to)s)",
                settlement=self.name,
                date_from=self.date_from,
                date_to=self.date_to,
            ),
            "invoice_line_ids": [Command.create(self._prepare_bill_line_vals(line)) for line in self.line_ids],
        }

    @api.model
    def _prepare_period(self, date_from, date_to, companies=None):
        """Draft settlements for the service partners with unsettled done jobs in the period."""
        companies = companies or self.env["res.company"].search([])
        settlements = self.browse()
        for company in companies:
            start, end = utc_period_bounds(self.env, date_from, date_to, company_tz(company))
            groups = self.env["aftersales.visit"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("service_partner_id", "!=", False),
                    ("partner_job_state", "=", "done"),
                    ("state", "=", "done"),
                    ("check_out", ">=", start),
                    ("check_out", "<", end),
                ],
                ["service_partner_id"],
            )
            for (partner,) in groups:
                existing = self.search(
                    [
                        ("partner_id", "=", partner.id),
                        ("company_id", "=", company.id),
                        ("date_from", "=", date_from),
                        ("date_to", "=", date_to),
                        ("state", "!=", "cancel"),
                    ],
                    limit=1,
                )
                if existing:
                    continue
                settlement = self.with_company(company).create(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "date_from": date_from,
                        "date_to": date_to,
                    }
                )
                settlement.action_compute_lines()
                if settlement.line_ids:
                    settlements |= settlement
                else:
                    settlement.unlink()
        return settlements

    @api.model
    def _cron_prepare_previous_month(self):
        """The settlements of last month, and of the earlier months whose done jobs are not settled (a cancelled
        settlement released them)."""
        settlements = self.browse()
        for company in self.env["res.company"].search([]):
            tz = pytz.timezone(company_tz(company))
            this_month = fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(tz).date().replace(day=1)
            last_month = this_month - relativedelta(months=1)
            month_start, __ = utc_period_bounds(self.env, last_month, last_month, tz.zone)
            late_jobs = self.env["aftersales.visit"].search(
                [
                    ("company_id", "=", company.id),
                    ("service_partner_id", "!=", False),
                    ("partner_job_state", "=", "done"),
                    ("state", "=", "done"),
                    ("check_out", "<", month_start),
                    (
                        "partner_settlement_line_ids",
                        "not any",
                        [("line_type", "=", "job"), ("state", "!=", "cancel")],
                    ),
                ]
            )
            months = {job.check_out.replace(tzinfo=pytz.utc).astimezone(tz).date().replace(day=1) for job in late_jobs}
            for first in sorted(months | {last_month}):
                settlements |= self._prepare_period(first, first + relativedelta(months=1, days=-1), companies=company)
        return settlements
