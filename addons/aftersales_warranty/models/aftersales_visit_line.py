from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

# How a billable line is paid for. Other addons add their own ways (a service contract)
# with ``selection_add`` and return their covering records from ``_coverage_sources``.
COVERAGES = [
    ("billable", "Billable"),
    ("warranty", "Warranty"),
    ("contract", "Service Contract"),
]
MANAGER_GROUP = "aftersales_service.aftersales_service_group_manager"
# who pays a line and what it costs: decided by the coverage computation, or by a manager's
# override with a reason (see ``write``)
COVERAGE_FIELDS = frozenset(
    {
        "coverage",
        "covering_warranty_id",
        "covering_contract_id",
        "cost_amount",
        "covered_amount",
        "visit_date",
        "lot_id",
        "unit_product_id",
    }
)
OVERRIDE_FIELDS = ("coverage_override", "coverage_override_reason")


class AftersalesVisitLine(models.Model):
    _name = "aftersales.visit.line"
    _inherit = ["aftersales.visit.line", "aftersales.guarded.mixin"]

    coverage = fields.Selection(
        COVERAGES,
        compute="_compute_coverage",
        store=True,
        precompute=True,
        index=True,
        help="Who pays the line: the customer (billable), or the company under the unit's warranty. "
        "Decided from the warranty of the ticket's serial number on the visit's date, unless a manager "
        "overrode it.",
    )
    covering_warranty_id = fields.Many2one(
        "aftersales.warranty",
        compute="_compute_coverage",
        store=True,
        precompute=True,
        index="btree_not_null",
    )
    covering_contract_id = fields.Many2one(
        "aftersales.contract",
        compute="_compute_coverage",
        store=True,
        precompute=True,
        index="btree_not_null",
        help="The service contract that pays for this line.",
    )
    coverage_override = fields.Selection(
        COVERAGES,
        copy=False,
        help="Set by a manager to decide the coverage of this line instead of the warranty rules.",
    )
    coverage_override_reason = fields.Char(copy=False, help="Why a manager decided the coverage of this line.")
    visit_date = fields.Date(
        compute="_compute_visit_date",
        store=True,
        precompute=True,
        index=True,
        help="The day of the visit: its check-in, else its planned start.",
    )
    lot_id = fields.Many2one(related="visit_id.ticket_id.lot_id", string="Serial Number", store=True, index=True)
    unit_product_id = fields.Many2one(
        related="visit_id.ticket_id.product_id", string="Unit Product", store=True, index=True
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    cost_amount = fields.Monetary(
        string="Cost",
        currency_field="company_currency_id",
        compute="_compute_cost_amount",
        store=True,
        help="What the line costs the company: the standard cost of its product times the quantity.",
    )
    covered_amount = fields.Monetary(
        compute="_compute_covered_amount",
        store=True,
        help="What the customer would have paid for a covered line.",
    )

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends("visit_id.check_in", "visit_id.scheduled_start")
    def _compute_visit_date(self):
        for line in self:
            # the day in the user's time zone, as the warranty's start day of the delivery is
            moment = line.visit_id.check_in or line.visit_id.scheduled_start
            line.visit_date = fields.Date.context_today(line, moment)

    @api.depends(
        "line_type",
        "visit_date",
        "visit_id.state",
        "visit_id.ticket_id.lot_id",
        "visit_id.ticket_id.contract_id",
        "coverage_override",
    )
    def _compute_coverage(self):
        lots = self.visit_id.ticket_id.lot_id
        running = {
            warranty.lot_id: warranty
            for warranty in self.env["aftersales.warranty"]
            .sudo()
            .search([("lot_id", "in", lots.ids), ("state", "=", "active")], order="end_date, id")
        }
        stored_ids = [line_id for line_id in self.ids if isinstance(line_id, int)]
        billed = set(
            self.env["sale.order.line"]
            .sudo()
            .search([("aftersales_visit_line_id", "in", stored_ids)])
            .aftersales_visit_line_id.ids
        )
        for line in self:
            if line.id in billed and line.coverage:
                # billed: the order says what the customer paid
                line.coverage = line.coverage
                line.covering_warranty_id = line.covering_warranty_id
                line.covering_contract_id = line.covering_contract_id
                continue
            coverage, source = line._decide_coverage(running)
            line.coverage = coverage
            line.covering_warranty_id = source if source._name == "aftersales.warranty" else False
            line.covering_contract_id = source if source._name == "aftersales.contract" else False

    @api.depends("product_id", "quantity", "company_id")
    def _compute_cost_amount(self):
        for line in self:
            cost = line.product_id.with_company(line.company_id).standard_price
            line.cost_amount = line.company_currency_id.round(cost * line.quantity) if line.product_id else 0.0

    @api.depends("coverage", "quantity", "price_unit")
    def _compute_covered_amount(self):
        for line in self:
            covered = line.coverage and line.coverage != "billable"
            line.covered_amount = line.currency_id.round(line.quantity * line.price_unit) if covered else 0.0

    @api.depends("coverage")
    def _compute_price_subtotal(self):
        result = super()._compute_price_subtotal()
        for line in self.filtered(lambda line: line.coverage and line.coverage != "billable"):
            line.price_subtotal = 0.0
        return result

    @api.constrains("coverage_override", "coverage_override_reason")
    def _check_coverage_override_reason(self):
        for line in self:
            if line.coverage_override and not (line.coverage_override_reason or "").strip():
                raise ValidationError(
                    _(
                        "Say why the coverage of %(line)s on visit %(visit)s is overridden.",
                        line=line.name,
                        visit=line.visit_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("coverage_override") for vals in vals_list):
            self._check_override_rights()
        # the override's own check is above: the guard leaves it to that check
        with self._unguard(*OVERRIDE_FIELDS):
            lines = super().create(vals_list)
        overridden = lines.filtered("coverage_override")
        if overridden:
            overridden._log_override(dict.fromkeys(overridden, False))
        return lines

    def write(self, vals):
        if set(OVERRIDE_FIELDS) & set(vals):
            self._check_override_rights()
            before = {line: line.coverage for line in self}
            with self._unguard(*OVERRIDE_FIELDS):
                result = super().write(vals)
            self._log_override(before)
            return result
        return super().write(vals)

    @api.model
    def _guarded_fields(self):
        # a manager's override is the action that owns the override fields: checked, explained, audited
        if self.env.user.has_group(MANAGER_GROUP):
            return super()._guarded_fields() | COVERAGE_FIELDS
        return super()._guarded_fields() | COVERAGE_FIELDS | set(OVERRIDE_FIELDS)

    # ------------------------------------------------------------------
    # Coverage
    # ------------------------------------------------------------------

    def _coverage_kind(self):
        """What the line is, for a warranty: 'parts', 'labour' or 'travel' (False: never covered).

        Override to map new line types (the parts addon maps its parts lines to 'parts').
        A fixed fee (call-out) counts as labour.
        """
        self.ensure_one()
        if self.line_type in ("travel_zone", "travel_km"):
            return "travel"
        if self.line_type in ("labour", "fee"):
            return "labour"
        return False

    def _coverage_sources(self, running=None):
        """The records that may cover this line, in the order they are tried.

        Returns a list of ``(coverage, record)`` pairs: ``coverage`` is a key of the
        ``coverage`` selection and ``record`` has ``_covers(kind, on_date)``.
        The first record that covers the line's kind on the visit's date decides the
        coverage: the unit's running warranty, then the ticket's service contract. Other
        addons override this method, call ``super()`` and insert their records where they
        rank, after adding their key with ``selection_add``. ``running`` maps serial numbers
        to their active warranty, read once for a batch of lines.
        """
        self.ensure_one()
        ticket = self.visit_id.ticket_id
        # the manufacturer's warranty pays first, then the customer's service contract
        contract = ticket.sudo().contract_id
        contracts = [("contract", contract)] if contract else []
        lot = ticket.lot_id
        if not lot:
            return contracts
        if running is None:
            warranty = (
                self.env["aftersales.warranty"]
                .sudo()
                .search([("lot_id", "=", lot.id), ("state", "=", "active")], order="end_date desc, id desc", limit=1)
            )
        else:
            warranty = running.get(lot)
        return ([("warranty", warranty)] if warranty else []) + contracts

    def _decide_coverage(self, running=None):
        """The coverage of the line and the record that covers it (an empty recordset when billable)."""
        self.ensure_one()
        nothing = self.env["aftersales.warranty"]
        if self.coverage_override == "billable":
            return "billable", nothing
        if self.coverage_override:
            sources = self._coverage_sources(running)
            source = next((record for key, record in sources if key == self.coverage_override), None)
            if source is None and self.coverage_override == "warranty":
                source = self.visit_id.ticket_id.sudo().warranty_id
            return self.coverage_override, source or nothing
        kind = self._coverage_kind()
        if kind:
            for coverage, record in self._coverage_sources(running):
                if record._covers(kind, self.visit_date):
                    return coverage, record
        return "billable", nothing

    def _check_override_rights(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only after-sales managers can override the coverage of a fee."))

    def _log_override(self, before):
        labels = dict(self._fields["coverage"]._description_selection(self.env))
        self.env["aftersales.audit.log"]._audit_many(
            [
                {
                    "action": "coverage_override",
                    "record": line.visit_id,
                    "reason": line.coverage_override_reason,
                    "old": f"{line.name}: {labels.get(before.get(line), '')}",
                    "new": f"{line.name}: {labels.get(line.coverage, '')}",
                    "require_reason": bool(line.coverage_override),
                }
                for line in self
            ]
        )
        for line in self:
            line.visit_id.message_post(
                body=_(
                    "Coverage of %(line)s changed from %(old)s to %(new)s by %(user)s: %(reason)s",
                    line=line.name,
                    old=labels.get(before.get(line), ""),
                    new=labels.get(line.coverage, ""),
                    user=self.env.user.name,
                    reason=line.coverage_override_reason or _("back to the warranty rules"),
                ),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------
    # Billing
    # ------------------------------------------------------------------

    def _prepare_sale_line_vals(self, order):
        vals = super()._prepare_sale_line_vals(order)
        if self.coverage and self.coverage != "billable":
            vals["discount"] = 100.0
            vals["name"] = f"{vals['name']}\n{self._coverage_label()}"
        return vals

    def _coverage_label(self):
        """The line printed on the service order under a covered fee."""
        self.ensure_one()
        if self.coverage == "warranty":
            if self.covering_warranty_id:
                return _("Covered by warranty %(warranty)s", warranty=self.covering_warranty_id.name)
            return _("Covered by warranty")
        if self.coverage == "contract" and self.covering_contract_id:
            return _("Covered by contract %(contract)s", contract=self.covering_contract_id.sudo().name)
        labels = dict(self._fields["coverage"]._description_selection(self.env))
        return _("Covered: %(coverage)s", coverage=labels.get(self.coverage, self.coverage))
