from odoo import api, models


class AftersalesAuditReason(models.TransientModel):
    _inherit = "aftersales.audit.reason"

    @api.model
    def _reason_actions(self):
        return super()._reason_actions() | {("aftersales.warranty", "_void_by_hand")}
