from odoo import fields, models

STEP_ANSWER_KINDS = [
    ("tick", "Tick"),
    ("number", "Number"),
    ("text", "Text"),
    ("photo", "Photo"),
]


class AftersalesVisitTypeStep(models.Model):
    _name = "aftersales.visit.type.step"
    _description = "Checklist Step of a Visit Type"
    _order = "sequence, id"

    visit_type_id = fields.Many2one("aftersales.visit.type", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Step", required=True, translate=True)
    required = fields.Boolean(help="A visit of this type is done only once the technician has answered this step.")
    answer_kind = fields.Selection(
        STEP_ANSWER_KINDS,
        required=True,
        default="tick",
        help="What the technician gives to answer the step: a tick, a number (a reading), a text or a photo.",
    )
    active = fields.Boolean(default=True)
