from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

from odoo.addons.aftersales_service.tools.client_values import drop_unreadable

OPEN_STATES = ("draft", "to_approve", "approved")
# changes of these are told in the return's chatter: the lines have none
DECISION_FIELDS = ("resolution", "condition", "decision")
# what the receipts, transfers, inspections and credit notes of a line record: their actions only
LINE_GUARDED_FIELDS = frozenset(
    {
        "qty_received",
        "qty_refunded",
        "qty_sent",
        "refund_line_ids",
        "amount_refunded",
        "amount_claimed",
        "decision_applied",
        "scrap_id",
        "repair_ticket_id",
        "repair_order_id",
        "replacement_lot_id",
        "out_picking_ids",
        "supplier_claim_id",
    }
)
# what is returned, and how it is settled, is chosen while the return is a draft: approved, it is what
# the receipts carry, the refund credits and the approval limit was checked against
LINE_DRAFT_FIELDS = frozenset(
    {
        "rma_id",
        "product_id",
        "product_uom_id",
        "quantity",
        "lot_id",
        "move_id",
        "invoice_line_id",
        "vendor_bill_line_id",
        "price_unit_claimed",
        "location_id",
        "resolution",
    }
)
# what the inspection of returned units finds, and decides
INSPECTION_CONDITIONS = [("new", "As New"), ("good", "Good"), ("damaged", "Damaged"), ("defective", "Defective")]
INSPECTION_DECISIONS = [
    ("stock", "Back to Stock"),
    ("repair", "Repair"),
    ("scrap", "Scrap"),
    ("vendor", "Back to the Vendor"),
    ("customer", "Back to the Customer"),
]
# the inspection of the received units, final once its decision is applied
INSPECTION_FIELDS = frozenset({"condition", "decision"})


