from odoo import _, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    aftersales_ticket_count = fields.Integer(string="Service Ticket Count", compute="_compute_aftersales_ticket_count")

    def _compute_aftersales_ticket_count(self):
        """Tickets of the partner and of its contacts, like the sales smart button."""
        all_partners = self.with_context(active_test=False).search_fetch([("id", "child_of", self.ids)], ["parent_id"])
        counts = self.env["aftersales.ticket"]._read_group(
            [("partner_id", "in", all_partners.ids)], ["partner_id"], ["__count"]
        )
        self.aftersales_ticket_count = 0
        self_ids = set(self._ids)
        for partner, count in counts:
            while partner:
                if partner.id in self_ids:
                    partner.aftersales_ticket_count += count
                partner = partner.parent_id

    def action_view_aftersales_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
        action["domain"] = [("partner_id", "child_of", self.ids)]
        action["context"] = {"default_partner_id": self.id}
        action["name"] = _("Tickets of %(customer)s", customer=self.display_name)
        return action
