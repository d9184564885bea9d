from odoo import fields, models


class AftersalesWarrantyExtend(models.TransientModel):
    _name = "aftersales.warranty.extend"
    _description = "Extend a Warranty by Hand"

    warranty_ids = fields.Many2many("aftersales.warranty", string="Warranties", required=True)
    end_date = fields.Date(string="New End", required=True)
    reason = fields.Text(required=True, help="Why the warranty is extended; written in the audit log.")

    def action_extend(self):
        self.ensure_one()
        self.warranty_ids.action_extend(self.end_date, self.reason)
        return {"type": "ir.actions.act_window_close"}
