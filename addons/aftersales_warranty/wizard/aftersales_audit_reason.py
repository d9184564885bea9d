from odoo import api, models


class AftersalesAuditReason(models.TransientModel):
    _inherit = "aftersales.audit.reason"

    @api.model
    def _reason_actions(self):
        actions = super()._reason_actions()
        actions[("aftersales.warranty", "action_void")] = "aftersales_void_reason"
        return actions
