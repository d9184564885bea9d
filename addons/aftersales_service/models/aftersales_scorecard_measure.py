from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# code: (name, unit, higher is better, default weight, default target)
SCORECARD_MEASURES = {
    "jobs": ("Jobs Done", "count", True, 5.0, 20.0),
    "sla_response": ("Response on Time (%)", "percent", True, 10.0, 90.0),
    "sla_arrival": ("Arrival on Time (%)", "percent", True, 10.0, 90.0),
    "sla_resolution": ("Resolved on Time (%)", "percent", True, 15.0, 90.0),
    "first_time_fix": ("First-Time Fix (%)", "percent", True, 15.0, 85.0),
    "rework": ("Re-work Rate (%)", "percent", False, 10.0, 5.0),
    "csat": ("CSAT (1-5)", "score", True, 15.0, 4.5),
    "complaints": ("Complaint Rate (%)", "percent", False, 5.0, 2.0),
    "cost_per_job": ("Average Cost per Job", "amount", False, 5.0, 100.0),
    "revenue": ("Revenue", "amount", True, 5.0, 5000.0),
    "quality": ("Quality Score", "score", True, 10.0, 85.0),
}


class AftersalesScorecardMeasure(models.Model):
    """A measure of the monthly scorecard, as the company weighs it: its weight in the score and the
    target a subject must reach to score it in full."""

    _name = "aftersales.scorecard.measure"
    _description = "Scorecard Measure"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(
        [(code, values[0]) for code, values in SCORECARD_MEASURES.items()], required=True, readonly=True
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    weight = fields.Float(
        default=1.0,
        digits=(16, 1),
        help="The share of the measure in the score: its weight over the sum of the weights of the measures "
        "that apply to the subject. A weight of 0 shows the figure without scoring it.",
    )
    target = fields.Float(
        digits=(16, 2),
        help="The figure that scores 100% of the measure. Rates are in percent, CSAT from 1 to 5, the quality "
        "score from 0 to 100, amounts in the company's currency.",
    )
    higher_is_better = fields.Boolean(
        default=True,
        help="Checked: reaching the target scores in full, less scores in proportion. Unchecked: staying at or "
        "under the target scores in full, more scores target / figure.",
    )

    _sql_constraints = [
        ("code_company_uniq", "unique (code, company_id)", "The company already has this measure."),
    ]

    @api.constrains("weight", "target")
    def _check_weight_target(self):
        for measure in self:
            if measure.weight < 0 or measure.target < 0:
                raise ValidationError(
                    _("The weight and the target of measure %(measure)s cannot be negative.", measure=measure.name)
                )

    @api.model
    def _default_measure_values(self):
        """``{code: vals}`` of the measures every company starts with; other addons add theirs."""
        return {
            code: {
                "name": name,
                "code": code,
                "sequence": index * 10,
                "higher_is_better": higher,
                "weight": weight,
                "target": target,
            }
            for index, (code, (name, _unit, higher, weight, target)) in enumerate(SCORECARD_MEASURES.items(), 1)
        }

    @api.model
    def _create_company_defaults(self, companies=None):
        """Give ``companies`` (default: all) the measures they do not have yet, archived ones included."""
        companies = companies if companies is not None else self.env["res.company"].sudo().search([])
        existing = {
            (measure.company_id.id, measure.code)
            for measure in self.sudo().with_context(active_test=False).search([("company_id", "in", companies.ids)])
        }
        defaults = self._default_measure_values()
        vals_list = [
            {**vals, "company_id": company.id}
            for company in companies
            for code, vals in defaults.items()
            if (company.id, code) not in existing
        ]
        return self.sudo().create(vals_list)
