from odoo import api, models


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _eval_context(self):
        """Give the record rules the ids of the current user's after-sales branches
        (``aftersales_branch_ids``, empty for headquarters users)."""
        context = super()._eval_context()
        context["aftersales_branch_ids"] = self.env.user._aftersales_branches().ids
        return context
