from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import clean_context


class AftersalesAuditReason(models.TransientModel):
    _name = "aftersales.audit.reason"
    _description = "Reason for a Sensitive Action"

    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_ids = fields.Json(string="Documents", required=True, readonly=True)
    method = fields.Char(required=True, readonly=True, help="The method of the documents that takes the reason.")
    reason = fields.Text(required=True, help="Why you take this action; written in the audit log.")

    @api.model
    def _reason_actions(self):
        """The actions that ask for a reason: ``{(model, method)}``, each method taking the reason as
        its argument (``records._reopen(reason)``).

        Only these can be run from the wizard. Other addons add theirs.
        """
        return {
            ("aftersales.commission.period", "_reopen"),
            ("aftersales.visit", "_waive_quotation"),
        }

    @api.model
    def _action(self, records, method, title):
        """The window that asks why ``method`` is run on ``records``, then runs ``records.method(reason)``."""
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
        if (self.res_model, self.method) not in self._reason_actions():
            raise UserError(_("This action does not take a reason."))
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(_("Say why you take this action."))
        # the wizard's default_* keys stay with the wizard
        records = self.env[self.res_model].with_env(self.env(context=clean_context(self.env.context)))
        result = getattr(records.browse(self.res_ids).exists(), self.method)(reason)
        return result if isinstance(result, dict) else {"type": "ir.actions.act_window_close"}
