import math

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .aftersales_visit_type_step import STEP_ANSWER_KINDS

# the field that holds the answer of each kind of step
ANSWER_FIELD_BY_KIND = {"tick": "done", "number": "value_number", "text": "value_text", "photo": "photo"}
ANSWER_FIELDS = frozenset(ANSWER_FIELD_BY_KIND.values())
# what the visit type gives each step: copied when the visit is created, changed by nobody afterwards
DEFINITION_FIELDS = frozenset({"visit_id", "type_step_id", "sequence", "name", "required", "answer_kind"})


class AftersalesVisitStep(models.Model):
    _name = "aftersales.visit.step"
    _description = "Checklist Step of a Visit"
    _inherit = ["aftersales.guarded.mixin"]
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
    answer_kind = fields.Selection(STEP_ANSWER_KINDS, required=True, default="tick", readonly=True)
    done = fields.Boolean(
        copy=False,
        help="Ticked by the technician for a tick step; set when the number, text or photo of the other steps "
        "is given.",
    )
    value_number = fields.Float(string="Number", copy=False)
    value_text = fields.Char(string="Text", copy=False)
    photo = fields.Image(max_width=1024, max_height=1024, attachment=True, copy=False)
    answered_by_id = fields.Many2one("res.users", string="Answered by", readonly=True, copy=False)
    answered_on = fields.Datetime(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("answer_kind", "done", "value_number", "value_text", "photo")
    def _check_answer_kind(self):
        for step in self:
            own = ANSWER_FIELD_BY_KIND[step.answer_kind]
            others = [name for name in ANSWER_FIELDS - {own, "done"} if step[name]]
            if others:
                raise step._answer_kind_refusal()

    # ------------------------------------------------------------------
    # Guarded fields
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        """The definition of a step comes from the visit type; who answered and when is the model's."""
        return super()._guarded_fields() | DEFINITION_FIELDS | {"answered_by_id", "answered_on"}

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
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        answering = ANSWER_FIELDS.intersection(vals)
        if answering:
            self._check_answer_values(vals)
        result = super().write(vals)
        if answering:
            # the answers are written: who answered and when are the model's, past the checks of the answers
            with self._unguard():
                for stamp, steps in self._answer_stamps(vals).items():
                    super(AftersalesVisitStep, steps).write(dict(stamp))
        return result

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _answer_kind_refusal(self):
        self.ensure_one()
        values = {"step": self.name, "visit": self.visit_id.name}
        if self.answer_kind == "tick":
            message = _("Step %(step)s of visit %(visit)s is answered with a tick only.", **values)
        elif self.answer_kind == "number":
            message = _("Step %(step)s of visit %(visit)s is answered with a number.", **values)
        elif self.answer_kind == "text":
            message = _("Step %(step)s of visit %(visit)s is answered with a text.", **values)
        else:
            message = _("Step %(step)s of visit %(visit)s is answered with a photo.", **values)
        return ValidationError(message)

    def _check_answer_values(self, vals):
        """Refuse an answer that does not fit the kind of each step of ``self``."""
        number = vals.get("value_number")
        if "value_number" in vals and (
            isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number)
        ):
            if number is not False:
                raise ValidationError(_("A number step takes a number, not %(value)s.", value=number))
        for step in self:
            own = ANSWER_FIELD_BY_KIND[step.answer_kind]
            if any(vals[name] for name in ANSWER_FIELDS.intersection(vals) if name != own):
                raise step._answer_kind_refusal()

    def _is_answered(self, vals):
        self.ensure_one()
        if self.answer_kind == "tick":
            return self.done
        if self.answer_kind == "number":
            return vals.get("value_number", False) is not False or ("value_number" not in vals and self.done)
        if self.answer_kind == "text":
            return bool((self.value_text or "").strip())
        return bool(self.photo)

    def _answer_stamps(self, vals):
        """Whether each step of ``self`` is answered once ``vals`` is written, by whom and when, as
        ``{stamp: steps}`` (a stamp is a tuple of the items of the values to write)."""
        now = fields.Datetime.now()
        stamps = {}
        for step in self:
            answered = step._is_answered(vals)
            stamp = (
                ("done", answered),
                ("answered_by_id", self.env.uid if answered else False),
                ("answered_on", now if answered else False),
            )
            stamps[stamp] = stamps.get(stamp, self.browse()) | step
        return stamps

    def _answer_text(self):
        """The answer of the step as a short text (chatter, audit log, portal)."""
        self.ensure_one()
        if self.answer_kind == "tick":
            return _("Done") if self.done else "-"
        if self.answer_kind == "number":
            return f"{self.value_number:g}" if self.done else "-"
        if self.answer_kind == "text":
            return self.value_text or "-"
        return _("Photo") if self.photo else "-"
