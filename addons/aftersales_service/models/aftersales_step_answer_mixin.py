import math

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_repr

from .aftersales_visit_type_step import STEP_ANSWER_KINDS

# the field that holds the answer of each kind of step
ANSWER_FIELD_BY_KIND = {"tick": "done", "number": "value_number", "text": "value_text", "photo": "photo"}
ANSWER_FIELDS = frozenset(ANSWER_FIELD_BY_KIND.values())


class AftersalesStepAnswerMixin(models.AbstractModel):
    """The answer of one step of a checklist: a tick, a number, a text or a photo, stamped with who
    gave it and when.

    The models of the steps (a visit's checklist, the checks of a unit at the service centre) give the
    step its ``name`` and tell which document it belongs to through :meth:`_answer_owner_name`; when a
    step may be answered is theirs to say (:meth:`_locked_records` of the guarded mixin).
    """

    _name = "aftersales.step.answer.mixin"
    _description = "Answer of a Checklist Step"
    _inherit = ["aftersales.guarded.mixin"]

    answer_kind = fields.Selection(STEP_ANSWER_KINDS, required=True, default="tick", readonly=True)
    done = fields.Boolean(
        copy=False,
        help="Ticked for a tick step; set when the number, text or photo of the other steps is given.",
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
        """Who answered and when are the model's, and so is the kind of answer a step takes."""
        return super()._guarded_fields() | {"answer_kind", "answered_by_id", "answered_on"}

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
                    super(AftersalesStepAnswerMixin, steps).write(dict(stamp))
        return result

    # ------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------

    def _answer_owner_name(self):
        """The reference of the document the step belongs to, for the messages (overridden)."""
        self.ensure_one()
        return self.display_name

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _answer_kind_refusal(self):
        self.ensure_one()
        values = {"step": self.name, "document": self._answer_owner_name()}
        if self.answer_kind == "tick":
            message = _("Step %(step)s of %(document)s is answered with a tick only.", **values)
        elif self.answer_kind == "number":
            message = _("Step %(step)s of %(document)s is answered with a number.", **values)
        elif self.answer_kind == "text":
            message = _("Step %(step)s of %(document)s is answered with a text.", **values)
        else:
            message = _("Step %(step)s of %(document)s is answered with a photo.", **values)
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
        """The answer of the step as a short text (chatter, audit log, portal, printed documents)."""
        self.ensure_one()
        if self.answer_kind == "tick":
            return _("Done") if self.done else "-"
        if self.answer_kind == "number":
            return float_repr(self.value_number, 6).rstrip("0").rstrip(".") if self.done else "-"
        if self.answer_kind == "text":
            return self.value_text or "-"
        return _("Photo") if self.photo else "-"
