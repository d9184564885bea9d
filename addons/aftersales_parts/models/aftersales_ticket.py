from odoo import _, fields, models


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"

    aftersales_rma_ids = fields.One2many("aftersales.rma", "ticket_id", string="Returns")
    aftersales_rma_count = fields.Integer(compute="_compute_aftersales_rma_count", string="Return Count")

    def _compute_aftersales_rma_count(self):
        counts = dict(
            self.env["aftersales.rma"]._read_group([("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"])
        )
        for ticket in self:
            ticket.aftersales_rma_count = counts.get(ticket, 0)

    def action_view_aftersales_rmas(self):
        self.ensure_one()
        action = self.env["aftersales.rma"]._aftersales_action_list(
            [("ticket_id", "=", self.id)], ticket_id=self.id, partner_id=self.partner_id.id
        )
        action["name"] = _("Returns of %(ticket)s", ticket=self.reference)
        return action

    def action_aftersales_new_rma(self):
        self.ensure_one()
        return self.env["aftersales.rma"]._aftersales_action_new(
            ticket_id=self.id,
            partner_id=self.partner_id.id,
            sale_order_id=self.sale_order_id.id,
            company_id=self.company_id.id,
        )
