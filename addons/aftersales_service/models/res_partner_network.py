from odoo import _, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    aftersales_network_call_count = fields.Integer(
        string="Network Calls", compute="_compute_aftersales_network_call_count"
    )

    def _compute_aftersales_network_call_count(self):
        self.aftersales_network_call_count = 0
        Followup = self.env["aftersales.followup"]
        if not self.ids or not Followup.has_access("read"):
            return
        counts = dict(
            Followup._read_group(
                [("kind", "=", "network"), ("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.aftersales_network_call_count = counts.get(partner, 0)

    def action_view_aftersales_network_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_network_call_action")
        action["domain"] = [("kind", "=", "network"), ("partner_id", "=", self.id)]
        action["context"] = {}
        action["name"] = _("Network Calls to %(contact)s", contact=self.display_name)
        return action
