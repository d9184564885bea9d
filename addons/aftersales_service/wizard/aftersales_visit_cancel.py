from odoo import _, fields, models
from odoo.exceptions import UserError


class AftersalesVisitCancel(models.TransientModel):
    _name = "aftersales.visit.cancel"
    _description = "Cancel a Visit"

    visit_id = fields.Many2one("aftersales.visit", required=True, ondelete="cascade")
    notified_window = fields.Char(related="visit_id.notified_window", string="Time Told to the Customer")
    reason = fields.Char(required=True, help="Said to the customer in the e-mail and kept in the visit's chatter.")

    def action_confirm(self):
        self.ensure_one()
        visit = self.visit_id
        visit.check_access("write")
        if not (self.reason or "").strip():
            raise UserError(_("Say why visit %(visit)s is cancelled.", visit=visit.name))
        visit._cancel(self.reason)
        return {"type": "ir.actions.act_window_close"}
