from odoo import _, api, fields, models
from odoo.exceptions import UserError

# what the visit type gives each step: copied when the visit is created, changed by nobody afterwards
DEFINITION_FIELDS = frozenset({"visit_id", "type_step_id", "sequence", "name", "required", "answer_kind"})


class AftersalesVisitStep(models.Model):
    _name = "aftersales.visit.step"
    _description = "Checklist Step of a Visit"
    _inherit = ["aftersales.step.answer.mixin"]
    _order = "visit_id, sequence, id"

    visit_id = fields.Many2one("aftersales.visit", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="visit_id.company_id", store=True, index=True)
    visit_state = fields.Selection(related="visit_id.state", string="Visit Status")
    type_step_id = fields.Many2one(
        "aftersales.visit.type.step", string="Step of the Visit Type", ondelete="set null", readonly=True
    )
    sequence = fields.Integer(default=10, readonly=True)
    name = fields.Char(string="Step", required=True, readonly=True)
    required = fields.Boolean(readonly=True, help="The visit is done only once this step is answered.")

    # ------------------------------------------------------------------
    # Guarded fields
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        """The definition of a step comes from the visit type; who answered and when is the model's."""
        return super()._guarded_fields() | DEFINITION_FIELDS

    def _locked_records(self):
        """Steps are answered while their visit is in progress; a done visit is corrected by its Correct action."""
        return super()._locked_records() | self.filtered(lambda step: step.visit_id.state != "in_progress")

    def _lock_refusal(self, field_names):
        step = self[:1]
        visit = step.visit_id
        if visit.state == "done":
            return UserError(
                _(
                    "Visit %(visit)s is done: its checklist can no longer be changed. A dispatcher or a manager "
                    "corrects it through the Correct action, which asks why.",
                    visit=visit.name,
                )
            )
        return UserError(
            _(
                "The checklist of visit %(visit)s is answered on site, while the visit is in progress: "
                "start the visit first.",
                visit=visit.name,
            )
            if visit.state in ("draft", "scheduled", "confirmed")
            else _("Visit %(visit)s is cancelled: its checklist can no longer be answered.", visit=visit.name)
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _answer_owner_name(self):
        self.ensure_one()
        return self.visit_id.name
