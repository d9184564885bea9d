from odoo import api, models


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _eval_context(self):
        """Give the record rules the ids of the current user's after-sales branches and of those below
        them (``aftersales_branch_ids``, empty for users in no branch), and whether the user works for
        headquarters (``aftersales_headquarters``: in no branch or in a headquarters branch)."""
        context = super()._eval_context()
        context["aftersales_branch_ids"] = self.env.user._aftersales_branches().ids
        context["aftersales_headquarters"] = self.env.user._aftersales_is_headquarters()
        return context
