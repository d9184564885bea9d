from odoo import fields, models


class AftersalesAuditLog(models.Model):
    _inherit = "aftersales.audit.log"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[
            ("scorecard_locked", "Scorecard Locked"),
            ("scorecard_unlocked", "Locked Scorecard Unlocked"),
        ],
        ondelete={"scorecard_locked": "set other", "scorecard_unlocked": "set other"},
    )
