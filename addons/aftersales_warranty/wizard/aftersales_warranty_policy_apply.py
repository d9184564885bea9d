from odoo import api, fields, models


class AftersalesWarrantyPolicyApply(models.TransientModel):
    _name = "aftersales.warranty.policy.apply"
    _description = "Apply a Warranty Policy to Existing Warranties"

    policy_id = fields.Many2one("aftersales.warranty.policy", required=True, readonly=True)
    warranty_count = fields.Integer(
        string="Warranties Changed", compute="_compute_warranty_count", help="Running warranties of the policy."
    )
    reason = fields.Text(
        required=True, help="Why the new terms apply to the units already sold; written in the audit log."
    )

    @api.depends("policy_id")
    def _compute_warranty_count(self):
        for wizard in self:
            wizard.warranty_count = wizard.policy_id.warranty_count

    def action_apply(self):
        self.ensure_one()
        self.policy_id.action_apply_to_warranties(self.reason)
        return {"type": "ir.actions.act_window_close"}
