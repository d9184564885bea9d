from odoo import _, fields, models
from odoo.exceptions import UserError


class AftersalesCarryInRefuse(models.TransientModel):
    _name = "aftersales.carry.in.refuse"
    _description = "Refuse the Estimate of a Carry-in Repair"

    carry_in_ids = fields.Many2many(
        "aftersales.carry.in",
        string="Carry-in Repairs",
        default=lambda self: self.env["aftersales.carry.in"].browse(self.env.context.get("active_ids", [])),
    )
    reason = fields.Char(required=True, help="Why the customer refuses the estimate; kept on the carry-in repair.")

    def action_refuse(self):
        self.ensure_one()
        carry_ins = self.carry_in_ids
        carry_ins._check_counter_agent(_("Refusing the estimate"))
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(_("Say why the customer refuses the estimate."))
        carry_ins._refuse(reason)
        return {"type": "ir.actions.act_window_close"}
