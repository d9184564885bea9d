from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .aftersales_carry_in_check import CHECK_PHASES

# what the check of the category gives each step: copied with the unit, changed by nobody afterwards
DEFINITION_FIELDS = frozenset({"carry_in_id", "check_id", "phase", "sequence", "name", "required"})
AGENT_GROUP = "aftersales_service.aftersales_service_group_user"


class AftersalesCarryInStep(models.Model):
    """One check of a unit at the counter (intake) or before it is ready (final inspection)."""

    _name = "aftersales.carry.in.step"
    _description = "Check of a Carry-in Repair"
    _inherit = ["aftersales.step.answer.mixin"]
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
    note = fields.Char(help="What was seen: where the scratch is, which accessory was left.")

    # ------------------------------------------------------------------
    # Guarded fields
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        """The definition of a check comes from the product category; who answered and when is the model's."""
        return super()._guarded_fields() | DEFINITION_FIELDS

    def _locked_records(self):
        """Intake checks are answered by the counter agents while the unit is at the counter; the final
        inspection by the workshop job's technicians or the agents while the unit is in repair."""
        return super()._locked_records() | self.filtered(lambda step: not step._may_answer())

    def _lock_refusal(self, field_names):
        step = self[:1]
        carry_in = step.carry_in_id
        if step.phase == "intake":
            if carry_in.state != "draft":
                return UserError(
                    _(
                        "%(carry_in)s is received: its intake check is what the customer signed and no longer changes.",
                        carry_in=carry_in.name,
                    )
                )
            return UserError(
                _(
                    "The intake check of %(carry_in)s is filled at the counter by an after-sales agent.",
                    carry_in=carry_in.name,
                )
            )
        if carry_in.state != "in_repair":
            return UserError(
                _(
                    "The final inspection of %(carry_in)s is answered while the unit is in repair, not at "
                    "stage %(stage)s.",
                    carry_in=carry_in.name,
                    stage=dict(carry_in._fields["state"]._description_selection(self.env))[carry_in.state],
                )
            )
        return UserError(
            _(
                "The final inspection of %(carry_in)s is answered by the technicians of its workshop job or by an "
                "after-sales agent.",
                carry_in=carry_in.name,
            )
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _answer_owner_name(self):
        self.ensure_one()
        return self.carry_in_id.name

    def _may_answer(self):
        """Whether the current user may answer the check ``self`` now."""
        self.ensure_one()
        carry_in = self.carry_in_id
        agent = self.env.user.has_group(AGENT_GROUP)
        if self.phase == "intake":
            return agent and carry_in.state == "draft"
        if carry_in.state != "in_repair":
            return False
        job = carry_in.visit_id
        return agent or self.env.user in (job.technician_id.user_id | job.helper_ids.user_id)
