from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero


class AftersalesDealerStockReportLine(models.Model):
    """One product of a dealer's stock report: opening + received - sold - on hand should be zero."""

    _name = "aftersales.dealer.stock.report.line"
    _inherit = ["aftersales.guarded.mixin"]
    _description = "Dealer Stock Report Line"
    _order = "report_id, product_id"

    report_id = fields.Many2one("aftersales.dealer.stock.report", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="report_id.company_id", store=True)
    partner_id = fields.Many2one(related="report_id.partner_id", store=True, string="Dealer")
    month = fields.Date(related="report_id.month", store=True)
    state = fields.Selection(related="report_id.state")
    product_id = fields.Many2one("product.product", required=True, index=True)
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    opening_qty = fields.Float(
        string="Opening",
        digits="Product Unit of Measure",
        readonly=True,
        help="On hand at the end of the last month, as the dealer's last validated report gave it.",
    )
    received_qty = fields.Float(
        string="Received",
        digits="Product Unit of Measure",
        readonly=True,
        help="Our done deliveries to the dealer in the month, less the units it sent back to us.",
    )
    sold_qty = fields.Float(string="Sold", digits="Product Unit of Measure", help="Sold by the dealer in the month.")
    on_hand_qty = fields.Float(
        string="On Hand", digits="Product Unit of Measure", help="Held by the dealer at the end of the month."
    )
    difference_qty = fields.Float(
        string="Difference",
        compute="_compute_difference",
        store=True,
        digits="Product Unit of Measure",
        help="Opening + received - sold - on hand: units the dealer's figures do not account for.",
    )
    difference_flag = fields.Boolean(string="Does Not Add Up", compute="_compute_difference", store=True)

    _sql_constraints = [
        ("product_unique", "UNIQUE(report_id, product_id)", "A product appears once in a stock report."),
        ("sold_positive", "CHECK(sold_qty >= 0)", "The quantity sold cannot be negative."),
        ("on_hand_positive", "CHECK(on_hand_qty >= 0)", "The quantity on hand cannot be negative."),
    ]

    @api.depends("opening_qty", "received_qty", "sold_qty", "on_hand_qty", "product_id")
    def _compute_difference(self):
        for line in self:
            line.difference_qty = line.opening_qty + line.received_qty - line.sold_qty - line.on_hand_qty
            rounding = line.product_id.uom_id.rounding or 0.01
            line.difference_flag = not float_is_zero(line.difference_qty, precision_rounding=rounding)

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"opening_qty", "received_qty"}

    def _locked_records(self):
        return self.filtered(lambda line: line.report_id.state in ("submitted", "validated"))

    def _lock_refusal(self, field_names):
        return self.report_id._lock_refusal(field_names)

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        locked = lines._locked_records()
        if locked and not self.env.su and self._unguarded_fields() is not None:
            opened = self._unguarded_fields()
            if not opened or "product_id" not in opened:
                raise locked._lock_refusal(["product_id"])
        return lines

    def write(self, vals):
        # a line counts in its own report only: moved to another (a validated one), it would change its figures
        if "report_id" in vals and not self.env.su and self._guard_changes("report_id", vals["report_id"]):
            raise UserError(
                _(
                    "A product line stays on its stock report (%(reports)s): add the product to the other report "
                    "instead.",
                    reports=", ".join(self.report_id.mapped("display_name")[:5]),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        if self._locked_records():
            raise self._lock_refusal(["product_id"])

    @api.depends("product_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = _(
                "%(report)s: %(product)s",
                report=line.report_id.display_name,
                # sudo: the name of the product of a line the user reads
                product=line.product_id.sudo().display_name,
            )
