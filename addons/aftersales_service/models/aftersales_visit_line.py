from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

LINE_TYPES = [
    ("labour", "Labour"),
    ("travel_zone", "Travel (zone)"),
    ("travel_km", "Travel (distance)"),
    ("fee", "Fixed Fee"),
]


class AftersalesVisitLine(models.Model):
    _name = "aftersales.visit.line"
    _description = "Visit Billable Line"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "visit_id, sequence, id"
    _check_company_auto = True

    visit_id = fields.Many2one("aftersales.visit", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="visit_id.company_id", store=True, index=True, precompute=True)
    sequence = fields.Integer(default=10)
    line_type = fields.Selection(LINE_TYPES, string="Type", required=True, default="labour")
    product_id = fields.Many2one(
        "product.product",
        required=True,
        check_company=True,
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    name = fields.Char(
        string="Description", compute="_compute_name", store=True, readonly=False, precompute=True, required=True
    )
    quantity = fields.Float(
        digits="Product Unit of Measure",
        compute="_compute_quantity",
        store=True,
        readonly=False,
        precompute=True,
        help="Hours for labour (the visit's time spent by default), kilometres for travel by distance, "
        "one trip or one fee otherwise.",
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    pricelist_id = fields.Many2one(
        "product.pricelist", compute="_compute_pricelist_id", help="The pricelist of the ticket's customer."
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True, precompute=True, readonly=True
    )
    price_unit = fields.Monetary(
        string="Unit Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
        help="From the customer's pricelist; can be changed before the visit is done.",
    )
    price_subtotal = fields.Monetary(string="Subtotal", compute="_compute_price_subtotal", store=True)
    goodwill = fields.Boolean(help="Free of charge: the line goes to the service order with a 100% discount.")
    goodwill_reason = fields.Char(help="Why the customer does not pay this line; printed on the order line.")
    sale_line_ids = fields.One2many(
        "sale.order.line", "aftersales_visit_line_id", string="Sale Order Lines", readonly=True, copy=False
    )
    visit_state = fields.Selection(related="visit_id.state", string="Visit Status")
    quoted = fields.Boolean(
        string="On the Quotation",
        compute="_compute_quoted",
        help="On an order sent to the customer: the line changes on that order only.",
    )
    presold = fields.Boolean(
        string="Sold on the Order",
        compute="_compute_presold",
        store=True,
        help="The installation fee sold with the unit on the customer's order: it is not billed again.",
    )

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends("line_type", "visit_id.visit_type_id", "visit_id.partner_id", "visit_id.technician_id")
    def _compute_product_id(self):
        for line in self:
            line.product_id = line.product_id or line.visit_id._fee_product(line.line_type)

    @api.depends("product_id", "goodwill", "goodwill_reason")
    def _compute_name(self):
        for line in self:
            name = line.product_id.get_product_multiline_description_sale() if line.product_id else ""
            if line.goodwill:
                name = _("%(name)s (goodwill: %(reason)s)", name=name, reason=line.goodwill_reason or "")
            line.name = name

    @api.depends("line_type", "visit_id.time_spent")
    def _compute_quantity(self):
        for line in self:
            if line.sale_line_ids:
                line.quantity = line.quantity  # billed: keep what the order says
            elif line.line_type == "labour":
                line.quantity = line.visit_id.time_spent
            elif line.line_type == "travel_km":
                line.quantity = line.visit_id._travel_km()
            else:
                line.quantity = line.quantity or 1.0

    @api.depends("visit_id.ticket_id.partner_id")
    def _compute_pricelist_id(self):
        for line in self:
            partner = line.visit_id.ticket_id.partner_id or line.visit_id.partner_id
            line.pricelist_id = partner.with_company(line.company_id).property_product_pricelist

    @api.depends("visit_id.ticket_id.partner_id", "company_id")
    def _compute_currency_id(self):
        for line in self:
            line.currency_id = (
                line.pricelist_id.currency_id or line.company_id.currency_id or self.env.company.currency_id
            )

    @api.depends("product_id", "quantity", "visit_id.ticket_id.partner_id")
    def _compute_price_unit(self):
        for line in self:
            if not line.product_id:
                line.price_unit = 0.0
                continue
            product = line.product_id.with_company(line.company_id)
            if line.pricelist_id:
                line.price_unit = line.pricelist_id._get_product_price(
                    product, line.quantity or 1.0, currency=line.currency_id, uom=product.uom_id
                )
            else:
                line.price_unit = product.lst_price

    @api.depends("sale_line_ids.state")
    def _compute_quoted(self):
        for line in self:
            line.quoted = bool(line._live_sale_lines())

    @api.depends("line_type", "product_id", "visit_id.installation_sale_line_id")
    def _compute_presold(self):
        for line in self:
            sold = line.visit_id.installation_sale_line_id
            line.presold = bool(sold) and line.line_type == "fee" and line.product_id == sold.product_id

    @api.depends("quantity", "price_unit", "goodwill", "presold")
    def _compute_price_subtotal(self):
        for line in self:
            free = line.goodwill or line.presold
            line.price_subtotal = 0.0 if free else line.currency_id.round(line.quantity * line.price_unit)

    @api.constrains("quantity", "price_unit")
    def _check_amounts(self):
        for line in self:
            if line.quantity < 0 or line.price_unit < 0:
                raise ValidationError(
                    _(
                        "The quantity and the price of %(line)s on visit %(visit)s cannot be negative.",
                        line=line.name,
                        visit=line.visit_id.name,
                    )
                )

    @api.constrains("goodwill", "goodwill_reason")
    def _check_goodwill_reason(self):
        for line in self:
            if line.goodwill and not (line.goodwill_reason or "").strip():
                raise ValidationError(
                    _(
                        "Say why %(line)s on visit %(visit)s is free of charge (goodwill reason).",
                        line=line.product_id.display_name,
                        visit=line.visit_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # Guarded fields
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        """The links to the service order (set when the visit is billed) and the visit's status."""
        return super()._guarded_fields() | {"sale_line_ids", "visit_state", "presold", "quoted"}

    def _locked_records(self):
        """The lines of done visits, and the lines on a quotation sent to the customer: they are billed."""
        return super()._locked_records() | self.filtered(
            lambda line: line.visit_id.state == "done" or line._live_sale_lines()
        )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        visits = self.env["aftersales.visit"].browse(
            {vals.get("visit_id") for vals in vals_list if vals.get("visit_id")}
        )
        visits._check_lines_editable()
        lines = super().create(vals_list)
        lines.filtered("goodwill")._log_goodwill()
        return lines

    def write(self, vals):
        # the rights first: a locked line is refused as such, whatever else is wrong
        self._guard_check_write(vals)
        self.visit_id._check_lines_editable()
        self._check_not_quoted()
        granted = self.filtered(lambda line: not line.goodwill) if vals.get("goodwill") else self.browse()
        result = super().write(vals)
        if "visit_id" in vals:
            self.visit_id._check_lines_editable()
        granted._log_goodwill()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        self.visit_id._check_lines_editable()
        self._check_not_quoted()

    def _check_not_quoted(self):
        """The lines on an order sent to the customer (a quotation) change on that order only,
        whoever the user is, coverage overrides included."""
        if self.env.su:
            return
        quoted = self.filtered(lambda line: line._live_sale_lines())
        if quoted:
            raise UserError(
                _(
                    "%(lines)s are on the order sent to the customer: change that order instead.",
                    lines=", ".join(quoted.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Audit
    # ------------------------------------------------------------------

    def _log_goodwill(self):
        """Write down the lines given free of charge, in the visit's chatter and the audit log."""
        entries = []
        for line in self:
            amount = line.currency_id.round(line.quantity * line.price_unit)
            line.visit_id.message_post(
                body=_(
                    "%(line)s given free of charge (%(amount)s %(currency)s) by %(user)s: %(reason)s",
                    line=line.product_id.display_name,
                    amount=amount,
                    currency=line.currency_id.name or "",
                    user=self.env.user.name,
                    reason=line.goodwill_reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
            entries.append(
                {
                    "action": "goodwill",
                    "record": line.visit_id,
                    "reason": line.goodwill_reason,
                    "old": f"{line.product_id.display_name}: {amount} {line.currency_id.name or ''}".strip(),
                    "new": _("Free of charge"),
                }
            )
        self.env["aftersales.audit.log"]._audit_many(entries)

    # ------------------------------------------------------------------
    # Billing
    # ------------------------------------------------------------------

    def _live_sale_lines(self):
        """The sale order lines that bill these lines, on orders that are not cancelled."""
        # sudo: whether a line is billed is the visit's bookkeeping, whoever reads the visit
        return self.sudo().sale_line_ids.filtered(lambda sale_line: sale_line.order_id.state != "cancel")

    def _unbilled(self):
        """The lines still to put on a sale order: not on one yet, nor sold with the unit."""
        return self.filtered(lambda line: not line.presold and not line._live_sale_lines())

    def _quotable(self):
        """The lines the customer pays that are on no order yet: what a quotation proposes."""
        return self._unbilled().filtered(lambda line: line.currency_id.compare_amounts(line.price_subtotal, 0) > 0)

    def _prepare_sale_line_vals(self, order):
        """Values of the sale order line that bills this visit line on ``order``.

        This is the extension point through which other addons (warranty, contracts)
        decide the coverage of a fee: override it, call ``super()`` and change the
        returned values. Contract:

        - called once per line, when its visit is done, with the service order
          (``sale.order``, already created, in the customer's pricelist and currency);
        - returns a dict for ``sale.order.line.create()``, which must keep
          ``order_id``, ``product_id`` and ``aftersales_visit_line_id``;
        - ``price_unit`` is the price of the line (from the pricelist), ``discount``
          a percentage: a covered or free line sets ``discount`` to 100 (or
          ``price_unit`` to 0) and says why in ``name``, as goodwill lines do;
        - the commission of the technician is based on what the sale lines bill.
        """
        self.ensure_one()
        return {
            "order_id": order.id,
            "product_id": self.product_id.id,
            "name": self.name,
            "product_uom_qty": self.quantity,
            "product_uom": self.product_id.uom_id.id,
            "price_unit": self.price_unit,
            "discount": 100.0 if self.goodwill else 0.0,
            "sequence": self.sequence,
            "aftersales_visit_line_id": self.id,
        }
