from odoo import _, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    aftersales_ticket_ids = fields.One2many("aftersales.ticket", "sale_order_id", string="Service Tickets")
    aftersales_ticket_count = fields.Integer(string="Service Ticket Count", compute="_compute_aftersales_ticket_count")

    def _compute_aftersales_ticket_count(self):
        counts = dict(
            self.env["aftersales.ticket"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.aftersales_ticket_count = counts.get(order, 0)

    def action_view_aftersales_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {
            "default_sale_order_id": self.id,
            "default_partner_id": self.partner_id.id,
            "default_company_id": self.company_id.id,
        }
        action["name"] = _("Tickets of %(order)s", order=self.name)
        return action
