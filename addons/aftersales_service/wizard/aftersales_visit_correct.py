from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ..models.aftersales_visit import CORRECTION_FIELDS


class AftersalesVisitCorrect(models.TransientModel):
    _name = "aftersales.visit.correct"
    _description = "Correct a Done Visit"

    visit_id = fields.Many2one("aftersales.visit", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(related="visit_id.company_id")
    technician_id = fields.Many2one("aftersales.technician", check_company=True)
    check_in = fields.Datetime()
    check_out = fields.Datetime()
    time_spent = fields.Float(help="Hours spent on site; left empty, it follows the check-in and check-out.")
    work_report = fields.Html()
    step_ids = fields.One2many(
        "aftersales.visit.correct.step", "wizard_id", string="Checklist", help="The answers of the visit's checklist."
    )
    signed_by = fields.Char()
    reason = fields.Text(
        required=True, help="Why the done visit is corrected; written in the chatter and the audit log."
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        visit = self.env["aftersales.visit"].browse(values.get("visit_id")).exists()
        if visit:
            # read as the user: the defaults say nothing the user may not read
            visit.check_access("read")
            for name in CORRECTION_FIELDS:
                if name in fields_list:
                    values[name] = visit._fields[name].convert_to_write(visit[name], visit)
            if "step_ids" in fields_list:
                values["step_ids"] = [
                    Command.create(
                        {
                            "step_id": step.id,
                            "done": step.done,
                            "value_number": step.value_number,
                            "value_text": step.value_text,
                        }
                    )
                    for step in visit.step_ids
                ]
        return values

    @api.model_create_multi
    def create(self, vals_list):
        # what is not given stays as on the visit: a correction changes only what it names
        for vals in vals_list:
            visit = self.env["aftersales.visit"].browse(vals.get("visit_id")).exists()
            if visit:
                visit.check_access("read")
                for name in CORRECTION_FIELDS:
                    if name not in vals:
                        vals[name] = visit._fields[name].convert_to_write(visit[name], visit)
        return super().create(vals_list)

    def action_confirm(self):
        self.ensure_one()
        visit = self.visit_id
        visit._check_can_correct()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(_("Say why visit %(visit)s is corrected.", visit=visit.name))
        changes = self._prepare_changes()
        step_changes = self._prepare_step_changes()
        if not changes and not step_changes:
            raise UserError(_("Nothing differs from visit %(visit)s: there is nothing to correct.", visit=visit.name))
        if changes:
            visit._correct(changes, reason)
        if step_changes:
            visit._correct_steps(step_changes, reason)
        return {"type": "ir.actions.act_window_close"}

    def _prepare_step_changes(self):
        """The answers of the checklist that differ from the visit's, as ``{step: values}``."""
        self.ensure_one()
        changes = {}
        for line in self.step_ids.filtered(lambda line: line.step_id.visit_id == self.visit_id):
            vals = line._prepare_step_vals()
            if vals:
                changes[line.step_id] = vals
        return changes

    def _prepare_changes(self):
        """The values of the wizard that differ from the visit's."""
        self.ensure_one()
        visit = self.visit_id
        changes = {}
        for name in CORRECTION_FIELDS:
            new, old = self[name], visit[name]
            if visit._fields[name].type == "html":
                if html2plaintext(new or "") == html2plaintext(old or ""):
                    continue
            elif (new or False) == (old or False):
                continue
            changes[name] = self._fields[name].convert_to_write(new, self)
        return changes
