from odoo import api, models


class AftersalesAuditReason(models.TransientModel):
    _inherit = "aftersales.audit.reason"

    @api.model
    def _reason_actions(self):
        actions = super()._reason_actions()
        actions[("aftersales.rma", "action_refund")] = "aftersales_refund_reason"
        return actions
