from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .aftersales_step_answer_mixin import ANSWER_FIELD_BY_KIND
from .aftersales_visit import PLANNED_STATES


class AftersalesVisit(models.Model):
    """The checklist of a visit: the steps of its type, copied on the visit and answered on site."""

    _inherit = "aftersales.visit"  # pylint: disable=consider-merging-classes-inherited

    step_ids = fields.One2many("aftersales.visit.step", "visit_id", string="Checklist", copy=False)
    step_count = fields.Integer(string="Steps", compute="_compute_step_counts", store=True)
    step_done_count = fields.Integer(string="Steps Done", compute="_compute_step_counts", store=True)
    step_progress = fields.Char(string="Checklist Progress", compute="_compute_step_progress")

    @api.depends("step_ids", "step_ids.done")
    def _compute_step_counts(self):
        for visit in self:
            visit.step_count = len(visit.step_ids)
            visit.step_done_count = len(visit.step_ids.filtered("done"))

    @api.depends("step_count", "step_done_count")
    def _compute_step_progress(self):
        for visit in self:
            visit.step_progress = (
                _("%(done)s/%(total)s steps", done=visit.step_done_count, total=visit.step_count)
                if visit.step_count
                else False
            )

    @api.model_create_multi
    def create(self, vals_list):
        visits = super().create(vals_list)
        visits._copy_type_steps()
        return visits

    def write(self, vals):
        types_before = {visit.id: visit.visit_type_id for visit in self} if "visit_type_id" in vals else {}
        result = super().write(vals)
        if types_before:
            # a visit not started and not answered follows its new type; an answered checklist stays
            self.filtered(
                lambda visit: (
                    visit.visit_type_id != types_before[visit.id]
                    and visit.state in PLANNED_STATES
                    and not any(visit.sudo().step_ids.mapped("done"))
                )
            )._copy_type_steps()
        return result

    def _check_done(self):
        result = super()._check_done()
        self._check_required_steps()
        return result

    def _partner_record_work(self, report=None, hours=None, finish=False, answers=None, answered_by=None):
        """Record the work of a service partner's job, with the answers of its checklist: ``answers`` is
        ``{step id: value}`` (a value of the step's kind), given by the portal user ``answered_by``. The
        required steps are answered before the job is reported done."""
        result = super()._partner_record_work(report=report, hours=hours)
        if answers:
            self._partner_answer_steps(answers, answered_by)
        if finish:
            result = super()._partner_record_work(finish=True)
        return result

    def _partner_report_done(self):
        self._check_required_steps()
        return super()._partner_report_done()

    def _partner_answer_steps(self, answers, answered_by=None):
        """Write the partner's ``answers`` on the steps of this job, started by
        :meth:`_partner_record_work`, which checked the partner's user; the answers are
        stamped with ``answered_by``, the portal user who gave them."""
        self.ensure_one()
        steps = self.step_ids.filtered(lambda step: step.id in answers)
        if answered_by:
            # sudo: the portal route checked the job; the steps are stamped with the portal user
            steps = steps.with_user(answered_by).sudo()
        for step in steps:
            name = ANSWER_FIELD_BY_KIND[step.answer_kind]
            value = answers[step.id]
            if name == "photo" or (step[name] or False) != (value or False):
                step.write({name: value})

    def _check_required_steps(self):
        """Refuse to finish a visit whose required steps are not all answered."""
        for visit in self:
            missing = visit.step_ids.filtered(lambda step: step.required and not step.done)
            if missing:
                raise UserError(
                    _(
                        "Answer the required steps of the checklist of %(visit)s before finishing it: %(steps)s.",
                        visit=visit.name,
                        steps=", ".join(missing.mapped("name")),
                    )
                )

    def _prepare_step_vals(self, type_step):
        """The values of the visit's copy of the step ``type_step`` of its type."""
        self.ensure_one()
        return {
            "visit_id": self.id,
            "type_step_id": type_step.id,
            "sequence": type_step.sequence,
            "name": type_step.name,
            "required": type_step.required,
            "answer_kind": type_step.answer_kind,
        }

    def _copy_type_steps(self):
        """Give the visits of ``self`` the active steps of their type, in place of the steps they had.

        Call it once the user's creation or change of the visits passed their checks: the steps
        are written as the system, since nobody creates or deletes them by hand. The names are
        copied in the customer's language, the one of the service report."""
        Step = self.env["aftersales.visit.step"].sudo()
        old = self.sudo().step_ids
        vals_list = []
        for visit in self:
            lang = visit.partner_id.lang or self.env.lang
            for type_step in visit.visit_type_id.with_context(lang=lang).step_ids:
                vals_list.append(visit._prepare_step_vals(type_step))
        if old:
            old.unlink()
        if vals_list:
            Step.create(vals_list)

    def _correct_steps(self, step_changes, reason):
        """Write the corrected answers ``step_changes`` (``{step: values}``) of this done visit's checklist,
        in its chatter and the audit log. Call it after :meth:`_check_can_correct`."""
        self.ensure_one()
        steps = self.env["aftersales.visit.step"].browse(step.id for step in step_changes)
        old = {step: step._answer_text() for step in steps}
        with steps._unguard():
            for step, vals in step_changes.items():
                step.write(vals)
        items = Markup("").join(
            Markup("<li>%s: %s &#8594; %s</li>") % (step.name, old[step], step._answer_text()) for step in steps
        )
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (
                _(
                    "Checklist of the done visit corrected by %(user)s. Why: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                ),
                items,
            ),
            subtype_xmlid="mail.mt_note",
        )
        self.env["aftersales.audit.log"]._audit(
            "visit_corrected",
            self,
            reason,
            old="; ".join(f"{step.name}: {old[step]}" for step in steps),
            new="; ".join(f"{step.name}: {step._answer_text()}" for step in steps),
        )
