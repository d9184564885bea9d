from odoo import api, fields, models


class AftersalesScorecardMeasure(models.Model):
    _inherit = "aftersales.scorecard.measure"

    code = fields.Selection(selection_add=[("parts_per_job", "Parts per Job")], ondelete={"parts_per_job": "cascade"})

    @api.model
    def _default_measure_values(self):
        values = super()._default_measure_values()
        values["parts_per_job"] = {
            "name": self.env._("Parts per Job"),
            "code": "parts_per_job",
            "sequence": 95,
            "higher_is_better": False,
            "weight": 0.0,
            "target": 2.0,
        }
        return values
