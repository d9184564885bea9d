from collections import Counter, defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, config

from odoo.addons.aftersales_service.tools.xlsx_export import XlsxColumn, XlsxReport

WARRANTY_STATES = [
    ("draft", "Waiting for Start"),
    ("active", "Active"),
    ("expired", "Expired"),
    ("void", "Void"),
]
WARRANTY_ORIGINS = [
    ("sale", "Sale"),
    ("registration", "Customer Registration"),
    ("manual", "Manual"),
]
REGISTRATION_STATES = [
    ("to_approve", "To Approve"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
# states in which a unit's warranty still counts (only one per unit)
OPEN_STATES = ("draft", "active")
MANAGER_GROUP = "aftersales_service.aftersales_service_group_manager"
# what the actions of the warranty change: its life (state, dates, void), its origin and the
# documents it came from; the owner changes through the transfer wizard only
GUARDED_FIELDS = frozenset(
    {
        "state",
        "start_date",
        "end_date",
        "void_reason",
        "void_picking_id",
        "policy_id",
        "product_id",
        "lot_id",
        "quantity",
        "partner_id",
        "origin",
        "sale_line_id",
        "picking_id",
        "move_id",
        "invoice_id",
        "extension_ids",
        "purchase_date",
        "registration_state",
        "registration_serial",
    }
)
# what a lookup by serial number shows: the state, the end (the days left come from both), the customer
LOOKUP_FIELDS = ("state", "end_date", "partner_id")
# the parameter of the lookup's query that each lookup replaces with its serial number
_SERIAL = object()
# key of the cursor's cache: the fields given to each warranty of a registration that has no default
# to add (the defaults are looked up once, for the first)
_NO_DEFAULTS_KEY = "aftersales_warranty_no_defaults"
# what a manual warranty is given when it is created, waiting for its start
CREATE_FIELDS = ("partner_id", "product_id", "lot_id", "quantity", "policy_id", "purchase_date")
# what the policy and the extensions decide; a manager may widen it by hand
COVERAGE_KINDS = ("parts", "labour", "travel")
COVERAGE_FIELDS = frozenset(f"covers_{kind}" for kind in COVERAGE_KINDS)
# the stored computed fields whose values a delivery gives when it registers its units (the values
# their computes give a new warranty: ``_prepare_computed_vals_list``), so that they are inserted at once
# instead of computed and written again after the insert
GIVEN_COMPUTED_FIELDS = (
    "commercial_partner_id",
    "lot_name",
    "sale_order_id",
    "extension_months",
    "end_date",
    "covered_until",
)


class AftersalesWarranty(models.Model):
    _name = "aftersales.warranty"
    _description = "Warranty"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin", "aftersales.guarded.mixin"]
    _order = "end_date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "lot_name", "partner_id.name"]

    # a btree, not trigrams: deliveries insert warranties by the hundred, and a trigram index costs
    # their insert as much as all the others together; a warranty is searched by its serial and
    # customer too, which no index of the reference serves
    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index=True, default=lambda self: _("New")
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True, check_company=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer Company"
    )
    product_id = fields.Many2one("product.product", required=True, index=True, check_company=True, tracking=True)
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index=True,
        check_company=True,
        domain="[('product_id', '=', product_id)]",
        tracking=True,
    )
    lot_name = fields.Char(
        related="lot_id.name", store=True, index=True, string="Serial", help="The serial number, for fast lookups."
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", help="Units covered (1 for a serial).")
    policy_id = fields.Many2one("aftersales.warranty.policy", required=True, check_company=True, tracking=True)
    origin = fields.Selection(WARRANTY_ORIGINS, required=True, default="manual", readonly=True)
    sale_line_id = fields.Many2one("sale.order.line", string="Sale Order Line", index="btree_not_null", readonly=True)
    sale_order_id = fields.Many2one(related="sale_line_id.order_id", store=True, index="btree_not_null")
    picking_id = fields.Many2one("stock.picking", string="Delivery", index="btree_not_null", readonly=True)
    move_id = fields.Many2one("stock.move", string="Delivered Move", index="btree_not_null", readonly=True)
    invoice_id = fields.Many2one("account.move", index="btree_not_null", readonly=True)
    purchase_date = fields.Date(
        help="When the customer bought the unit (registrations of units bought elsewhere).", tracking=True
    )
    start_date = fields.Date(tracking=True, help="Empty until what starts the clock happens (see the policy).")
    end_date = fields.Date(
        tracking=True,
        compute="_compute_end_date",
        store=True,
        readonly=False,
        index=True,
        help="The last day covered, extensions included.",
    )
    extension_months = fields.Integer(
        compute="_compute_extension_months",
        store=True,
        help="Months added by extended warranties sold for this unit.",
    )
    covered_until = fields.Date(
        compute="_compute_covered_until", store=True, help="The end plus the policy's grace days."
    )
    covers_parts = fields.Boolean(
        string="Parts", compute="_compute_coverage", store=True, readonly=False, precompute=True, tracking=True
    )
    covers_labour = fields.Boolean(
        string="Labour", compute="_compute_coverage", store=True, readonly=False, precompute=True, tracking=True
    )
    covers_travel = fields.Boolean(
        string="Travel", compute="_compute_coverage", store=True, readonly=False, precompute=True, tracking=True
    )
    state = fields.Selection(WARRANTY_STATES, required=True, default="draft", tracking=True, index=True, copy=False)
    void_reason = fields.Char(tracking=True, copy=False)
    void_picking_id = fields.Many2one(
        "stock.picking",
        string="Voided by Transfer",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The return or delivery that voided this warranty.",
    )
    days_left = fields.Integer(compute="_compute_days_left", help="Days of coverage left today (0 once ended).")
    extension_ids = fields.One2many("aftersales.warranty.extension", "warranty_id", string="Extensions", readonly=True)
    registration_state = fields.Selection(
        REGISTRATION_STATES,
        tracking=True,
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="Registrations of units bought elsewhere wait for the approval of the service team.",
    )
    registration_serial = fields.Char(
        string="Registered Serial",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The serial number the customer gave; the unit's lot is found or created on approval.",
    )

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends("extension_ids.state", "extension_ids.months")
    def _compute_extension_months(self):
        """The months added by the active extended warranties sold for the unit."""
        for warranty in self:
            warranty.extension_months = sum(
                warranty.extension_ids.filtered(lambda e: e.state == "active").mapped("months")
            )

    @api.depends("start_date", "duration", "duration_unit", "manual_end_date", "manual_end_months", "extension_months")
    def _compute_end_date(self):
        """The end the warranty's own terms give, or the manager's end by hand, plus the extensions.

        The extensions sold after a manager moved the end by hand add their months on top of it.
        """
        for warranty in self:
            if warranty.manual_end_date:
                warranty.end_date = warranty.manual_end_date + relativedelta(
                    months=warranty.extension_months - warranty.manual_end_months
                )
            elif warranty.start_date and warranty.duration:
                warranty.end_date = warranty._terms_end_date(warranty.start_date, warranty.extension_months)
            elif not warranty.start_date:
                warranty.end_date = False

    @api.depends("end_date", "grace_days")
    def _compute_covered_until(self):
        for warranty in self:
            warranty.covered_until = warranty.end_date and warranty.end_date + timedelta(days=warranty.grace_days)

    @api.depends("policy_id", "extension_ids.state")
    def _compute_coverage(self):
        for warranty in self:
            extensions = warranty.extension_ids.filtered(lambda e: e.state == "active")
            warranty.update(self._coverage_vals(warranty.policy_id, extensions))

    @api.depends("state", "end_date")
    @api.depends_context("date")
    def _compute_days_left(self):
        today = fields.Date.context_today(self)
        for warranty in self:
            warranty.days_left = self._days_left(warranty.state, warranty.end_date, today)

    @api.model
    def _days_left(self, state, end_date, today):
        """Days of coverage left on ``today`` for a warranty in ``state`` that ends on ``end_date``."""
        if state == "active" and end_date and end_date >= today:
            return (end_date - today).days + 1
        return 0

    def _check_company(self, fnames=None):
        """Check the values of each field together, per company, however many warranties share them.

        The warranties of a delivery share their company, customer, product and policy, and each has
        a serial of its own: the values of a field are checked at once for a company, and only the
        warranties of a company whose values do not all fit are checked again, for the message.
        """
        if len(self) < 2:
            return super()._check_company(fnames)
        names = self._fields if fnames is None or "company_id" in fnames else fnames
        fields_ = [self._fields[name] for name in names]
        # company-dependent fields are checked against the current company, by the standard check
        dependent = [
            field.name for field in fields_ if field.relational and field.check_company and field.company_dependent
        ]
        if dependent:
            super()._check_company(dependent)
        checked = [
            field.name for field in fields_ if field.relational and field.check_company and not field.company_dependent
        ]
        by_company = defaultdict(list)
        for warranty in self.sudo():
            by_company[warranty.company_id].append(warranty.id)
        failing = []
        for company, ids in by_company.items():
            warranties = self.sudo().browse(ids)
            for name in checked:
                values = warranties.mapped(name)
                domain = values and values._check_company_domain(company)
                if domain and values.with_context(active_test=False).filtered_domain(domain) != values:
                    failing += ids
                    break
        if failing:
            super(AftersalesWarranty, self.browse(sorted(failing)))._check_company(checked)
        return None

    @api.constrains("start_date", "end_date")
    def _check_dates(self):
        for warranty in self:
            if warranty.start_date and warranty.end_date and warranty.end_date < warranty.start_date:
                raise ValidationError(
                    _("Warranty %(warranty)s cannot end before it starts.", warranty=warranty.display_name)
                )

    @api.model
    def _coverage_vals(self, policy, extensions):
        """What a warranty of ``policy`` covers with ``extensions`` (its active ones): what the policy
        covers, widened by what the extensions add."""
        return {
            f"covers_{kind}": bool(policy[f"covers_{kind}"] or any(extensions.mapped(f"covers_{kind}")))
            for kind in COVERAGE_KINDS
        }

    def _check_serials_free(self, lot_ids):
        """Refuse a second running warranty for a serial number (``lot_ids`` about to run)."""
        lot_ids = [lot_id for lot_id in lot_ids if lot_id]
        if not lot_ids:
            return
        doubled = [lot_id for lot_id, count in Counter(lot_ids).items() if count > 1]
        if not doubled:
            # no limit: with one, PostgreSQL may walk the whole table in the order asked for instead of
            # the index of the running serials (there are none or a few of them)
            doubled = (
                self.sudo()
                .search_fetch(
                    [("lot_id", "in", lot_ids), ("state", "in", OPEN_STATES), ("id", "not in", self.ids)],
                    ["lot_id"],
                    order="id",
                )
                .lot_id.ids
            )
        if doubled:
            raise ValidationError(
                _(
                    "Serial number %(serial)s already has a warranty that runs: void it first.",
                    serial=self.env["stock.lot"].browse(doubled[0]).name,
                )
            )

    def init(self):
        # the database keeps one running warranty per serial, whatever the code does
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS aftersales_warranty_open_lot_uniq
                ON aftersales_warranty (lot_id)
             WHERE lot_id IS NOT NULL AND state IN ('draft', 'active')
            """
        )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        new = _("New")
        unnamed = [vals for vals in vals_list if vals.get("name", new) == new]
        for vals, name in zip(unnamed, self._next_names(len(unnamed)), strict=True):
            vals["name"] = name
        if not self.env.su and COVERAGE_FIELDS & self._guarded_fields():
            # what is covered comes from the policy (precomputed), not from the form
            vals_list = [
                {key: value for key, value in vals.items() if key not in COVERAGE_FIELDS} for vals in vals_list
            ]
        # the registration of a delivery (as superuser) looks the running warranties of its serials up
        # itself and voids them first, and gives the values of the computed fields
        registration = self.env.su and self.env.context.get("aftersales_delivery_registration")
        if not registration:
            self.browse()._check_serials_free(
                [vals.get("lot_id") for vals in vals_list if vals.get("state", "draft") in OPEN_STATES]
            )
        # the units of a delivery are given the same fields: when the first has no default to add,
        # none of the others has one, and the defaults are not looked up again for each unit
        given = registration and {frozenset(vals) for vals in vals_list}
        if given and len(given) == 1:
            (names,) = given
            if not self.default_get([name for name in self._fields if name not in names]):
                self.env.cr.cache[_NO_DEFAULTS_KEY] = names
        # a new warranty waits for its start: the unit, its owner and its policy are given now,
        # its life (state, dates) is left to the actions
        try:
            with self._unguard(*CREATE_FIELDS):
                warranties = super().create(vals_list)
        finally:
            self.env.cr.cache.pop(_NO_DEFAULTS_KEY, None)
        if registration:
            for name in GIVEN_COMPUTED_FIELDS:
                if all(name in vals for vals in vals_list):
                    self.env.remove_to_compute(self._fields[name], warranties)
        # extended warranties sold before the unit had its warranty
        self.env["aftersales.warranty.extension"].sudo()._attach(warranties)
        return warranties

    @api.model
    def _add_missing_default_values(self, values):
        if self.env.cr.cache.get(_NO_DEFAULTS_KEY) == values.keys():
            return dict(values)
        return super()._add_missing_default_values(values)

    @api.model
    def _next_names(self, count):
        """``count`` references from the warranty sequence, drawn in one query.

        A delivery registers many units at once: a standard sequence gives all its numbers
        with one ``nextval`` per batch instead of a search and a ``nextval`` per warranty.
        """
        if not count:
            return []
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search_fetch(
                [("code", "=", "aftersales.warranty"), ("company_id", "in", [self.env.company.id, False])],
                ["implementation", "use_date_range", "prefix", "suffix", "padding"],
                order="company_id",
                limit=1,
            )
        )
        if not sequence:
            return [_("New")] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence._next() for _index in range(count)]
        self.env.cr.execute(
            SQL("SELECT nextval(%s) FROM generate_series(1, %s)", f"ir_sequence_{sequence.id:03d}", count)
        )
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for (number,) in self.env.cr.fetchall()]

    def write(self, vals):
        if "lot_id" in vals or vals.get("state") in OPEN_STATES:
            self._check_serials_free(
                [
                    vals.get("lot_id", warranty.lot_id.id)
                    for warranty in self
                    if vals.get("state", warranty.state) in OPEN_STATES
                ]
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if any(warranty.state != "draft" or warranty.origin == "sale" for warranty in self):
            raise UserError(_("Void warranties rather than deleting them, so that their history stays."))

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for warranty in self:
            warranty.access_url = f"/my/warranties/{warranty.id}"
        return result

    @api.model
    def _guarded_fields(self):
        guarded = super()._guarded_fields() | GUARDED_FIELDS
        if not self.env.user.has_group(MANAGER_GROUP):
            guarded |= COVERAGE_FIELDS
        return guarded

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_activate(self):
        """Start the clock today for warranties still waiting for their start (managers)."""
        self._check_manager(_("Only after-sales managers can start a warranty by hand."))
        waiting = self.filtered(lambda w: w.state == "draft")
        if waiting != self:
            raise UserError(_("Only warranties waiting for their start can be started."))
        waiting._start(fields.Date.context_today(self))

    def _check_manager(self, message):
        """Refuse the action to whoever may not change these warranties or is not a manager."""
        self.check_access("write")
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(message)

    def action_extend(self, end_date, reason):
        """Move the end of running warranties to ``end_date`` by hand, for ``reason`` (managers, audited)."""
        self._check_manager(_("Only after-sales managers can extend a warranty by hand."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why the warranty is extended by hand."))
        end_date = fields.Date.to_date(end_date)
        not_running = self.filtered(lambda w: w.state != "active")
        if not_running:
            raise UserError(
                _(
                    "Only active warranties can be extended by hand; %(warranties)s are not.",
                    warranties=", ".join(not_running.mapped("name")),
                )
            )
        shorter = self.filtered(lambda w: not end_date or end_date <= w.end_date)
        if shorter:
            raise UserError(
                _(
                    "The new end of warranties %(warranties)s must come after their current end.",
                    warranties=", ".join(shorter.mapped("name")),
                )
            )
        before = {warranty.id: warranty.end_date for warranty in self}
        # the manager's end stays; extensions sold later add their months on top of it
        for warranty in self:
            with warranty._unguard("manual_end_date", "manual_end_months"):
                warranty.write({"manual_end_date": end_date, "manual_end_months": warranty.extension_months})
        self.env["aftersales.audit.log"]._audit("warranty_extended", self, reason, old=before, new=end_date)
        return True

    def action_open_extend(self):
        """Open the window that asks for the new end and why (managers)."""
        self._check_manager(_("Only after-sales managers can extend a warranty by hand."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Extend Warranty"),
            "res_model": "aftersales.warranty.extend",
            "view_mode": "form",
            "target": "new",
            "context": {"default_warranty_ids": self.ids},
        }

    def action_void(self):
        """Void the warranties by hand (managers): the window asks why first, then voids them
        (:meth:`_void_by_hand`). Transfers void through ``_void``."""
        self._check_voidable()
        return self.env["aftersales.audit.reason"]._action(self, "_void_by_hand", _("Why void the warranty?"))

    def _void_by_hand(self, reason):
        """Void the warranties by hand (managers), ``reason`` written in the audit log."""
        self._check_voidable()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why the warranty is voided."))
        return self._void(reason)

    def _check_voidable(self):
        wrong = self.filtered(lambda w: w.state == "void")
        if wrong:
            raise UserError(
                _("Warranties %(warranties)s are already void.", warranties=", ".join(wrong.mapped("name")))
            )
        self._check_manager(_("Only after-sales managers can void a warranty by hand."))

    def _void(self, reason, picking=None):
        """Void the warranties, the caller having checked who may: by ``picking``, or by hand with ``reason``
        (written in the audit log)."""
        old_states = {warranty.id: warranty.state for warranty in self}
        with self._unguard("state", "void_reason", "void_picking_id"):
            self.write(
                {
                    "state": "void",
                    "void_reason": reason or self.env._("Voided by %(user)s", user=self.env.user.name),
                    "void_picking_id": picking.id if picking else False,
                }
            )
        if not picking:
            labels = dict(self._fields["state"]._description_selection(self.env))
            self.env["aftersales.audit.log"]._audit(
                "warranty_voided",
                self,
                reason,
                old={key: labels.get(state, state) for key, state in old_states.items()},
                new=labels["void"],
            )
        return True

    def _start(self, start_date):
        """Start the clock of waiting warranties on ``start_date``; those already over expire."""
        with self._unguard("start_date", "end_date", "state"):
            self.write({"start_date": start_date, "state": "active"})
        self._expire_ended()

    def _expire_ended(self):
        """Expire the active warranties among these whose coverage already ended."""
        today = fields.Date.context_today(self)
        ended = self.filtered(lambda w: w.state == "active" and w.covered_until and w.covered_until < today)
        with ended._unguard("state"):
            ended.write({"state": "expired"})

    def _covers(self, kind, on_date=None):
        """Whether this warranty covers ``kind`` ('parts', 'labour' or 'travel') on ``on_date`` (today)."""
        self.ensure_one()
        on_date = on_date or fields.Date.context_today(self)
        return (
            self.state == "active"
            and self.start_date
            and self.start_date <= on_date <= (self.covered_until or self.end_date)
            and self[f"covers_{kind}"]
        )

    def action_open_transfer(self):
        """Open the wizard that hands these warranties over to another customer."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_warranty.aftersales_warranty_transfer_action"
        )
        action["context"] = {"active_model": self._name, "active_ids": self.ids}
        return action

    @api.model
    def _action_for(self, domain, name):
        """The warranties action narrowed to ``domain`` (smart buttons of other documents)."""
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_warranty.aftersales_warranty_action")
        action.update(domain=domain, context={}, name=name)
        return action

    @api.model
    def _lookup(self, serial):
        """The warranty that runs for the unit with this serial number, else its latest one.

        One query on the indexed serial column, which also fetches what a lookup shows
        (``LOOKUP_FIELDS``; the days left are worked out from them). The query is built once per
        user and companies (:meth:`_lookup_query`), with the user's access rights and record rules;
        each lookup binds its serial and puts what it fetched in the cache, as ``_fetch_query``.
        """
        query, serial_index = self._lookup_query()
        params = list(query.params)
        params[serial_index] = serial
        env = self.env
        env.flush_query(query)
        env.cr.execute(query.code, params)
        row = env.cr.fetchone()
        if not row:
            return self.browse()
        warranty = self.browse(row[:1])
        for name, value in zip(LOOKUP_FIELDS, row[1:], strict=True):
            env.cache.insert_missing(warranty, self._fields[name], (value,))
        state, end_date = row[1], row[2]
        days_left = self._days_left(state, end_date, fields.Date.context_today(self))
        env.cache.insert_missing(warranty, self._fields["days_left"], (days_left,))
        return warranty

    @api.model
    @tools.conditional(
        "xml" not in config["dev_mode"],
        tools.ormcache("self.env.uid", "self.env.su", "tuple(self.env['ir.rule']._compute_domain_context_values())"),
    )
    def _lookup_query(self):
        """The query of :meth:`_lookup` for the current user and companies, and the index of the serial
        among its parameters.

        The user's access rights and record rules apply through ``_search``, which refuses a user
        without read access (nothing is cached then); the serial and the order (running first:
        'active' and 'draft' sort before 'expired' and 'void') are added as SQL. Cached like the
        domains of the record rules (same key, same cache), it is built again whenever they may
        change: rules, access rights, groups, the user's companies or branches.
        """
        self.check_field_access_rights("read", list(LOOKUP_FIELDS))
        query = self._search([], limit=1)
        table = self._table
        query.add_where(SQL("%s = %s", self._field_to_sql(table, "lot_name", query), _SERIAL))
        query.order = SQL(
            "%s, %s DESC", self._field_to_sql(table, "state", query), self._field_to_sql(table, "end_date", query)
        )
        select = query.select(
            SQL.identifier(table, "id"), *(self._field_to_sql(table, name, query) for name in LOOKUP_FIELDS)
        )
        return select, next(index for index, param in enumerate(select.params) if param is _SERIAL)

    @api.model
    def _cron_expire(self, batch_size=1000):
        """Expire, in batches, the active warranties whose coverage (grace days included) ended."""
        today = fields.Date.context_today(self)
        domain = [("state", "=", "active"), ("covered_until", "<", today)]
        warranties = self.search(domain, limit=batch_size)
        with warranties._unguard("state"):
            warranties.write({"state": "expired"})
        remaining = self.search_count(domain) if len(warranties) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(warranties), remaining=remaining)
        return len(warranties)

    def action_export_xlsx(self):
        """Download the selected warranties (all of them when none is selected) as an Excel file."""
        warranties = self or self.search([])
        states = dict(self._fields["state"]._description_selection(self.env))
        columns = [
            XlsxColumn(_("Reference")),
            XlsxColumn(_("Customer")),
            XlsxColumn(_("Product")),
            XlsxColumn(_("Serial Number")),
            XlsxColumn(_("Policy")),
            XlsxColumn(_("Status")),
            XlsxColumn(_("Start"), "date"),
            XlsxColumn(_("End"), "date"),
            XlsxColumn(_("Covered Until"), "date"),
        ]
        rows = [
            [
                warranty.name,
                warranty.partner_id.display_name,
                warranty.product_id.display_name,
                warranty.lot_name or "",
                warranty.policy_id.name,
                states[warranty.state],
                warranty.start_date,
                warranty.end_date,
                warranty.covered_until,
            ]
            for warranty in warranties
        ]
        with XlsxReport() as report:
            report.write_sheet(_("Warranties"), columns, rows)
            return report.download_action(self.env, "warranties.xlsx")
