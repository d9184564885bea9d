from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.aftersales_service.tools.xlsx_export import XlsxColumn, XlsxReport

CONTRACT_STATES = [
    ("draft", "Draft"),
    ("running", "Running"),
    ("to_renew", "To Renew"),
    ("expired", "Expired"),
    ("cancel", "Cancelled"),
]
# states in which a contract covers its units and sites
RUNNING_STATES = ("running", "to_renew")
INVOICING_PERIODS = [("monthly", "Monthly"), ("quarterly", "Quarterly"), ("yearly", "Yearly")]
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
COVERAGE_KINDS = ("parts", "labour", "travel")
# the state and the invoicing bookkeeping, changed by the actions and the daily cron only
GUARDED_FIELDS = frozenset(
    {
        "state",
        "next_invoice_date",
        "invoice_ids",
        "reminder_sent",
        "previous_contract_id",
        "renewal_contract_id",
        "sale_line_id",
        "occurrence_ids",
        "visits_used",
        "hours_used",
        "visit_count",
        "invoice_failed_date",
        "renewal_order_id",
    }
)
# the term of a started contract: a new term is a renewal
STARTED_GUARDED_FIELDS = ("start_date", "term_months", "end_date")


class AftersalesContract(models.Model):
    _name = "aftersales.contract"
    _description = "Service Contract"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin", "aftersales.guarded.mixin"]
    _order = "end_date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id.name"]

    def _default_visit_type_id(self):
        return self.env.ref("aftersales_service.visit_type_maintenance", raise_if_not_found=False)

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index="trigram", default=lambda self: _("New")
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True, check_company=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer Company"
    )
    state = fields.Selection(CONTRACT_STATES, required=True, default="draft", tracking=True, index=True, copy=False)

    # What is covered
    lot_ids = fields.Many2many(
        "stock.lot",
        "aftersales_contract_stock_lot_rel",
        "contract_id",
        "lot_id",
        string="Covered Serials",
        check_company=True,
        tracking=True,
    )
    site_partner_ids = fields.Many2many(
        "res.partner",
        "aftersales_contract_site_partner_rel",
        "contract_id",
        "partner_id",
        string="Covered Sites",
        check_company=True,
        help="Service addresses whose tickets are covered, whatever the unit.",
    )
    covers_parts = fields.Boolean(string="Parts", default=True, tracking=True)
    covers_labour = fields.Boolean(string="Labour", default=True, tracking=True)
    covers_travel = fields.Boolean(string="Travel", default=True, tracking=True)
    sla_policy_id = fields.Many2one(
        "aftersales.sla.policy",
        string="SLA Policy",
        check_company=True,
        tracking=True,
        help="The service level the tickets of the covered units and sites get, instead of the usual rules.",
    )

    # Maintenance plan
    visits_per_year = fields.Integer(
        help="Planned maintenance visits per contract year, evenly spaced from the start (4: every three months).",
        tracking=True,
    )
    visit_type_id = fields.Many2one("aftersales.visit.type", default=_default_visit_type_id)
    team_id = fields.Many2one("aftersales.team", check_company=True)
    visit_lead_days = fields.Integer(
        string="Plan Days Ahead",
        default=14,
        help="The maintenance ticket and its draft visit are opened this many days before the planned date.",
    )
    included_visits = fields.Integer(help="Visits included in the price per term (0: unlimited).", tracking=True)
    included_hours = fields.Float(help="Hours on site included in the price per term (0: unlimited).", tracking=True)
    visits_used = fields.Integer(compute="_compute_consumption", help="Done visits of this contract's tickets.")
    hours_used = fields.Float(compute="_compute_consumption", help="Hours spent on the done visits.")
    occurrence_ids = fields.One2many("aftersales.contract.visit", "contract_id", string="Planned Visits")
    ticket_ids = fields.One2many("aftersales.ticket", "contract_id", string="Tickets")
    ticket_count = fields.Integer(compute="_compute_ticket_count")
    visit_count = fields.Integer(compute="_compute_consumption")

    # Price and invoicing
    product_id = fields.Many2one(
        "product.product",
        string="Service Product",
        check_company=True,
        domain="[('type', '=', 'service')]",
        help="The product on the contract's invoices.",
        tracking=True,
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        compute="_compute_pricelist_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True, precompute=True, readonly=False, required=True
    )
    recurring_amount = fields.Monetary(tracking=True, help="The amount invoiced for each period, in advance.")
    invoicing_period = fields.Selection(INVOICING_PERIODS, required=True, default="yearly", tracking=True)
    annual_amount = fields.Monetary(compute="_compute_annual_amount", store=True, help="Recurring amount per year.")
    next_invoice_date = fields.Date(
        copy=False,
        index=True,
        help="The start of the next period to invoice; empty once the whole term is invoiced.",
        tracking=True,
    )
    invoice_ids = fields.One2many("account.move", "aftersales_contract_id", string="Invoices", readonly=True)
    invoice_count = fields.Integer(compute="_compute_invoice_count")

    # Term and renewal
    start_date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    term_months = fields.Integer(string="Term (months)", default=12, required=True, tracking=True)
    end_date = fields.Date(
        compute="_compute_end_date", store=True, readonly=False, precompute=True, index=True, tracking=True
    )
    reminder_days = fields.Integer(
        string="Remind Days Before End",
        default=30,
        help="The contract is to renew, and the customer gets a reminder, this many days before its end.",
    )
    reminder_sent = fields.Boolean(readonly=True, copy=False)
    auto_renew = fields.Boolean(
        tracking=True, help="Renew for another term at the renewal price when the contract ends."
    )
    renewal_amount = fields.Monetary(
        string="Renewal Price",
        help="The recurring amount of the next term; empty to keep the current one.",
        tracking=True,
    )
    previous_contract_id = fields.Many2one(
        "aftersales.contract", string="Renews", readonly=True, copy=False, index="btree_not_null"
    )
    renewal_contract_id = fields.Many2one(
        "aftersales.contract", string="Renewed by", readonly=True, copy=False, index="btree_not_null"
    )
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Sale Order Line", readonly=True, copy=False, index="btree_not_null"
    )
    sale_order_id = fields.Many2one(related="sale_line_id.order_id", store=True, index="btree_not_null")
    note = fields.Html()

    _sql_constraints = [
        ("visits_per_year_positive", "CHECK (visits_per_year >= 0)", "Visits per year cannot be negative."),
        ("sale_line_uniq", "UNIQUE (sale_line_id)", "A sale order line makes one contract only."),
    ]

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends("partner_id")
    def _compute_pricelist_id(self):
        for contract in self:
            if contract.partner_id and not contract.pricelist_id:
                contract.pricelist_id = contract.partner_id.property_product_pricelist

    @api.depends("pricelist_id", "company_id")
    def _compute_currency_id(self):
        for contract in self:
            contract.currency_id = (
                contract.pricelist_id.currency_id or contract.company_id.currency_id or self.env.company.currency_id
            )

    @api.depends("start_date", "term_months")
    def _compute_end_date(self):
        for contract in self:
            if contract.start_date and contract.term_months > 0:
                contract.end_date = contract.start_date + relativedelta(months=contract.term_months, days=-1)

    @api.depends("recurring_amount", "invoicing_period")
    def _compute_annual_amount(self):
        for contract in self:
            contract.annual_amount = contract.recurring_amount * 12 / PERIOD_MONTHS[contract.invoicing_period]

    def _compute_ticket_count(self):
        counts = dict(
            self.env["aftersales.ticket"]._read_group([("contract_id", "in", self.ids)], ["contract_id"], ["__count"])
        )
        for contract in self:
            contract.ticket_count = counts.get(contract, 0)

    def _compute_invoice_count(self):
        counts = dict(
            self.env["account.move"]._read_group(
                [("aftersales_contract_id", "in", self.ids)], ["aftersales_contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.invoice_count = counts.get(contract, 0)

    def _compute_access_url(self):
        for contract in self:
            contract.access_url = f"/my/contracts/{contract.id}"

    @api.constrains("start_date", "end_date", "term_months")
    def _check_dates(self):
        for contract in self:
            if contract.end_date and contract.end_date < contract.start_date:
                raise ValidationError(
                    _("Contract %(contract)s cannot end before it starts.", contract=contract.display_name)
                )
            if contract.term_months <= 0:
                raise ValidationError(
                    _("The term of contract %(contract)s must be at least one month.", contract=contract.display_name)
                )

    @api.constrains("recurring_amount", "renewal_amount", "included_visits", "included_hours", "visit_lead_days")
    def _check_amounts(self):
        for contract in self:
            if (
                min(
                    contract.recurring_amount,
                    contract.renewal_amount,
                    contract.included_visits,
                    contract.included_hours,
                    contract.visit_lead_days,
                )
                < 0
            ):
                raise ValidationError(
                    _(
                        "Prices, included visits and hours and days ahead of contract %(contract)s cannot be negative.",
                        contract=contract.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = sequence.next_by_code("aftersales.contract") or _("New")
        return super().create(vals_list)

    def write(self, vals):
        self._check_term_change(vals)
        return super().write(vals)

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | GUARDED_FIELDS

    def _check_term_change(self, vals):
        """Refuse a direct change of the term of started contracts."""
        if self.env.su:
            return
        opened = self._unguarded_fields()
        if opened is None:
            return
        started = self.filtered(lambda c: c.state != "draft")
        changed = [
            name
            for name in STARTED_GUARDED_FIELDS
            if name in vals and name not in opened and started._guard_changes(name, vals[name])
        ]
        if started and changed:
            raise started._guard_refusal(changed)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if any(contract.state != "draft" or contract.invoice_ids for contract in self):
            raise UserError(_("Cancel contracts rather than deleting them, so that their history stays."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_start(self):
        """Put draft contracts to work: they cover their units and are invoiced from their start."""
        if any(contract.state != "draft" for contract in self):
            raise UserError(_("Only draft contracts can be started."))
        self.check_access("write")
        for contract in self:
            with contract._unguard("state", "next_invoice_date"):
                contract.write(
                    {"state": "running", "next_invoice_date": contract.next_invoice_date or contract.start_date}
                )
        self._update_states()

    def action_cancel(self):
        self.check_access("write")
        with self._unguard("state"):
            self.write({"state": "cancel"})

    def action_reset_draft(self):
        if any(contract.state != "cancel" or contract.invoice_ids for contract in self):
            raise UserError(_("Only cancelled contracts that were never invoiced can go back to draft."))
        self.check_access("write")
        with self._unguard("state"):
            self.write({"state": "draft"})

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"default_contract_id": self.id, "default_partner_id": self.partner_id.id}
        action["name"] = _("Tickets of %(contract)s", contract=self.name)
        return action

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_visit_action")
        action["domain"] = [("ticket_id.contract_id", "=", self.id)]
        action["context"] = {"create": False}
        action["view_mode"] = "list,form"
        action["views"] = [(False, "list"), (False, "form")]
        action["name"] = _("Visits of %(contract)s", contract=self.name)
        return action

    def action_export_xlsx(self):
        """Download the selected contracts (all of them when none is selected) as an Excel file."""
        contracts = self or self.search([])
        columns = [
            XlsxColumn(_("Reference")),
            XlsxColumn(_("Customer")),
            XlsxColumn(_("Status")),
            XlsxColumn(_("Start"), "date"),
            XlsxColumn(_("End"), "date"),
            XlsxColumn(_("Invoicing")),
            XlsxColumn(_("Recurring Amount"), "monetary"),
            XlsxColumn(_("Annual Amount"), "monetary"),
            XlsxColumn(_("Currency")),
            XlsxColumn(_("Visits per Year"), "integer"),
            XlsxColumn(_("Visits Done"), "integer"),
            XlsxColumn(_("Serials")),
            XlsxColumn(_("Sites")),
            XlsxColumn(_("SLA Policy")),
            XlsxColumn(_("Auto-Renew"), "boolean"),
        ]
        states = dict(self._fields["state"]._description_selection(self.env))
        periods = dict(self._fields["invoicing_period"]._description_selection(self.env))
        rows = [
            [
                contract.name,
                contract.partner_id.display_name,
                states[contract.state],
                contract.start_date,
                contract.end_date,
                periods[contract.invoicing_period],
                contract.recurring_amount,
                contract.annual_amount,
                contract.currency_id.name,
                contract.visits_per_year,
                contract.visits_used,
                ", ".join(contract.lot_ids.mapped("name")),
                ", ".join(contract.site_partner_ids.mapped("display_name")),
                contract.sla_policy_id.name or "",
                contract.auto_renew,
            ]
            for contract in contracts
        ]
        with XlsxReport() as report:
            report.write_sheet(_("Service Contracts"), columns, rows)
            return report.download_action(self.env, "service_contracts.xlsx")

    # ------------------------------------------------------------------
    # Coverage API
    # ------------------------------------------------------------------

    @api.model
    def _running_for(self, lot=None, partner=None, on_date=None):
        """The running contract that covers the unit ``lot`` or the service address ``partner`` on ``on_date``.

        A contract naming the serial wins over one naming the address; among several, the one
        that ends last. Returns an empty recordset when nothing covers them.
        """
        on_date = on_date or fields.Date.context_today(self)
        lot_ids = lot.ids if lot else []
        partner_ids = partner.ids if partner else []
        if not lot_ids and not partner_ids:
            return self.browse()
        contracts = self.search(
            [
                ("state", "in", RUNNING_STATES),
                ("start_date", "<=", on_date),
                ("end_date", ">=", on_date),
                "|",
                ("lot_ids", "in", lot_ids),
                ("site_partner_ids", "in", partner_ids),
            ],
            order="end_date desc, id desc",
        )
        return contracts._pick(lot, partner, on_date)

    def _pick(self, lot, partner, on_date):
        """Among these contracts (ordered by end date, latest first), the running one covering ``lot`` or
        ``partner`` on ``on_date``: the serial wins over the address. No query: for batches."""
        running = self.filtered(lambda c: c.state in RUNNING_STATES and c.start_date <= on_date <= c.end_date)
        by_lot = running.filtered(lambda c: lot and lot in c.lot_ids)
        if by_lot:
            return by_lot[:1]
        return running.filtered(lambda c: partner and partner in c.site_partner_ids)[:1]

    def _covers(self, kind, on_date=None):
        """Whether this contract covers ``kind`` ('parts', 'labour' or 'travel') on ``on_date`` (today)."""
        self.ensure_one()
        if kind not in COVERAGE_KINDS:
            raise ValueError(f"Unknown coverage kind {kind!r}")
        on_date = on_date or fields.Date.context_today(self)
        return bool(
            self.state in RUNNING_STATES and self.start_date <= on_date <= self.end_date and self[f"covers_{kind}"]
        )

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_process(self, batch_size=200):
        """Daily: states, reminders and renewals, maintenance visits, then invoices of started periods.

        Each step works in batches and looks at what is already done, so running it twice does
        nothing more, and a run after days off catches up.
        """
        today = fields.Date.context_today(self)
        done = 0
        # states: contracts that reach their reminder window or their end
        domain_states = [
            "|",
            "&",
            ("state", "=", "running"),
            ("end_date", "<=", today + relativedelta(days=366)),
            ("state", "=", "to_renew"),
        ]
        contracts = self.search(domain_states)
        contracts = contracts.filtered(
            lambda c: (
                c.end_date < today
                or (c.state == "running" and c.end_date - relativedelta(days=c.reminder_days) <= today)
                or (c.state == "to_renew" and not c.reminder_sent and not c.renewal_contract_id)
            )
        )[:batch_size]
        contracts._update_states(today)
        done += len(contracts)
        # maintenance visits
        to_plan = self.search([("state", "in", RUNNING_STATES), ("visits_per_year", ">", 0)])
        occurrences = to_plan._plan_visits(today)
        done += len(occurrences)
        # invoices, catching up missed periods (expired contracts too, for their last periods);
        # a contract that fails is noted and left for tomorrow, the others are invoiced
        to_invoice_domain = self._invoice_due_domain(today)
        to_invoice = self.search(to_invoice_domain, order="next_invoice_date, id", limit=batch_size)
        to_invoice._invoice_due_each(today)
        done += len(to_invoice)
        remaining = self.search_count(to_invoice_domain) if len(to_invoice) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done
