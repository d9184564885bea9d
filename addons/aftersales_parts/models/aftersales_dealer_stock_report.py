from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

from odoo.addons.aftersales_service.tools.periods import company_tz, utc_period_bounds

REPORT_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("validated", "Validated"),
    ("refused", "Refused"),
]

AGENT_GROUP = "aftersales_service.aftersales_service_group_user"
# the states in which the dealer still fills in its figures
EDITABLE_STATES = ("draft", "refused")
# what a report is about: set while it is a draft
IDENTITY_FIELDS = ("partner_id", "company_id", "month")


class AftersalesDealerStockReport(models.Model):
    """A dealer's monthly report of its stock of our products: what it received from us (read from our
    deliveries), what it sold and what it holds at the end of the month (given by the dealer)."""

    _name = "aftersales.dealer.stock.report"
    _inherit = ["mail.thread", "portal.mixin", "aftersales.guarded.mixin"]
    _description = "Dealer Stock Report"
    _order = "month desc, partner_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Dealer",
        required=True,
        index=True,
        tracking=True,
        domain="[('aftersales_dealer', '=', True), ('is_company', '=', True)]",
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    month = fields.Date(
        required=True,
        index=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1) - relativedelta(months=1),
        help="The first day of the month reported on.",
    )
    state = fields.Selection(REPORT_STATES, required=True, default="draft", tracking=True, copy=False)
    refuse_reason = fields.Text(readonly=True, copy=False)
    line_ids = fields.One2many("aftersales.dealer.stock.report.line", "report_id", string="Products", copy=True)
    date_submitted = fields.Datetime(string="Submitted on", readonly=True, copy=False)
    submitted_by_id = fields.Many2one("res.users", string="Submitted by", readonly=True, copy=False)
    date_validated = fields.Datetime(string="Validated on", readonly=True, copy=False)
    validated_by_id = fields.Many2one("res.users", string="Validated by", readonly=True, copy=False)
    reminder_sent = fields.Boolean(
        readonly=True, copy=False, help="The dealer's portal users were asked once to submit this report."
    )
    difference_flag = fields.Boolean(
        string="Figures Do Not Add Up",
        compute="_compute_difference_flag",
        store=True,
        help="A line's opening + received - sold - on hand is not zero.",
    )
    received_qty = fields.Float(string="Received", compute="_compute_totals", digits="Product Unit of Measure")
    sold_qty = fields.Float(string="Sold", compute="_compute_totals", digits="Product Unit of Measure")
    on_hand_qty = fields.Float(string="On Hand", compute="_compute_totals", digits="Product Unit of Measure")

    _sql_constraints = [
        (
            "dealer_month_unique",
            "UNIQUE(partner_id, company_id, month)",
            "A dealer reports its stock once a month: this month already has its report.",
        )
    ]

    @api.depends("partner_id", "month")
    def _compute_name(self):
        for report in self:
            month = report.month.strftime("%Y-%m") if report.month else ""
            report.name = _("%(dealer)s, %(month)s", dealer=report.partner_id.name or "", month=month)

    @api.depends("line_ids.difference_flag")
    def _compute_difference_flag(self):
        for report in self:
            report.difference_flag = any(report.line_ids.mapped("difference_flag"))

    @api.depends("line_ids.received_qty", "line_ids.sold_qty", "line_ids.on_hand_qty")
    def _compute_totals(self):
        for report in self:
            report.received_qty = sum(report.line_ids.mapped("received_qty"))
            report.sold_qty = sum(report.line_ids.mapped("sold_qty"))
            report.on_hand_qty = sum(report.line_ids.mapped("on_hand_qty"))

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for report in self:
            report.access_url = f"/my/stock-reports/{report.id}"
        return result

    @api.constrains("month")
    def _check_month(self):
        for report in self:
            if report.month.day != 1:
                raise ValidationError(_("The month of a stock report is given by its first day."))

    @api.constrains("partner_id")
    def _check_partner(self):
        for report in self:
            dealer = report.partner_id.sudo()
            if not dealer.aftersales_dealer or dealer.commercial_partner_id != dealer:
                raise ValidationError(
                    _("%(partner)s is not a dealer company: only dealers report their stock.", partner=dealer.name)
                )
            if dealer.aftersales_consignment_location_id:
                raise ValidationError(
                    _(
                        "%(dealer)s holds our products in consignment: its figures come from our stock moves, "
                        "it reports no stock.",
                        dealer=dealer.name,
                    )
                )

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {
            "state",
            "refuse_reason",
            "date_submitted",
            "submitted_by_id",
            "date_validated",
            "validated_by_id",
            "reminder_sent",
        }

    def _locked_records(self):
        return self.filtered(lambda report: report.state in ("submitted", "validated"))

    def _lock_refusal(self, field_names):
        return UserError(
            _(
                "%(reports)s is submitted or validated: its figures no longer change. Refuse it to let the dealer "
                "correct it.",
                reports=", ".join(self.mapped("display_name")[:5]),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        reports = super().create(vals_list)
        reports.filtered(lambda report: not report.line_ids)._fill_lines()
        return reports

    def write(self, vals):
        self._check_identity_write(vals)
        return super().write(vals)

    def _check_identity_write(self, vals):
        """The dealer, company and month of a report change only while it is a draft: once the dealer submitted
        its figures (refused reports included), they stay the figures of that dealer and month."""
        if self.env.su:
            return
        sent = self.filtered(lambda report: report.state != "draft")
        changed = [name for name in IDENTITY_FIELDS if name in vals and sent and sent._guard_changes(name, vals[name])]
        if changed:
            raise UserError(
                _(
                    "%(reports)s was submitted by the dealer: its %(fields)s no longer change. Create the report of "
                    "the other dealer or month instead.",
                    reports=", ".join(sent.mapped("display_name")[:5]),
                    fields=", ".join(self._fields[name]._description_string(self.env) for name in changed),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        if any(report.state != "draft" for report in self):
            raise UserError(_("Only draft stock reports can be deleted; a submitted report is refused instead."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_refresh_received(self):
        """Read again the received and opening quantities, and add the products received since."""
        self._check_state(EDITABLE_STATES + ("submitted",))
        self._fill_lines()
        return True

    def action_submit(self):
        """The dealer's figures are complete: our after-sales agents check them."""
        self._check_state(EDITABLE_STATES)
        self._fill_lines()
        with self._unguard("state", "date_submitted", "submitted_by_id", "refuse_reason"):
            self.write(
                {
                    "state": "submitted",
                    "date_submitted": fields.Datetime.now(),
                    "submitted_by_id": self.env.uid,
                    "refuse_reason": False,
                }
            )
        return True

    def action_validate(self):
        self._check_agent()
        self._check_state(("submitted",))
        with self._unguard("state", "date_validated", "validated_by_id"):
            self.write({"state": "validated", "date_validated": fields.Datetime.now(), "validated_by_id": self.env.uid})
        return True

    def action_refuse(self, reason):
        """Send the report back to the dealer, with the reason it reads on its portal."""
        self._check_agent()
        self._check_state(("submitted", "validated"))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Tell the dealer why its stock report is refused."))
        with self._unguard("state", "refuse_reason", "date_validated", "validated_by_id"):
            self.write({"state": "refused", "refuse_reason": reason, "date_validated": False, "validated_by_id": False})
        for report in self:
            report.message_post(body=_("Refused: %(reason)s", reason=reason))
        return True

    def action_open_refuse_wizard(self):
        self._check_agent()
        return {
            "type": "ir.actions.act_window",
            "name": _("Refuse the Stock Report"),
            "res_model": "aftersales.dealer.stock.report.refuse",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def _check_agent(self):
        if not self.env.user.has_group(AGENT_GROUP):
            raise AccessError(_("Only after-sales agents and managers validate or refuse the dealers' stock reports."))

    def _check_state(self, states):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for report in self:
            if report.state not in states:
                raise UserError(
                    _(
                        "%(report)s is %(state)s: this cannot be done now.",
                        report=report.display_name,
                        state=labels[report.state],
                    )
                )

    # ------------------------------------------------------------------
    # The dealer's figures
    # ------------------------------------------------------------------

    def _portal_save(self, figures, submit=False):
        """Record the dealer's figures posted on the portal: ``{line: (sold, on_hand)}``."""
        self.ensure_one()
        self._check_state(EDITABLE_STATES)
        for line, (sold, on_hand) in figures.items():
            if line.report_id != self:
                raise UserError(_("The figures given are not those of this report."))
            for value in (sold, on_hand):
                if value < 0:
                    raise UserError(_("The quantities sold and on hand cannot be negative."))
            line.write({"sold_qty": sold, "on_hand_qty": on_hand})
        if submit:
            self.action_submit()
        return True

    def _month_bounds(self):
        self.ensure_one()
        last_day = self.month + relativedelta(months=1, days=-1)
        return utc_period_bounds(self.env, self.month, last_day, tz_name=company_tz(self.company_id))

    def _received_quantities(self):
        """{product: quantity} our done deliveries to the dealer in the month, less what it sent back to us,
        in the product's unit."""
        self.ensure_one()
        start, end = self._month_bounds()
        Move = self.env["stock.move"].sudo()
        base = [
            ("state", "=", "done"),
            ("company_id", "=", self.company_id.id),
            ("date", ">=", start),
            ("date", "<", end),
            ("picking_id.partner_id", "child_of", self.partner_id.id),
        ]
        quantities = {}
        for domain, sign in (
            ([("location_dest_id.usage", "=", "customer"), ("location_id.usage", "!=", "customer")], 1),
            ([("location_id.usage", "=", "customer"), ("location_dest_id.usage", "!=", "customer")], -1),
        ):
            for product, uom, quantity in Move._read_group(
                base + domain, ["product_id", "product_uom"], ["quantity:sum"]
            ):
                quantity = uom._compute_quantity(quantity, product.uom_id, rounding_method="HALF-UP")
                quantities[product] = quantities.get(product, 0.0) + sign * quantity
        return quantities

    def _previous_on_hand(self):
        """{product: quantity} on hand in the dealer's last validated report before this month."""
        self.ensure_one()
        previous = self.sudo().search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("month", "<", self.month),
                ("state", "=", "validated"),
            ],
            order="month desc",
            limit=1,
        )
        return {line.product_id: line.on_hand_qty for line in previous.line_ids}

    def _fill_lines(self):
        """Set the opening and received quantities of the lines, adding a line for each product the dealer
        received or held."""
        Line = self.env["aftersales.dealer.stock.report.line"]
        for report in self:
            received = report._received_quantities()
            opening = report._previous_on_hand()
            commands = []
            existing = {line.product_id: line for line in report.line_ids}
            for product in sorted(set(received) | set(opening) | set(existing), key=lambda p: p.display_name):
                vals = {"opening_qty": opening.get(product, 0.0), "received_qty": received.get(product, 0.0)}
                if product in existing:
                    line = existing[product]
                    if any(
                        float_compare(line[name], value, precision_rounding=product.uom_id.rounding)
                        for name, value in vals.items()
                    ):
                        commands.append(Command.update(line.id, vals))
                elif any(vals.values()):
                    commands.append(Command.create(dict(vals, product_id=product.id)))
            if commands:
                with Line._unguard("opening_qty", "received_qty", "product_id"), report._unguard("line_ids"):
                    report.write({"line_ids": commands})

    # ------------------------------------------------------------------
    # The monthly reminder
    # ------------------------------------------------------------------

    @api.model
    def _cron_remind_missing_reports(self):
        """Ask the dealers who have not reported last month's stock, once: their draft report is created,
        filled with what they received, and their portal users are mailed the link."""
        month = fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)
        self._remind_missing_reports(month)

    @api.model
    def _remind_missing_reports(self, month):
        month = month.replace(day=1)
        template = self.env.ref("aftersales_parts.mail_template_dealer_stock_report_reminder", raise_if_not_found=False)
        Partner = self.env["res.partner"].sudo()
        dealers = Partner.search(
            [
                ("aftersales_dealer", "=", True),
                ("is_company", "=", True),
                ("aftersales_consignment_location_id", "=", False),
            ]
        )
        Report = self.sudo()
        reports = Report.browse()
        for company in self.env["res.company"].sudo().search([]):
            reported = Report.search(
                [("company_id", "=", company.id), ("month", "=", month), ("partner_id", "in", dealers.ids)]
            ).partner_id
            for dealer in dealers - reported:
                if dealer.company_id and dealer.company_id != company:
                    continue
                vals = {"partner_id": dealer.id, "company_id": company.id, "month": month}
                draft = Report.with_company(company).new(vals)
                # nothing to report: none of our products received this month nor held at its start
                if not draft._received_quantities() and not draft._previous_on_hand():
                    continue
                reports |= Report.with_company(company).create(vals)
        for report in reports:
            users = report.partner_id._aftersales_partner_portal_users()
            if template and users:
                report.message_post_with_source(
                    template,
                    partner_ids=users.partner_id.ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
            with report._unguard("reminder_sent"):
                report.reminder_sent = bool(users)
        return reports
