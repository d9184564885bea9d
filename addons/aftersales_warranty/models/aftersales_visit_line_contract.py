# What a service contract includes: its visits and hours. The lines of a visit beyond the included
# visits are billed; a labour line that goes beyond the included hours is billed for the hours beyond.
from odoo import _, api, fields, models
from odoo.tools import float_compare


class AftersalesVisitLine(models.Model):
    _inherit = "aftersales.visit.line"  # pylint: disable=consider-merging-classes-inherited

    contract_included_qty = fields.Float(
        string="Included Hours",
        digits="Product Unit of Measure",
        compute="_compute_contract_included_qty",
        store=True,
        help="The hours of this labour line that the last included hours of the ticket's contract cover: "
        "only the hours beyond them are billed.",
    )

    @api.depends("coverage", "quantity", "visit_id.state", "visit_id.ticket_id.contract_id")
    def _compute_contract_included_qty(self):
        for line in self:
            if line.sale_line_ids:
                line.contract_included_qty = line.contract_included_qty  # billed: the order says it
                continue
            contract = line._contract_overused()
            left = contract._hours_left_before(line.visit_id) if contract and line.line_type == "labour" else None
            line.contract_included_qty = min(left, line.quantity) if left else 0.0

    @api.depends("quantity")
    def _compute_coverage(self):
        # the included hours left decide the coverage of a labour line by its quantity
        return super()._compute_coverage()

    @api.depends("contract_included_qty")
    def _compute_price_subtotal(self):
        result = super()._compute_price_subtotal()
        for line in self.filtered("contract_included_qty"):
            billed = max(line.quantity - line.contract_included_qty, 0.0)
            line.price_subtotal = line.currency_id.round(billed * line.price_unit)
        return result

    def _decide_coverage(self, running=None):
        """A line the contract covers is billed when its visit is beyond the included visits, or when
        it is labour beyond the included hours (see :meth:`_compute_contract_included_qty`)."""
        coverage, source = super()._decide_coverage(running)
        if coverage != "contract" or self.coverage_override or not source:
            return coverage, source
        contract = source.sudo()
        if not contract._visit_included(self.visit_id):
            return "billable", self.env["aftersales.warranty"]
        if self.line_type == "labour":
            left = contract._hours_left_before(self.visit_id)
            if left is not None and float_compare(left, self.quantity, precision_digits=2) < 0:
                return "billable", self.env["aftersales.warranty"]
        return coverage, source

    def _contract_overused(self):
        """The contract that would cover this billable line but for its included visits or hours."""
        self.ensure_one()
        if self.coverage != "billable" or self.coverage_override:
            return self.env["aftersales.contract"]
        contract = self.visit_id.ticket_id.sudo().contract_id
        kind = self._coverage_kind()
        if not contract or not kind or not contract._covers(kind, self.visit_date):
            return self.env["aftersales.contract"]
        sources = self._coverage_sources()
        if any(key != "contract" and record._covers(kind, self.visit_date) for key, record in sources):
            return self.env["aftersales.contract"]
        return contract

    def _prepare_sale_line_vals(self, order):
        vals = super()._prepare_sale_line_vals(order)
        contract = self._contract_overused()
        if not contract:
            return vals
        if self.contract_included_qty:
            vals["product_uom_qty"] = max(self.quantity - self.contract_included_qty, 0.0)
            note = _(
                "%(included)s of %(quantity)s hours included in contract %(contract)s",
                included=round(self.contract_included_qty, 2),
                quantity=round(self.quantity, 2),
                contract=contract.name,
            )
        elif contract.included_visits and not contract._visit_included(self.visit_id):
            note = _(
                "Beyond the %(count)s visits included in contract %(contract)s",
                count=contract.included_visits,
                contract=contract.name,
            )
        else:
            note = _(
                "Beyond the %(hours)s hours included in contract %(contract)s",
                hours=round(contract.included_hours, 2),
                contract=contract.name,
            )
        vals["name"] = f"{vals['name']}\n{note}"
        # the contract's rates: its pricelist, when it bills in the order's currency
        pricelist = contract.pricelist_id
        if pricelist and pricelist != order.pricelist_id and pricelist.currency_id == order.currency_id:
            product = self.product_id.with_company(self.company_id)
            vals["price_unit"] = pricelist._get_product_price(
                product, self.quantity or 1.0, currency=order.currency_id, uom=product.uom_id
            )
        return vals
