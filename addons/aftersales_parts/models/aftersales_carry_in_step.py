from odoo import fields, models

from odoo.addons.aftersales_service.models.aftersales_visit_type_step import STEP_ANSWER_KINDS

from .aftersales_carry_in_check import CHECK_PHASES


class AftersalesCarryInStep(models.Model):
    """One check of a unit at the counter (intake) or before it is ready (final inspection)."""

    _name = "aftersales.carry.in.step"
    _description = "Check of a Carry-in Repair"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "carry_in_id, phase, sequence, id"

    carry_in_id = fields.Many2one("aftersales.carry.in", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="carry_in_id.company_id", store=True, index=True)
    check_id = fields.Many2one(
        "aftersales.carry.in.check", string="Check of the Category", ondelete="set null", readonly=True
    )
    phase = fields.Selection(CHECK_PHASES, required=True, default="intake", readonly=True)
    sequence = fields.Integer(default=10, readonly=True)
    name = fields.Char(string="Check", required=True, readonly=True)
    required = fields.Boolean(readonly=True)
    answer_kind = fields.Selection(STEP_ANSWER_KINDS, required=True, default="tick", readonly=True)
    done = fields.Boolean(copy=False)
    value_number = fields.Float(string="Number", copy=False)
    value_text = fields.Char(string="Text", copy=False)
    photo = fields.Image(max_width=1024, max_height=1024, attachment=True, copy=False)
    note = fields.Char(help="What was seen: where the scratch is, which accessory was left.")
    answered_by_id = fields.Many2one("res.users", string="Answered by", readonly=True, copy=False)
    answered_on = fields.Datetime(readonly=True, copy=False)
