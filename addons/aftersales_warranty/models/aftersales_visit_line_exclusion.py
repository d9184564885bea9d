from odoo import api, fields, models


class AftersalesVisitLine(models.Model):
    _inherit = "aftersales.visit.line"  # pylint: disable=consider-merging-classes-inherited

    coverage_note = fields.Char(
        string="Not Covered Because",
        compute="_compute_coverage",
        store=True,
        precompute=True,
        help="Why the unit's warranty does not pay for this line: the terms of the warranty exclude it.",
    )

    @api.depends("product_id", "visit_id.visit_type_id", "visit_id.misuse")
    def _compute_coverage(self):
        result = super()._compute_coverage()
        lots = self.visit_id.ticket_id.lot_id
        billable = self.filtered(lambda line: line.coverage == "billable" and not line.coverage_override)
        running = {}
        if billable and lots:
            running = {
                warranty.lot_id: warranty
                for warranty in self.env["aftersales.warranty"]
                .sudo()
                .search([("lot_id", "in", lots.ids), ("state", "=", "active")], order="end_date, id")
            }
        for line in self:
            warranty = running.get(line.visit_id.ticket_id.lot_id) if line in billable else None
            line.coverage_note = warranty._exclusion_reason(line) if warranty else False
        return result

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | {"coverage_note"}

    def _coverage_sources(self, running=None):
        # the terms of the warranty exclude some visits and some products, line by line
        return [
            (coverage, record)
            for coverage, record in super()._coverage_sources(running)
            if coverage != "warranty" or not record._exclusion_reason(self)
        ]
