from odoo import api, fields, models

# what the hand-over records: never changed by hand
WARRANTY_FIELDS = frozenset(
    {
        "carry_in_id",
        "partner_id",
        "unit_product_id",
        "unit_lot_id",
        "product_id",
        "part_lot_id",
        "quantity",
        "policy_id",
        "start_date",
        "end_date",
    }
)


class AftersalesPartWarranty(models.Model):
    """The guarantee of a part fitted on a customer's unit at the service centre."""

    _name = "aftersales.part.warranty"
    _description = "Repair Warranty on a Replaced Part"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "end_date desc, id desc"
    _check_company_auto = True

    carry_in_id = fields.Many2one(
        "aftersales.carry.in", string="Carry-in Repair", required=True, index=True, readonly=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="carry_in_id.company_id", store=True, index=True)
    branch_id = fields.Many2one(related="carry_in_id.branch_id", store=True, index="btree_not_null")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    unit_product_id = fields.Many2one("product.product", string="Unit", required=True, readonly=True)
    unit_lot_id = fields.Many2one("stock.lot", string="Unit Serial Number", readonly=True, index="btree_not_null")
    product_id = fields.Many2one("product.product", string="Part", required=True, readonly=True, index=True)
    part_lot_id = fields.Many2one("stock.lot", string="Part Serial Number", readonly=True)
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", readonly=True)
    policy_id = fields.Many2one("aftersales.warranty.policy", readonly=True)
    start_date = fields.Date(required=True, readonly=True)
    end_date = fields.Date(required=True, readonly=True, index=True)
    state = fields.Selection(
        [("running", "Running"), ("expired", "Expired")], compute="_compute_state", search="_search_state"
    )
    active = fields.Boolean(default=True, help="Archive a repair warranty given by mistake.")

    @api.depends("start_date", "end_date")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for warranty in self:
            warranty.state = "running" if warranty.start_date <= today <= warranty.end_date else "expired"

    def _search_state(self, operator, value):
        today = fields.Date.context_today(self)
        running = [("start_date", "<=", today), ("end_date", ">=", today)]
        if (operator == "=") == (value == "running"):
            return running
        return ["|", ("start_date", ">", today), ("end_date", "<", today)]

    @api.model
    def _guarded_fields(self):
        """Given by the hand-over only: what is guaranteed, to whom and until when; a warranty given by
        mistake is archived."""
        return super()._guarded_fields() | WARRANTY_FIELDS

    def _compute_display_name(self):
        for warranty in self:
            warranty.display_name = f"{warranty.product_id.display_name} ({warranty.carry_in_id.name})"

    def _covers(self, kind, on_date):
        """A replaced part is guaranteed as a part, from the hand-over to the end of its repair warranty."""
        self.ensure_one()
        return bool(self.active and kind == "parts" and on_date and self.start_date <= on_date <= self.end_date)
