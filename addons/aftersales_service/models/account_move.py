from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    aftersales_partner_settlement_ids = fields.One2many(
        "aftersales.partner.settlement", "move_id", string="Partner Settlements", readonly=True
    )

    def action_view_aftersales_partner_settlements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_partner_settlement_action"
        )
        action["domain"] = [("move_id", "=", self.id)]
        if len(self.aftersales_partner_settlement_ids) == 1:
            action.update(views=[(False, "form")], res_id=self.aftersales_partner_settlement_ids.id)
        return action
