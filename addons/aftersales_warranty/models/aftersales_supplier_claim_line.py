from odoo import _, api, fields, models
from odoo.exceptions import AccessError

CLAIM_LINE_TYPES = [
    ("part", "Part"),
    ("labour", "Labour"),
    ("travel", "Travel"),
]


class AftersalesSupplierClaimLine(models.Model):
    _name = "aftersales.supplier.claim.line"
    _description = "Amount Claimed from a Supplier"
    _order = "claim_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    claim_id = fields.Many2one("aftersales.supplier.claim", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="claim_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="claim_id.currency_id")
    line_type = fields.Selection(CLAIM_LINE_TYPES, string="Type", required=True, default="part")
    product_id = fields.Many2one("product.product", check_company=True, index="btree_not_null")
    name = fields.Char(string="Description", required=True)
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    price_unit = fields.Monetary(
        string="Unit Price", help="The part's cost, the agreed labour rate per hour or the agreed travel fee."
    )
    price_subtotal = fields.Monetary(string="Amount", compute="_compute_price_subtotal", store=True)

    _sql_constraints = [
        ("quantity_positive", "CHECK (quantity >= 0)", "A claimed quantity cannot be negative."),
        ("price_unit_positive", "CHECK (price_unit >= 0)", "A claimed price cannot be negative."),
    ]

    @api.depends("quantity", "price_unit")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line.currency_id.round(line.quantity * line.price_unit)

    @api.onchange("product_id")
    def _onchange_product_id(self):
        if self.product_id:
            self.name = self.product_id.display_name
            if self.line_type == "part":
                self.price_unit = self.product_id.with_company(self.company_id).standard_price

    @api.model_create_multi
    def create(self, vals_list):
        claims = self.env["aftersales.supplier.claim"].browse({vals.get("claim_id") for vals in vals_list} - {None})
        self._check_claims_draft(claims)
        return super().create(vals_list)

    def write(self, vals):
        self._check_claims_draft(self.claim_id)
        if "claim_id" in vals:
            self._check_claims_draft(self.env["aftersales.supplier.claim"].browse(vals["claim_id"]))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        self._check_claims_draft(self.claim_id)

    def _check_claims_draft(self, claims):
        """The amounts of a claim are the team's while it is a draft; once sent they stay as sent."""
        if self.env.su:
            return
        sent = claims.filtered(lambda claim: claim.state != "draft")
        if sent:
            raise AccessError(
                _(
                    "Claims %(claims)s went to the supplier: their claimed amounts stay as sent. Reset a rejected "
                    "claim to draft to claim other amounts.",
                    claims=", ".join(sent.mapped("name")),
                )
            )

    def _prepare_credit_line_vals(self):
        """Values of the vendor credit note line crediting this amount."""
        self.ensure_one()
        vals = {
            "name": self.name,
            "quantity": self.quantity or 1.0,
            "price_unit": self.price_unit if self.quantity else 0.0,
        }
        if self.product_id:
            vals["product_id"] = self.product_id.id
        return vals
