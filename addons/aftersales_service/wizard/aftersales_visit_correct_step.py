from odoo import fields, models

from ..models.aftersales_step_answer_mixin import ANSWER_FIELD_BY_KIND


class AftersalesVisitCorrectStep(models.TransientModel):
    _name = "aftersales.visit.correct.step"
    _description = "Corrected Answer of a Checklist Step"

    wizard_id = fields.Many2one("aftersales.visit.correct", required=True, ondelete="cascade")
    step_id = fields.Many2one("aftersales.visit.step", string="Checklist Step", required=True, ondelete="cascade")
    name = fields.Char(related="step_id.name")
    required = fields.Boolean(related="step_id.required")
    answer_kind = fields.Selection(related="step_id.answer_kind")
    done = fields.Boolean()
    value_number = fields.Float(string="Number")
    value_text = fields.Char(string="Text")

    def _prepare_step_vals(self):
        """The answer of the line when it differs from the step's (photos are not corrected here)."""
        self.ensure_one()
        step = self.step_id
        name = ANSWER_FIELD_BY_KIND[step.answer_kind]
        if name == "photo" or (self[name] or False) == (step[name] or False):
            return {}
        return {name: self[name]}
