from odoo import fields, models


class AftersalesWarrantyReject(models.TransientModel):
    _name = "aftersales.warranty.reject"
    _description = "Reject a Warranty Registration"

    warranty_ids = fields.Many2many("aftersales.warranty", string="Registrations", required=True)
    reason = fields.Text(required=True, help="Told to the customer, and kept as the reason the warranty is void.")

    def action_reject(self):
        self.ensure_one()
        self.warranty_ids.action_reject_registration(self.reason)
        return {"type": "ir.actions.act_window_close"}
