from odoo import api, fields, models


class AftersalesScorecardLine(models.Model):
    _inherit = "aftersales.scorecard.line"

    part_quantity = fields.Float(
        string="Parts Used", digits="Product Unit of Measure", help="Parts fitted on the jobs (removed parts excluded)."
    )
    parts_per_job = fields.Float(aggregator="avg", digits=(16, 2))

    @api.model
    def _figure_fields(self):
        return (*super()._figure_fields(), "part_quantity", "parts_per_job")
