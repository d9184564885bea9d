from odoo import fields, models

from odoo.addons.aftersales_service.models.aftersales_visit_type_step import STEP_ANSWER_KINDS

CHECK_PHASES = [
    ("intake", "Intake Check"),
    ("inspection", "Final Inspection"),
]


class AftersalesCarryInCheck(models.Model):
    """A line of the intake check or of the final inspection, for the units of a product category."""

    _name = "aftersales.carry.in.check"
    _description = "Carry-in Check of a Product Category"
    _order = "phase, sequence, id"

    categ_id = fields.Many2one(
        "product.category",
        string="Product Category",
        required=True,
        index=True,
        ondelete="cascade",
        help="The units of this category and of its sub-categories get this check.",
    )
    phase = fields.Selection(CHECK_PHASES, required=True, default="intake")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Check", required=True, translate=True)
    required = fields.Boolean(help="The unit is received (intake) or ready (inspection) only once it is answered.")
    answer_kind = fields.Selection(STEP_ANSWER_KINDS, required=True, default="tick")
    active = fields.Boolean(default=True)
