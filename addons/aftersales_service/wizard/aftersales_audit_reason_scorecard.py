from odoo import api, models


class AftersalesAuditReason(models.TransientModel):
    _inherit = "aftersales.audit.reason"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _reason_actions(self):
        return super()._reason_actions() | {("aftersales.scorecard", "_unlock")}
