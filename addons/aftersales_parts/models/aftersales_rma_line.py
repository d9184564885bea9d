from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

from odoo.addons.aftersales_service.tools.client_values import drop_unreadable

OPEN_STATES = ("draft", "approved")
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
    company_id = fields.Many2one(related="rma_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="rma_id.currency_id")
    state = fields.Selection(related="rma_id.state", store=True, string="Status")
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
    qty_received = fields.Float(string="Received", digits="Product Unit of Measure", readonly=True, copy=False)
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
    amount_refunded = fields.Monetary(
        compute="_compute_amount_refunded",
        store=True,
        string="Refunded Amount",
        help="Untaxed amount of the credit note lines of this line.",
    )
    rma_date = fields.Date(related="rma_id.date", store=True, string="Request Date")
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
        [("new", "As New"), ("good", "Good"), ("damaged", "Damaged"), ("defective", "Defective")],
        help="The state of the received units found at the inspection.",
    )
    decision = fields.Selection(
        [
            ("stock", "Back to Stock"),
            ("repair", "Repair"),
            ("scrap", "Scrap"),
            ("customer", "Back to the Customer"),
        ],
        help="What becomes of the received units; applying it runs the stock operation.",
    )
    decision_applied = fields.Boolean(readonly=True, copy=False)
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
        readonly=True,
        copy=False,
        help="Units that left to the supplier by a done transfer.",
    )
    supplier_claim_id = fields.Many2one(
        "aftersales.supplier.claim",
        index="btree_not_null",
        check_company=True,
        copy=False,
        help="The supplier warranty claim this line sends back.",
    )

    @api.depends("product_id")
    def _compute_product_uom_id(self):
        for line in self:
            if not line.product_uom_id or line.product_uom_id.category_id != line.product_id.uom_id.category_id:
                line.product_uom_id = line.product_id.uom_id

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
                line.price_unit_claimed = line._aftersales_claimed_price()

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

    @api.depends("refund_line_ids.price_subtotal", "refund_line_ids.parent_state")
    def _compute_amount_refunded(self):
        for line in self:
            refund_lines = line.refund_line_ids.filtered(lambda aml: aml.parent_state != "cancel")
            line.amount_refunded = sum(refund_lines.mapped("price_subtotal"))

    @api.depends("lot_id")
    def _compute_warranty_state(self):
        Warranty = self.env["aftersales.warranty"].sudo()
        for line in self:
            warranty = line.lot_id and Warranty._aftersales_lookup(line.lot_id.name)
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
            self.invoice_line_id = self._aftersales_invoice_line(self.move_id)

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
            if invoice.move_type != "out_invoice":
                raise ValidationError(_("%(invoice)s is not a customer invoice.", invoice=invoice.display_name))
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
    # Checks
    # ------------------------------------------------------------------

    def _check_return_window(self):
        today = fields.Date.context_today(self)
        for line in self.sudo().filtered("move_id"):
            days = line.product_id.categ_id.aftersales_return_days
            delivered = fields.Date.context_today(self, line.move_id.date)
            if days and delivered + timedelta(days=days) < today:
                raise ValidationError(
                    _(
                        "%(product)s was delivered on %(date)s: the return window of %(days)s days is over.",
                        product=line.product_id.display_name,
                        date=delivered,
                        days=days,
                    )
                )

    def _check_returnable_quantities(self):
        """Never return more than delivered, counting done returns and other open returns."""
        lines = self.sudo().filtered("move_id")
        if not lines:
            return
        moves = lines.move_id
        open_lines = self.sudo().search([("move_id", "in", moves.ids), ("state", "in", OPEN_STATES)])
        for move in moves:
            product = move.product_id
            delivered = move.product_uom._compute_quantity(move.quantity, product.uom_id)
            returns = move.returned_move_ids.filtered(lambda m: m.state == "done")
            returned = sum(m.product_uom._compute_quantity(m.quantity, product.uom_id) for m in returns)
            move_lines = open_lines.filtered(lambda line, move=move: line.move_id == move)
            # lines whose receipt is done are already counted by the done returns
            requested = sum(
                line.product_uom_id._compute_quantity(line.quantity - line.qty_received, product.uom_id)
                for line in move_lines
            )
            others = sum(
                line.product_uom_id._compute_quantity(line.quantity - line.qty_received, product.uom_id)
                for line in move_lines - lines
            )
            if float_compare(returned + requested, delivered, precision_rounding=product.uom_id.rounding) > 0:
                raise ValidationError(
                    _(
                        "Only %(available)s %(uom)s of %(product)s delivered by %(picking)s can still be returned "
                        "(%(delivered)s delivered, %(returned)s returned, %(open)s on open returns).",
                        available=max(delivered - returned - others, 0.0),
                        uom=product.uom_id.name,
                        product=product.display_name,
                        picking=move.picking_id.name,
                        delivered=delivered,
                        returned=returned,
                        open=requested,
                    )
                )
            delivered_lots = move.move_line_ids.lot_id
            returned_lots = returns.move_line_ids.lot_id
            counted = defaultdict(int)
            for line in move_lines.filtered("lot_id"):
                counted[line.lot_id] += 1
            for line in (lines & move_lines).filtered("lot_id"):
                if line.lot_id not in delivered_lots:
                    raise ValidationError(
                        _(
                            "Serial %(serial)s was not delivered by %(picking)s.",
                            serial=line.lot_id.name,
                            picking=move.picking_id.name,
                        )
                    )
                if line.lot_id in returned_lots and not line.qty_received:
                    raise ValidationError(_("Serial %(serial)s was already returned.", serial=line.lot_id.name))
                if counted[line.lot_id] > 1:
                    raise ValidationError(
                        _("Serial %(serial)s is already on another open return.", serial=line.lot_id.name)
                    )

    def _check_refundable_quantities(self):
        """Never refund more than invoiced: count what other returns already refunded."""
        invoice_lines = self.invoice_line_id | self.vendor_bill_line_id
        refunded_lines = self.sudo().search(
            [
                "|",
                ("invoice_line_id", "in", invoice_lines.ids),
                ("vendor_bill_line_id", "in", invoice_lines.ids),
                ("qty_refunded", ">", 0),
            ]
        )
        for invoice_line in invoice_lines:
            uom = invoice_line.product_uom_id
            already = sum(
                line.product_uom_id._compute_quantity(line.qty_refunded, uom)
                for line in refunded_lines.filtered(
                    lambda line, il=invoice_line: line._aftersales_refund_origin_line() == il
                )
            )
            asked = sum(
                line.product_uom_id._compute_quantity(line._aftersales_qty_returned() - line.qty_refunded, uom)
                for line in self.filtered(lambda line, il=invoice_line: line._aftersales_refund_origin_line() == il)
            )
            invoiced = invoice_line.quantity
            # the credit notes of the invoice made without a return (by hand, or by another flow) count too:
            # what all of them credit of this product, against what the invoice billed of it
            product_invoiced, product_credited = self._aftersales_credited_by_reversals(invoice_line)
            if float_compare(product_credited - already, 0.0, precision_rounding=uom.rounding) > 0:
                already, invoiced = product_credited, product_invoiced
            if float_compare(already + asked, invoiced, precision_rounding=uom.rounding) > 0:
                raise UserError(
                    _(
                        "%(product)s: %(asked)s %(uom)s cannot be refunded, %(already)s of the %(invoiced)s invoiced "
                        "on %(invoice)s were already refunded.",
                        product=invoice_line.product_id.display_name,
                        asked=asked,
                        uom=uom.name,
                        already=already,
                        invoiced=invoiced,
                        invoice=invoice_line.move_id.name,
                    )
                )

    @api.model
    def _aftersales_credited_by_reversals(self, invoice_line):
        """What the invoice of ``invoice_line`` billed of its product, and what the credit notes
        reversing that invoice (drafts included, cancelled ones not) credit of it, in its unit."""
        invoice = invoice_line.sudo().move_id
        uom = invoice_line.product_uom_id
        product = invoice_line.product_id

        def total(lines):
            lines = lines.filtered(lambda aml: aml.display_type == "product" and aml.product_id == product)
            return sum(aml.product_uom_id._compute_quantity(aml.quantity, uom) for aml in lines)

        reversals = invoice.search([("reversed_entry_id", "=", invoice.id), ("state", "!=", "cancel")])
        return total(invoice.invoice_line_ids), total(reversals.invoice_line_ids)

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
                fields=self._aftersales_field_names(field_names),
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
                    fields=self._aftersales_field_names(changed),
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
                    fields=self._aftersales_field_names(changed),
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

    def _aftersales_field_names(self, names):
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
        self._aftersales_post_decisions(before)
        return result

    def _aftersales_post_decisions(self, before):
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
        for rma, texts in by_rma.items():
            rma.message_post(body=Markup("<br/>").join(texts), subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _aftersales_refund_origin_line(self):
        """The invoice line that the credit note of this line reverses: the customer invoice line,
        or for a return to a supplier the vendor bill line."""
        self.ensure_one()
        return self.vendor_bill_line_id if self.rma_id.direction == "supplier" else self.invoice_line_id

    def _aftersales_qty_returned(self):
        """The units that came back from the customer, or left to the supplier."""
        self.ensure_one()
        return self.qty_sent if self.rma_id.direction == "supplier" else self.qty_received

    def _aftersales_claimed_price(self):
        """Untaxed unit price claimed from the supplier, in the line's unit and the company's currency."""
        self.ensure_one()
        uom = self.product_uom_id or self.product_id.uom_id
        company = self.company_id or self.rma_id.company_id or self.env.company
        today = fields.Date.context_today(self)
        bill_line = self.sudo().vendor_bill_line_id
        if bill_line and bill_line.quantity:
            price = bill_line.currency_id._convert(
                bill_line.price_subtotal / bill_line.quantity, company.currency_id, company, bill_line.date or today
            )
            return bill_line.product_uom_id._compute_price(price, uom)
        seller = self._aftersales_claimed_seller()
        if seller:
            return self._aftersales_seller_price(seller, company.currency_id, today)
        product = self.product_id.with_company(company)
        return product.uom_id._compute_price(product.standard_price, uom)

    def _aftersales_claimed_seller(self):
        """The vendor's price (``product.supplierinfo``) the claimed price is taken from, if any:
        a line with a vendor bill line is claimed at the price of the bill."""
        self.ensure_one()
        bill_line = self.sudo().vendor_bill_line_id
        if bill_line and bill_line.quantity:
            return self.env["product.supplierinfo"]
        company = self.company_id or self.rma_id.company_id or self.env.company
        return self.product_id.with_company(company)._select_seller(
            partner_id=self.rma_id.partner_id,
            quantity=self.quantity,
            uom_id=self.product_uom_id or self.product_id.uom_id,
        )

    def _aftersales_seller_price(self, seller, currency, date):
        """The untaxed price of ``seller`` for one unit of the line, in ``currency`` at the rate of ``date``."""
        self.ensure_one()
        company = self.company_id or self.rma_id.company_id or self.env.company
        price = seller.currency_id._convert(seller.price_discounted, currency, company, date)
        return seller.product_uom._compute_price(price, self.product_uom_id or self.product_id.uom_id)

    def _aftersales_claimed_from_seller(self):
        """The vendor's price the claimed price still is, or an empty record when the line is
        claimed at the price of a vendor bill, at the product's cost, or at a price set by hand.

        The claimed price is kept in the company's currency: it is the vendor's price when it
        matches that price converted at the rate of the day the line was made or of today.
        """
        self.ensure_one()
        seller = self._aftersales_claimed_seller()
        if not seller:
            return seller
        company_currency = (self.company_id or self.rma_id.company_id or self.env.company).currency_id
        today = fields.Date.context_today(self)
        dates = {today, fields.Date.context_today(self, self.create_date) if self.create_date else today}
        digits = self.env["decimal.precision"].precision_get("Product Price")
        for date in dates:
            price = self._aftersales_seller_price(seller, company_currency, date)
            if not float_compare(self.price_unit_claimed, price, precision_digits=digits):
                return seller
        return seller.browse()

    def _aftersales_check_customer_lines(self, action):
        """Refuse ``action``, made for returns from customers, on the lines of returns to a supplier."""
        self.rma_id._aftersales_check_direction("customer", action)

    def _aftersales_check_supplier_lines(self):
        """What must hold before the goods leave to the supplier.

        The goods are taken from an internal location of the return's company where they are
        available (each serial really there), nothing is claimed twice on the vendor bill line,
        and a serial is on one open return to a supplier at a time.
        """
        Quant = self.env["stock.quant"].sudo()
        wanted = defaultdict(float)
        for line in self:
            product = line.product_id
            location = line.location_id
            if not product.is_storable:
                raise UserError(
                    _("Only stored products go back to a supplier (%(product)s).", product=product.display_name)
                )
            if not location or location.usage != "internal":
                raise UserError(
                    _(
                        "Choose the internal location %(product)s is taken from.",
                        product=product.display_name,
                    )
                )
            if product.tracking != "none" and not line.lot_id:
                raise UserError(
                    _("Choose the serial number of %(product)s to send back.", product=product.display_name)
                )
            quantity = line.product_uom_id._compute_quantity(line.quantity, product.uom_id)
            if line.lot_id:
                available = Quant._get_available_quantity(product, location, lot_id=line.lot_id, strict=False)
                if float_compare(available, quantity, precision_rounding=product.uom_id.rounding) < 0:
                    raise UserError(
                        _(
                            "Serial %(serial)s is not in %(location)s: it cannot be sent back from there.",
                            serial=line.lot_id.name,
                            location=location.display_name,
                        )
                    )
                others = self.sudo().search(
                    [
                        ("id", "!=", line.id),
                        ("lot_id", "=", line.lot_id.id),
                        ("rma_id.direction", "=", "supplier"),
                        ("state", "in", ("approved", "sent")),
                        ("qty_sent", "=", 0),
                    ],
                    limit=1,
                )
                if others:
                    raise UserError(
                        _(
                            "Serial %(serial)s is already on its way to the supplier with %(rma)s.",
                            serial=line.lot_id.name,
                            rma=others.rma_id.name,
                        )
                    )
            else:
                wanted[product, location] += quantity
        for (product, location), quantity in wanted.items():
            available = Quant._get_available_quantity(product, location, strict=False)
            if float_compare(available, quantity, precision_rounding=product.uom_id.rounding) < 0:
                raise UserError(
                    _(
                        "Only %(available)s %(uom)s of %(product)s are available in %(location)s, not the "
                        "%(quantity)s to send back.",
                        available=available,
                        uom=product.uom_id.name,
                        product=product.display_name,
                        location=location.display_name,
                        quantity=quantity,
                    )
                )
        self._aftersales_check_billed_quantities()

    def _aftersales_check_billed_quantities(self):
        """Never send back against a vendor bill line more than it billed, counting the other returns."""
        bill_lines = self.sudo().vendor_bill_line_id
        if not bill_lines:
            return
        claimed = self.sudo().search(
            [("vendor_bill_line_id", "in", bill_lines.ids), ("state", "in", ("approved", "sent", "done"))]
        )
        for bill_line in bill_lines:
            uom = bill_line.product_uom_id
            lines = (claimed | self).filtered(lambda line, bl=bill_line: line.vendor_bill_line_id == bl)
            total = sum(line.product_uom_id._compute_quantity(line.quantity, uom) for line in lines)
            if float_compare(total, bill_line.quantity, precision_rounding=uom.rounding) > 0:
                raise UserError(
                    _(
                        "Vendor bill %(bill)s billed %(billed)s %(uom)s of %(product)s: %(total)s cannot be "
                        "sent back against it.",
                        bill=bill_line.move_id.name,
                        billed=bill_line.quantity,
                        uom=uom.name,
                        product=bill_line.product_id.display_name,
                        total=total,
                    )
                )

    def _prepare_vendor_refund_line_vals(self, price_unit=None):
        """Values of the vendor credit note line claiming the units of this line sent back,
        at ``price_unit`` in the credit note's currency (default: the claimed price)."""
        self.ensure_one()
        name = self.product_id.display_name
        if self.lot_id:
            name = _("%(product)s (serial %(serial)s)", product=name, serial=self.lot_id.name)
        return {
            "product_id": self.product_id.id,
            "name": name,
            "quantity": self.qty_sent - self.qty_refunded,
            "product_uom_id": self.product_uom_id.id,
            "price_unit": self.price_unit_claimed if price_unit is None else price_unit,
        }

    @api.model
    def _aftersales_invoice_line(self, move):
        """The posted customer invoice line of the sale line that ``move`` delivered."""
        return move.sale_line_id.invoice_lines.filtered(
            lambda line: line.move_id.move_type == "out_invoice" and line.move_id.state == "posted"
        )[:1]

    @api.model
    def _prepare_lines_from_moves(self, moves):
        """Values of the lines proposed for the delivered ``moves``: one per serial, else one per move."""
        reason = self.env["aftersales.rma.reason"].search([], limit=1)
        vals_list = []
        for move in moves:
            common = {
                "product_id": move.product_id.id,
                "product_uom_id": move.product_uom.id,
                "move_id": move.id,
                "invoice_line_id": self._aftersales_invoice_line(move).id,
                "reason_id": reason.id,
            }
            lots = move.move_line_ids.lot_id
            if lots and move.product_id.tracking == "serial":
                vals_list += [dict(common, lot_id=lot.id, quantity=1.0) for lot in lots]
            else:
                vals_list.append(dict(common, quantity=move.quantity))
        return vals_list

    @api.model
    def _aftersales_returnable(self, moves):
        """What can still be returned of the delivery ``moves``, counted as the checks do.

        Return ``{move: (quantity, lots)}`` in the product's unit, for the moves with something
        left within the return window: the delivered quantity minus the done returns and the
        units held by open returns, and for serial products the serials still returnable.
        """
        moves = moves.sudo()
        open_lines = self.sudo().search([("move_id", "in", moves.ids), ("state", "in", OPEN_STATES)])
        today = fields.Date.context_today(self)
        result = {}
        for move in moves:
            product = move.product_id
            days = product.categ_id.aftersales_return_days
            if days and fields.Date.context_today(self, move.date) + timedelta(days=days) < today:
                continue
            delivered = move.product_uom._compute_quantity(move.quantity, product.uom_id)
            returns = move.returned_move_ids.filtered(lambda m: m.state == "done")
            returned = sum(m.product_uom._compute_quantity(m.quantity, product.uom_id) for m in returns)
            move_lines = open_lines.filtered(lambda line, move=move: line.move_id == move)
            held = sum(
                line.product_uom_id._compute_quantity(line.quantity - line.qty_received, product.uom_id)
                for line in move_lines
            )
            available = delivered - returned - held
            if float_compare(available, 0.0, precision_rounding=product.uom_id.rounding) <= 0:
                continue
            lots = self.env["stock.lot"]
            if product.tracking == "serial":
                lots = move.move_line_ids.lot_id - returns.move_line_ids.lot_id - move_lines.lot_id
                if not lots:
                    continue
            result[move] = (available, lots)
        return result

    # ------------------------------------------------------------------
    # Inspection and resolutions
    # ------------------------------------------------------------------

    def _aftersales_check_received(self):
        for line in self:
            if float_compare(line.qty_received, 0.0, precision_rounding=line.product_uom_id.rounding) <= 0:
                raise UserError(
                    _(
                        "%(product)s of %(rma)s was not received yet: inspect it once it is back.",
                        product=line.product_id.display_name,
                        rma=line.rma_id.name,
                    )
                )

    def _aftersales_received_location(self):
        """Where the received units of this line were put by their receipt."""
        self.ensure_one()
        moves = self.rma_id.return_picking_ids.move_ids.filtered(
            lambda m: (
                m.state == "done" and (m.aftersales_rma_line_id == self or m.origin_returned_move_id == self.move_id)
            )
        )
        move_lines = moves.move_line_ids.filtered(lambda ml: not self.lot_id or ml.lot_id == self.lot_id)
        return move_lines.location_dest_id[:1] or moves.location_dest_id[:1]

    def action_inspect(self):
        """Apply the inspection decision of the received lines by an ordinary stock operation."""
        self.check_access("write")
        self._aftersales_check_customer_lines(_("Applying an inspection decision"))
        self._aftersales_check_received()
        for line in self:
            if not line.decision:
                raise UserError(
                    _("Choose what becomes of %(product)s before applying it.", product=line.product_id.display_name)
                )
            if line.decision_applied:
                raise UserError(
                    _("The decision on %(product)s was already applied.", product=line.product_id.display_name)
                )
        self.check_access("write")
        for line in self.sudo():
            getattr(line, f"_aftersales_decide_{line.decision}")()
            line.decision_applied = True
        return True

    def _aftersales_decide_stock(self):
        """Back to stock: move the units to the warehouse stock when the receipt put them elsewhere."""
        location = self._aftersales_received_location()
        warehouse = self._aftersales_warehouse()
        if not location or location._child_of(warehouse.lot_stock_id):
            return self.env["stock.picking"]
        return self._aftersales_create_picking(warehouse.int_type_id, location, warehouse.lot_stock_id)

    def _aftersales_decide_scrap(self):
        location = self._aftersales_received_location()
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.product_id.id,
                "product_uom_id": self.product_uom_id.id,
                "scrap_qty": self.qty_received,
                "lot_id": self.lot_id.id,
                "location_id": location.id,
                "company_id": self.company_id.id,
                "origin": self.rma_id.name,
            }
        )
        if scrap.action_validate() is not True:
            raise UserError(
                _(
                    "%(product)s is not available in %(location)s to be scrapped.",
                    product=self.product_id.display_name,
                    location=location.display_name,
                )
            )
        self.scrap_id = scrap
        return scrap

    def _aftersales_decide_customer(self):
        return self._aftersales_send_back()

    def _aftersales_decide_repair(self):
        if self.company_id.aftersales_rma_repair_mode == "order":
            return self._aftersales_create_repair_order()
        ticket = self.env["aftersales.ticket"].create(self._prepare_repair_ticket_vals())
        self.repair_ticket_id = ticket
        return ticket

    def action_create_repair_order(self):
        """Open a repair order for the received units to repair (again, when the previous one was cancelled)."""
        self.check_access("write")
        self._aftersales_check_received()
        for line in self:
            if line.repair_ticket_id:
                raise UserError(
                    _(
                        "%(product)s is already repaired through ticket %(ticket)s.",
                        product=line.product_id.display_name,
                        ticket=line.repair_ticket_id.display_name,
                    )
                )
            if line.decision != "repair":
                raise UserError(
                    _("%(product)s is not to be repaired: choose Repair first.", product=line.product_id.display_name)
                )
        repairs = self.env["repair.order"]
        for line in self.sudo():
            repairs |= line._aftersales_create_repair_order()
            line.decision_applied = True
        return repairs

    def _aftersales_create_repair_order(self):
        self.ensure_one()
        if self.repair_order_id and self.repair_order_id.state != "cancel":
            raise UserError(
                _(
                    "%(product)s of %(rma)s already has repair order %(repair)s.",
                    product=self.product_id.display_name,
                    rma=self.rma_id.name,
                    repair=self.repair_order_id.name,
                )
            )
        repair = self.env["repair.order"].create(self._prepare_repair_order_vals())
        self.repair_order_id = repair
        return repair

    def _aftersales_under_warranty(self):
        """Whether the warranty of the returned serial covers its repair (parts or labour) today.

        The receipt of the return voided the warranty of the serial; that warranty still counts
        for the repair of the unit it came back with, the unit leaving with the rest of it.
        """
        self.ensure_one()
        if not self.lot_id:
            return False
        warranty = (
            self.env["aftersales.warranty"].sudo().search([("lot_id", "=", self.lot_id.id)], order="id desc", limit=1)
        )
        receipts = self.rma_id.sudo().return_picking_ids.filtered(lambda p: p.state == "done")
        voided_by_return = warranty.state == "void" and warranty.void_picking_id in receipts
        if not warranty.start_date or (warranty.state != "active" and not voided_by_return):
            return False
        # a started warranty (its start may be dated in another time zone): only its end matters
        today = fields.Date.context_today(self)
        return today <= (warranty.covered_until or warranty.end_date) and bool(
            warranty.covers_parts or warranty.covers_labour
        )

    def _prepare_repair_order_vals(self):
        """The repair order of the received unit, where its receipt put it."""
        self.ensure_one()
        warehouse = self._aftersales_warehouse()
        if not warehouse.repair_type_id:
            raise UserError(_("Warehouse %(warehouse)s has no repair operation type.", warehouse=warehouse.name))
        location = self._aftersales_received_location() or warehouse.lot_stock_id
        receipt = self.rma_id.return_picking_ids.filtered(
            lambda p: p.state == "done" and p.return_id and self.product_id in p.move_ids.product_id
        )[:1]
        return {
            "picking_type_id": warehouse.repair_type_id.id,
            "company_id": self.company_id.id,
            "partner_id": self.rma_id.partner_id.id,
            "product_id": self.product_id.id,
            "product_qty": self.qty_received,
            "product_uom": self.product_uom_id.id,
            "lot_id": self.lot_id.id,
            "picking_id": receipt.id,
            "product_location_src_id": location.id,
            "product_location_dest_id": location.id,
            "under_warranty": self._aftersales_under_warranty(),
            "aftersales_rma_line_id": self.id,
            "aftersales_ticket_id": self.rma_id.ticket_id.id,
            "internal_notes": self.rma_id.description,
        }

    def _prepare_repair_ticket_vals(self):
        self.ensure_one()
        return {
            "name": _(
                "Repair of %(product)s returned with %(rma)s",
                product=self.product_id.display_name,
                rma=self.rma_id.name,
            ),
            "partner_id": self.rma_id.partner_id.id,
            "company_id": self.company_id.id,
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "ticket_type_id": self.env.ref("aftersales_service.ticket_type_repair", raise_if_not_found=False).id,
        }

    def action_send_back(self):
        """Send the repaired units back to the customer once their repair ticket or order is closed."""
        self.check_access("write")
        self._aftersales_check_customer_lines(_("Sending back a repaired unit"))
        for line in self:
            if line.decision != "repair" or not (line.repair_ticket_id or line.repair_order_id):
                raise UserError(_("Only units sent to repair are sent back once repaired."))
            if line.repair_order_id and line.repair_order_id.sudo().state != "done":
                raise UserError(
                    _(
                        "Finish repair order %(repair)s before sending the unit back.",
                        repair=line.repair_order_id.sudo().name,
                    )
                )
            if line.repair_ticket_id and not line.repair_ticket_id.is_closed:
                raise UserError(
                    _(
                        "Close repair ticket %(ticket)s before sending the unit back.",
                        ticket=line.repair_ticket_id.display_name,
                    )
                )
            if line.out_picking_ids.filtered(lambda p: p.state != "cancel"):
                raise UserError(_("%(product)s is already sent back.", product=line.product_id.display_name))
        self.check_access("write")
        for line in self.sudo():
            line._aftersales_send_back()
        return True

    def _aftersales_send_back(self):
        """An outgoing transfer to the customer of the received units themselves (same serial)."""
        warehouse = self._aftersales_warehouse()
        location = self._aftersales_received_location() or warehouse.lot_stock_id
        return self._aftersales_create_picking(
            warehouse.out_type_id, location, self.env.ref("stock.stock_location_customers"), lot=self.lot_id
        )

    def action_replace(self):
        """Deliver a new unit of the same product for the received units to replace."""
        self.check_access("write")
        self._aftersales_check_customer_lines(_("Replacing"))
        self._aftersales_check_received()
        for line in self:
            if line.resolution != "replacement":
                raise UserError(
                    _(
                        "%(product)s is not to be replaced (its resolution is %(resolution)s).",
                        product=line.product_id.display_name,
                        resolution=dict(line._fields["resolution"]._description_selection(line.env))[line.resolution],
                    )
                )
            if line.out_picking_ids.filtered(lambda p: p.state != "cancel"):
                raise UserError(
                    _("A replacement of %(product)s is already on its way.", product=line.product_id.display_name)
                )
        self.check_access("write")
        pickings = self.env["stock.picking"]
        for line in self.sudo():
            warehouse = line._aftersales_warehouse()
            pickings |= line._aftersales_create_picking(
                warehouse.out_type_id,
                warehouse.out_type_id.default_location_src_id,
                self.env.ref("stock.stock_location_customers"),
            )
        return pickings

    def _aftersales_warehouse(self):
        self.ensure_one()
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company_id.id)], limit=1)
        if not warehouse:
            raise UserError(_("Company %(company)s has no warehouse.", company=self.company_id.name))
        return warehouse

    def _prepare_out_picking_vals(self, picking_type, source, destination):
        self.ensure_one()
        return {
            "picking_type_id": picking_type.id,
            "partner_id": self.rma_id.partner_id.id,
            "origin": self.rma_id.name,
            "company_id": self.company_id.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "aftersales_rma_line_id": self.id,
            "move_ids": [
                Command.create(
                    {
                        "name": self.product_id.display_name,
                        "product_id": self.product_id.id,
                        "product_uom_qty": self.qty_received,
                        "product_uom": self.product_uom_id.id,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                        "company_id": self.company_id.id,
                    }
                )
            ],
        }

    def _aftersales_create_picking(self, picking_type, source, destination, lot=None):
        picking = self.env["stock.picking"].create(self._prepare_out_picking_vals(picking_type, source, destination))
        picking.action_confirm()
        if lot:
            move = picking.move_ids
            move.move_line_ids.unlink()
            self.env["stock.move.line"].create(dict(move._prepare_move_line_vals(quantity=1.0), lot_id=lot.id))
        else:
            picking.action_assign()
        return picking

    def _aftersales_carry_warranty(self, picking):
        """Give the units delivered by ``picking`` what is left of the warranty of the returned unit."""
        self.ensure_one()
        if not self.lot_id:
            return self.env["aftersales.warranty"]
        Warranty = self.env["aftersales.warranty"].sudo()
        old = Warranty.search([("lot_id", "=", self.lot_id.id)], order="id desc", limit=1)
        new_lots = picking.move_line_ids.filtered(lambda ml: ml.quantity > 0).lot_id
        if not old or not new_lots:
            return Warranty
        names = ", ".join(new_lots.mapped("name"))
        reason = (
            _("Replaced by %(serial)s", serial=names)
            if new_lots != self.lot_id
            else _("Sent back with %(picking)s", picking=picking.name)
        )
        old.write({"state": "void", "void_reason": reason})
        today = fields.Date.context_today(self)
        if not old.end_date or old.end_date < today:
            return Warranty
        moves = picking.move_ids
        return Warranty.create(
            [
                {
                    "origin": "manual",
                    "company_id": picking.company_id.id,
                    "partner_id": old.partner_id.id,
                    "product_id": lot.product_id.id,
                    "lot_id": lot.id,
                    "policy_id": old.policy_id.id,
                    "picking_id": picking.id,
                    "move_id": moves.filtered(lambda m, lot=lot: lot in m.move_line_ids.lot_id)[:1].id,
                    "sale_line_id": old.sale_line_id.id,
                    "invoice_id": old.invoice_id.id,
                    "start_date": today,
                    "end_date": old.end_date,
                    "state": "active",
                }
                for lot in new_lots
            ]
        )