class AftersalesRmaLine(models.Model):
    _name = "aftersales.rma.line"
    _description = "Return Authorization Line"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "rma_id, sequence, id"
    _check_company_auto = True

    rma_id = fields.Many2one("aftersales.rma", string="Return", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="rma_id.company_id", store=True, precompute=True, index=True)
    currency_id = fields.Many2one(related="rma_id.currency_id")
    state = fields.Selection(related="rma_id.state", store=True, precompute=True, string="Status")
    partner_id = fields.Many2one(related="rma_id.partner_id", string="Customer")
    product_id = fields.Many2one("product.product", required=True, index=True, check_company=True)
    tracking = fields.Selection(related="product_id.tracking")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index="btree_not_null",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    quantity = fields.Float(digits="Product Unit of Measure", required=True, default=1.0)
    product_uom_id = fields.Many2one(
        "uom.uom",
        string="Unit",
        required=True,
        compute="_compute_product_uom_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('category_id', '=', product_uom_category_id)]",
    )
    product_uom_category_id = fields.Many2one(related="product_id.uom_id.category_id")
    reason_id = fields.Many2one("aftersales.rma.reason", required=True)
    resolution = fields.Selection(
        [
            ("refund", "Refund"),
            ("replacement", "Replacement"),
            ("repair", "Repair"),
            ("return", "Return As Is"),
        ],
        string="Requested Resolution",
        required=True,
        default="refund",
    )
    move_id = fields.Many2one(
        "stock.move",
        string="Delivery Move",
        index="btree_not_null",
        check_company=True,
        help="The move that delivered the unit to the customer; its delivery is the one returned.",
    )
    invoice_line_id = fields.Many2one(
        "account.move.line",
        index="btree_not_null",
        check_company=True,
        help="The invoice line reversed by the refund.",
    )
    qty_received = fields.Float(
        string="Received",
        digits="Product Unit of Measure",
        compute="_compute_qty_moved",
        store=True,
        default=0.0,
        copy=False,
        help="Units received from the customer by the done moves of the return's receipts.",
    )
    qty_refunded = fields.Float(string="Refunded", digits="Product Unit of Measure", readonly=True, copy=False)
    refund_line_ids = fields.Many2many(
        "account.move.line",
        "aftersales_rma_line_refund_rel",
        "rma_line_id",
        "move_line_id",
        string="Credit Note Lines",
        readonly=True,
        copy=False,
    )
    amount_total = fields.Monetary(
        compute="_compute_amount_total",
        string="Amount",
        help="Taxes included, at the price of the invoice line.",
    )
    invoice_currency_id = fields.Many2one(related="invoice_line_id.currency_id", string="Invoice Currency")
    amount_refundable = fields.Monetary(
        compute="_compute_amount_refundable",
        string="Refundable",
        currency_field="invoice_currency_id",
        help="What refunding the units of this line not yet refunded credits, taxes included, in the currency "
        "of the invoice: what the customer paid for them on the invoice line, with its share of the order's "
        "discounts, rewards and down payments, less what the credit notes of the invoice already credited.",
    )
    amount_refunded = fields.Monetary(
        compute="_compute_amount_refunded",
        store=True,
        string="Refunded Amount",
        help="Untaxed amount of the credit note lines of this line.",
    )
    rma_date = fields.Date(related="rma_id.date", store=True, precompute=True, string="Request Date")
    fault_code_id = fields.Many2one(
        related="rma_id.ticket_id.fault_code_id", store=True, string="Fault Code", index="btree_not_null"
    )
    warranty_state = fields.Selection(
        [
            ("none", "No Warranty"),
            ("draft", "Waiting for Start"),
            ("active", "Active"),
            ("expired", "Expired"),
            ("void", "Void"),
        ],
        string="Warranty",
        compute="_compute_warranty_state",
    )

    condition = fields.Selection(
        INSPECTION_CONDITIONS,
        help="The state of the received units found at the inspection.",
    )
    decision = fields.Selection(
        INSPECTION_DECISIONS,
        help="What becomes of the received units not decided yet; applying it runs the stock operation.",
    )
    decision_applied = fields.Boolean(
        compute="_compute_decision_applied",
        store=True,
        copy=False,
        help="All the received units have an applied inspection decision.",
    )
    inspection_ids = fields.One2many("aftersales.rma.inspection", "rma_line_id", string="Inspection Decisions")
    qty_inspected = fields.Float(
        string="Decided",
        digits="Product Unit of Measure",
        compute="_compute_qty_inspected",
        store=True,
        help="Received units with an inspection decision.",
    )
    qty_to_inspect = fields.Float(
        string="To Inspect",
        digits="Product Unit of Measure",
        compute="_compute_qty_inspected",
        store=True,
        help="Received units without an inspection decision yet.",
    )
    scrap_id = fields.Many2one("stock.scrap", index="btree_not_null", readonly=True, copy=False, check_company=True)
    repair_ticket_id = fields.Many2one("aftersales.ticket", index="btree_not_null", readonly=True, copy=False)
    repair_order_id = fields.Many2one(
        "repair.order",
        index="btree_not_null",
        readonly=True,
        copy=False,
        check_company=True,
        help="The repair order of the received unit, when the company repairs returned units by repair orders.",
    )
    repair_order_state = fields.Selection(related="repair_order_id.state", string="Repair Status")
    out_picking_ids = fields.One2many(
        "stock.picking",
        "aftersales_rma_line_id",
        string="Outgoing Transfers",
        help="Replacements and units sent back to the customer.",
    )
    replacement_lot_id = fields.Many2one(
        "stock.lot", string="Replacement Serial", readonly=True, copy=False, index="btree_not_null"
    )

    # returns to a supplier
    direction = fields.Selection(related="rma_id.direction")
    location_id = fields.Many2one(
        "stock.location",
        string="Source Location",
        compute="_compute_location_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        index="btree_not_null",
        domain="[('usage', '=', 'internal')]",
        help="Where the goods sent back to the supplier are taken from: the Defective Parts location "
        "of the warehouse, or a stock location.",
    )
    vendor_bill_line_id = fields.Many2one(
        "account.move.line",
        index="btree_not_null",
        check_company=True,
        domain="[('move_type', '=', 'in_invoice'), ('parent_state', '=', 'posted'), "
        "('display_type', '=', 'product'), ('product_id', '=', product_id)]",
        help="The line of the vendor's posted bill for these goods: the vendor credit note reverses it.",
    )
    price_unit_claimed = fields.Float(
        string="Claimed Unit Price",
        digits="Product Price",
        compute="_compute_price_unit_claimed",
        store=True,
        readonly=False,
        precompute=True,
        help="Untaxed price per unit claimed from the supplier: the price of the vendor bill line, else "
        "the vendor's price of the product, else the product's cost.",
    )
    amount_claimed = fields.Monetary(
        compute="_compute_amount_claimed",
        store=True,
        string="Claimed Amount",
        help="Quantity times the claimed unit price, untaxed.",
    )
    qty_sent = fields.Float(
        string="Sent",
        digits="Product Unit of Measure",
        compute="_compute_qty_moved",
        store=True,
        default=0.0,
        copy=False,
        help="Units that left to the supplier by a done transfer.",
    )
    stock_move_ids = fields.One2many(
        "stock.move",
        "aftersales_rma_line_id",
        string="Stock Moves",
        help="The moves of the return's receipts or shipments to the supplier that carry this line.",
    )
    supplier_claim_id = fields.Many2one(
        "aftersales.supplier.claim",
        index="btree_not_null",
        check_company=True,
        copy=False,
        help="The supplier warranty claim this line sends back.",
    )

    @api.depends("rma_id.name", "product_id", "lot_id")
    def _compute_display_name(self):
        for line in self:
            product = line.product_id.display_name or ""
            if line.lot_id:
                product = _("%(product)s (%(serial)s)", product=product, serial=line.lot_id.name)
            line.display_name = (
                _("%(rma)s: %(product)s", rma=line.rma_id.name, product=product) if line.rma_id else product
            )

    @api.depends("product_id")
    def _compute_product_uom_id(self):
        for line in self:
            if not line.product_uom_id or line.product_uom_id.category_id != line.product_id.uom_id.category_id:
                line.product_uom_id = line.product_id.uom_id

    @api.depends(
        "rma_id.direction",
        "lot_id",
        "product_uom_id",
        "stock_move_ids.state",
        "stock_move_ids.quantity",
        "stock_move_ids.move_line_ids.quantity",
        "stock_move_ids.move_line_ids.lot_id",
    )
    def _compute_qty_moved(self):
        for line in self:
            moves = line.stock_move_ids.filtered(lambda m: m.state == "done")
            if line.lot_id:
                move_lines = moves.move_line_ids.filtered(lambda ml, line=line: ml.lot_id == line.lot_id)
                quantity = sum(
                    ml.product_uom_id._compute_quantity(ml.quantity, line.product_uom_id) for ml in move_lines
                )
            else:
                quantity = sum(m.product_uom._compute_quantity(m.quantity, line.product_uom_id) for m in moves)
            supplier = line.rma_id.direction == "supplier"
            line.qty_sent = quantity if supplier else 0.0
            line.qty_received = 0.0 if supplier else quantity

    @api.depends("qty_received", "inspection_ids.quantity", "inspection_ids.applied")
    def _compute_qty_inspected(self):
        for line in self:
            line.qty_inspected = sum(line.inspection_ids.mapped("quantity"))
            line.qty_to_inspect = max(line.qty_received - line.qty_inspected, 0.0)

    @api.depends("qty_received", "inspection_ids.quantity", "inspection_ids.applied")
    def _compute_decision_applied(self):
        for line in self:
            rounding = line.product_uom_id.rounding or 0.01
            applied = sum(line.inspection_ids.filtered("applied").mapped("quantity"))
            line.decision_applied = (
                float_compare(line.qty_received, 0.0, precision_rounding=rounding) > 0
                and float_compare(applied, line.qty_received, precision_rounding=rounding) >= 0
            )

    @api.depends("rma_id.direction", "rma_id.company_id", "lot_id")
    def _compute_location_id(self):
        for line in self:
            company = line.rma_id.company_id
            if line.rma_id.direction != "supplier" or not company:
                line.location_id = False
                continue
            if line.location_id and not line.lot_id:
                continue
            location = self.env["stock.location"]
            if line.lot_id:
                quants = line.lot_id.quant_ids.filtered(
                    lambda q, company=company: (
                        q.quantity > 0 and q.location_id.usage == "internal" and q.company_id == company
                    )
                )
                location = quants.location_id[:1]
            if not location:
                warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
                location = warehouse and warehouse._aftersales_defective_location()
            line.location_id = location or line.location_id

    @api.depends("rma_id.direction", "rma_id.partner_id", "product_id", "product_uom_id", "vendor_bill_line_id")
    def _compute_price_unit_claimed(self):
        for line in self:
            if line.rma_id.direction != "supplier" or not line.product_id:
                line.price_unit_claimed = 0.0
            else:
                line.price_unit_claimed = line._claimed_price()

    @api.depends("quantity", "price_unit_claimed")
    def _compute_amount_claimed(self):
        for line in self:
            line.amount_claimed = line.currency_id.round(line.quantity * line.price_unit_claimed)

    @api.depends("quantity", "invoice_line_id")
    def _compute_amount_total(self):
        for line in self:
            invoice_line = line.sudo().invoice_line_id
            if not invoice_line or not invoice_line.quantity:
                line.amount_total = 0.0
                continue
            quantity = line.product_uom_id._compute_quantity(line.quantity, invoice_line.product_uom_id)
            line.amount_total = invoice_line.price_total * quantity / invoice_line.quantity

    @api.depends("quantity", "qty_refunded", "product_uom_id", "invoice_line_id", "rma_id.direction")
    def _compute_amount_refundable(self):
        balances = {}
        for line in self:
            invoice_line = line.sudo().invoice_line_id
            if line.rma_id.direction != "customer" or invoice_line.parent_state != "posted":
                line.amount_refundable = 0.0
                continue
            invoice = invoice_line.move_id
            if invoice not in balances:
                balances[invoice] = self._invoice_balance(invoice)
            units = line.product_uom_id._compute_quantity(
                max(line.quantity - line.qty_refunded, 0.0), invoice_line.product_uom_id
            )
            line.amount_refundable = self._refundable(invoice_line, units, balances[invoice])

    @api.depends("refund_line_ids.price_subtotal", "refund_line_ids.parent_state")
    def _compute_amount_refunded(self):
        for line in self:
            refund_lines = line.refund_line_ids.filtered(lambda aml: aml.parent_state != "cancel")
            line.amount_refunded = sum(refund_lines.mapped("price_subtotal"))

    @api.depends("lot_id")
    def _compute_warranty_state(self):
        Warranty = self.env["aftersales.warranty"].sudo()
        for line in self:
            warranty = line.lot_id and Warranty._lookup(line.lot_id.name)
            line.warranty_state = warranty.state if warranty else "none"

    def onchange(self, values, field_names, fields_spec):
        # a customer's form fills in nothing from the records of other customers
        if self.env.user.share and not self.env.su:
            values = drop_unreadable(self, values)
        return super().onchange(values, field_names, fields_spec)

    @api.onchange("move_id")
    def _onchange_move_id(self):
        if self.move_id and self.move_id._filtered_access("read"):
            self.product_id = self.move_id.product_id
            # the invoice of another customer's delivery is not shown on this return
            delivered_to = self.move_id.sudo().picking_id.partner_id.commercial_partner_id
            customer = self.rma_id.commercial_partner_id
            if self.direction != "supplier" and (not customer or delivered_to == customer):
                self.invoice_line_id = self._invoice_line(self.move_id)
            else:
                self.invoice_line_id = False

    @api.constrains("quantity", "lot_id", "product_id")
    def _check_quantity(self):
        for line in self:
            if float_compare(line.quantity, 0.0, precision_rounding=line.product_uom_id.rounding or 0.01) <= 0:
                raise ValidationError(
                    _("The quantity returned of %(product)s must be positive.", product=line.product_id.display_name)
                )
            if line.lot_id and line.lot_id.product_id != line.product_id:
                raise ValidationError(
                    _(
                        "Serial %(serial)s is not a serial of %(product)s.",
                        serial=line.lot_id.name,
                        product=line.product_id.display_name,
                    )
                )
            if line.lot_id and line.product_id.tracking == "serial" and line.quantity != 1.0:
                raise ValidationError(
                    _("A serial number is returned one unit at a time (%(serial)s).", serial=line.lot_id.name)
                )

    @api.constrains("quantity", "lot_id", "move_id", "product_uom_id")
    def _check_returnable(self):
        self.filtered(lambda line: line.state in OPEN_STATES)._check_returnable_quantities()

    @api.constrains("move_id", "rma_id")
    def _check_move_of_the_customer(self):
        """A customer returns only what was delivered to them (their company or its contacts)."""
        for line in self.sudo().filtered(lambda line: line.move_id and line.rma_id.direction == "customer"):
            delivered_to = line.move_id.picking_id.partner_id.commercial_partner_id
            if delivered_to and delivered_to != line.rma_id.commercial_partner_id:
                raise ValidationError(
                    _(
                        "%(product)s of %(picking)s was delivered to %(delivered)s, not to %(customer)s: "
                        "it cannot be on their return.",
                        product=line.product_id.display_name,
                        picking=line.move_id.picking_id.name,
                        delivered=delivered_to.display_name,
                        customer=line.rma_id.commercial_partner_id.display_name,
                    )
                )

    @api.constrains("vendor_bill_line_id", "product_id", "rma_id")
    def _check_vendor_bill_line(self):
        """A vendor bill line is one of the vendor's posted bills, for the product sent back."""
        for line in self.sudo().filtered("vendor_bill_line_id"):
            bill_line = line.vendor_bill_line_id
            bill = bill_line.move_id
            if line.rma_id.direction != "supplier":
                raise ValidationError(_("Only the lines of a return to a supplier have a vendor bill line."))
            if bill.move_type != "in_invoice" or bill.state != "posted":
                raise ValidationError(_("%(bill)s is not a posted vendor bill.", bill=bill.display_name))
            if bill.commercial_partner_id != line.rma_id.commercial_partner_id:
                raise ValidationError(
                    _(
                        "Vendor bill %(bill)s is from %(bill_vendor)s, not from %(vendor)s.",
                        bill=bill.name,
                        bill_vendor=bill.commercial_partner_id.display_name,
                        vendor=line.rma_id.commercial_partner_id.display_name,
                    )
                )
            if bill_line.product_id != line.product_id:
                raise ValidationError(
                    _(
                        "The line of vendor bill %(bill)s is for %(billed)s, not for %(product)s.",
                        bill=bill.name,
                        billed=bill_line.product_id.display_name,
                        product=line.product_id.display_name,
                    )
                )

    @api.constrains("invoice_line_id", "move_id", "product_id", "rma_id")
    def _check_invoice_line(self):
        """A customer line refunds a line of the customer's own invoice, for the unit returned."""
        for line in self.sudo().filtered(lambda line: line.invoice_line_id and line.rma_id.direction == "customer"):
            invoice_line = line.invoice_line_id
            invoice = invoice_line.move_id
            if invoice.move_type != "out_invoice" or invoice_line.display_type != "product":
                raise ValidationError(
                    _("%(invoice)s is not a product line of a customer invoice.", invoice=invoice_line.display_name)
                )
            if invoice.commercial_partner_id != line.rma_id.commercial_partner_id:
                raise ValidationError(
                    _(
                        "Invoice %(invoice)s is for %(invoiced)s, not for %(customer)s.",
                        invoice=invoice.name,
                        invoiced=invoice.commercial_partner_id.display_name,
                        customer=line.rma_id.commercial_partner_id.display_name,
                    )
                )
            if invoice_line.product_id != line.product_id:
                raise ValidationError(
                    _(
                        "The line of invoice %(invoice)s is for %(invoiced)s, not for %(product)s.",
                        invoice=invoice.name,
                        invoiced=invoice_line.product_id.display_name,
                        product=line.product_id.display_name,
                    )
                )
            sale_line = line.move_id.sale_line_id
            if sale_line and invoice_line not in sale_line.invoice_lines:
                raise ValidationError(
                    _(
                        "The line of invoice %(invoice)s did not invoice the delivery of %(product)s on this return.",
                        invoice=invoice.name,
                        product=line.product_id.display_name,
                    )
                )

    @api.constrains("move_id", "invoice_line_id", "rma_id")
    def _check_supplier_origin(self):
        for line in self.filtered(lambda line: line.rma_id.direction == "supplier"):
            if line.move_id or line.invoice_line_id:
                raise ValidationError(
                    _(
                        "%(product)s goes back to a supplier: it has no delivery or customer invoice to return.",
                        product=line.product_id.display_name,
                    )
                )

    @api.constrains("move_id")
    def _check_return_window_constraint(self):
        self.filtered(lambda line: line.state == "draft")._check_return_window()

    # ------------------------------------------------------------------
    # Guarded fields (see aftersales.guarded.mixin)
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | LINE_GUARDED_FIELDS

    def _locked_records(self):
        """The lines of the locked returns (refunded or closed) are locked."""
        return super()._locked_records() | self.filtered(lambda line: line.rma_id._locked_records())

    @api.model
    def _lock_exempt_fields(self):
        # a unit refunded before its inspection is still inspected
        return super()._lock_exempt_fields() | INSPECTION_FIELDS

    def _lock_refusal(self, field_names):
        return AccessError(
            _(
                "Returns %(rmas)s are refunded or closed: %(fields)s of their lines can no longer be changed "
                "(only the inspection of the received units goes on).",
                rmas=", ".join(self.rma_id.mapped("display_name")[:5]),
                fields=self._field_names(field_names),
            )
        )

    def _guard_check_write(self, vals):
        """Besides the guarded fields: what is returned is fixed once the return leaves its draft, and
        the inspection once its decision is applied."""
        super()._guard_check_write(vals)
        if self.env.su:
            return
        opened = self._unguarded_fields()
        if opened is None:
            return
        sent = self.filtered(lambda line: line.rma_id.state != "draft")
        changed = [
            name for name in (LINE_DRAFT_FIELDS & set(vals)) - opened if sent and sent._guard_changes(name, vals[name])
        ]
        if changed:
            raise AccessError(
                _(
                    "%(fields)s of the lines of %(rmas)s were fixed when the return was approved: cancel the "
                    "return and create another one to return something else.",
                    fields=self._field_names(changed),
                    rmas=", ".join(sent.rma_id.mapped("display_name")[:5]),
                )
            )
        applied = self.filtered("decision_applied")
        changed = [
            name
            for name in (INSPECTION_FIELDS & set(vals)) - opened
            if applied and applied._guard_changes(name, vals[name])
        ]
        if changed:
            raise AccessError(
                _(
                    "%(fields)s of %(products)s: the inspection decision is applied, it can no longer change.",
                    fields=self._field_names(changed),
                    products=", ".join(applied.product_id.mapped("display_name")[:5]),
                )
            )

    def _guard_check_create(self, vals_list):
        """Lines are added to a return while it is a draft."""
        super()._guard_check_create(vals_list)
        if self.env.su or self._unguarded_fields() is None:
            return
        rmas = self.env["aftersales.rma"].browse({vals["rma_id"] for vals in vals_list if vals.get("rma_id")})
        sent = rmas.filtered(lambda rma: rma.state != "draft")
        if sent:
            raise AccessError(
                _(
                    "Returns %(rmas)s are no longer drafts: create another return for other products.",
                    rmas=", ".join(sent.mapped("display_name")[:5]),
                )
            )

    def _field_names(self, names):
        return ", ".join(sorted(self._fields[name]._description_string(self.env) for name in names))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_except_processed(self):
        sent = self.rma_id.filtered(lambda rma: rma.state not in ("draft", "cancelled"))
        if sent:
            raise UserError(
                _(
                    "The lines of returns %(rmas)s are kept with their history: cancel or reject the return instead.",
                    rmas=", ".join(sent.mapped("name")),
                )
            )

    def write(self, vals):
        tracked = [name for name in DECISION_FIELDS if name in vals]
        if not tracked:
            return super().write(vals)
        before = {line: {name: line[name] for name in tracked} for line in self}
        result = super().write(vals)
        self._post_decisions(before)
        return result

    def _post_decisions(self, before):
        """Tell the return's chatter how the requested resolution, condition or decision of its lines changed,
        in one message per return."""
        by_rma = {}
        for line in self:
            changes = []
            for name, old in before[line].items():
                new = line[name]
                if old == new:
                    continue
                labels = dict(line._fields[name]._description_selection(line.env))
                changes.append(
                    _(
                        "%(field)s: %(old)s → %(new)s",
                        field=line._fields[name]._description_string(line.env),
                        old=labels.get(old, _("None")),
                        new=labels.get(new, _("None")),
                    )
                )
            if changes:
                by_rma.setdefault(line.rma_id, []).append(
                    _(
                        "%(product)s: %(changes)s",
                        product=line.product_id.display_name,
                        changes="; ".join(changes),
                    )
                )
        if by_rma:
            rmas = self.env["aftersales.rma"].union(*by_rma)
            rmas._message_log_batch({rma.id: Markup("<br/>").join(texts) for rma, texts in by_rma.items()})

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _refund_origin_line(self):
        """The invoice line that the credit note of this line reverses: the customer invoice line,
        or for a return to a supplier the vendor bill line."""
        self.ensure_one()
        return self.vendor_bill_line_id if self.rma_id.direction == "supplier" else self.invoice_line_id

    def _qty_returned(self):
        """The units that came back from the customer, or left to the supplier."""
        self.ensure_one()
        return self.qty_sent if self.rma_id.direction == "supplier" else self.qty_received

    def _check_customer_lines(self, action):
        """Refuse ``action``, made for returns from customers, on the lines of returns to a supplier."""
        self.rma_id._check_direction("customer", action)
