from odoo import _, fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    aftersales_partner_settlement_ids = fields.One2many(
        "aftersales.partner.settlement", "move_id", string="Partner Settlements", readonly=True
    )

    def _aftersales_check_settlement_live(self):
        """A vendor bill of a cancelled settlement stays cancelled: its jobs may be on another settlement."""
        # sudo: only the states of the settlements are read, to refuse; the user's rights on the bill apply
        dead = self.sudo().filtered(
            lambda move: (
                move.aftersales_partner_settlement_ids
                and all(settlement.state == "cancel" for settlement in move.aftersales_partner_settlement_ids)
            )
        )
        if dead:
            raise UserError(
                _(
                    "The vendor bills %(bills)s belong to cancelled partner settlements (%(settlements)s): their jobs "
                    "are paid by another settlement. Create a new settlement instead.",
                    bills=", ".join(dead.mapped("display_name")),
                    settlements=", ".join(dead.aftersales_partner_settlement_ids.mapped("name")),
                )
            )

    def button_draft(self):
        self._aftersales_check_settlement_live()
        return super().button_draft()

    def action_post(self):
        self._aftersales_check_settlement_live()
        return super().action_post()

    def action_view_aftersales_partner_settlements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_partner_settlement_action"
        )
        action["domain"] = [("move_id", "=", self.id)]
        if len(self.aftersales_partner_settlement_ids) == 1:
            action.update(views=[(False, "form")], res_id=self.aftersales_partner_settlement_ids.id)
        return action
