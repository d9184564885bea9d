from odoo import _, fields, models


class AftersalesBranch(models.Model):
    """The calls of the customer-relations team to the branch (network calls)."""

    _inherit = "aftersales.branch"  # pylint: disable=consider-merging-classes-inherited

    network_call_count = fields.Integer(string="Network Calls", compute="_compute_network_call_count")

    def _compute_network_call_count(self):
        self.network_call_count = 0
        Followup = self.env["aftersales.followup"]
        if not self.ids or not Followup.has_access("read"):
            return
        counts = dict(Followup._read_group([("branch_id", "in", self.ids)], ["branch_id"], ["__count"]))
        for branch in self:
            branch.network_call_count = counts.get(branch, 0)

    def action_view_network_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_network_call_action")
        action["domain"] = [("branch_id", "=", self.id)]
        action["context"] = {}
        action["name"] = _("Network Calls to %(branch)s", branch=self.display_name)
        return action
