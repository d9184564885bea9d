from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import clean_context


class AftersalesAuditReason(models.TransientModel):
    _name = "aftersales.audit.reason"
    _description = "Reason for a Sensitive Action"

    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_ids = fields.Json(string="Documents", required=True, readonly=True)
    method = fields.Char(required=True, readonly=True)
    reason = fields.Text(required=True, help="Why you take this action; written in the audit log.")

    @api.model
    def _reason_actions(self):
        """The actions that ask for a reason: ``{(model, method): context key of the reason}``.

        Only these can be run from the wizard. Other addons add theirs.
        """
        return {
            ("aftersales.commission.period", "action_reopen"): "aftersales_reopen_reason",
            ("aftersales.visit", "_waive_quotation"): "aftersales_quotation_waive_reason",
        }

    @api.model
    def _action(self, records, method, title):
        """The window that asks why ``method`` is run on ``records``, then runs it."""
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_res_model": records._name,
                "default_res_ids": records.ids,
                "default_method": method,
            },
        }

    def action_confirm(self):
        self.ensure_one()
        key = self._reason_actions().get((self.res_model, self.method))
        if not key:
            raise UserError(_("This action does not take a reason."))
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(_("Say why you take this action."))
        records = self.env[self.res_model].browse(self.res_ids).exists()
        result = getattr(records.with_context(clean_context(self.env.context), **{key: reason}), self.method)()
        return result if isinstance(result, dict) else {"type": "ir.actions.act_window_close"}
