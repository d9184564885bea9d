from odoo import _, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    aftersales_rma_ids = fields.One2many(
        "aftersales.rma",
        "sale_order_id",
        string="Returns",
        groups="aftersales_service.aftersales_service_group_user",
    )
    aftersales_rma_count = fields.Integer(
        compute="_compute_aftersales_rma_count",
        string="Return Count",
        groups="aftersales_service.aftersales_service_group_user",
    )

    def _compute_aftersales_rma_count(self):
        counts = dict(
            self.env["aftersales.rma"]._read_group([("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"])
        )
        for order in self:
            order.aftersales_rma_count = counts.get(order, 0)

    def action_view_aftersales_rmas(self):
        self.ensure_one()
        action = self.env["aftersales.rma"]._action_list(
            [("sale_order_id", "=", self.id)], sale_order_id=self.id, partner_id=self.partner_id.id
        )
        action["name"] = _("Returns of %(order)s", order=self.name)
        return action

    def action_aftersales_new_rma(self):
        self.ensure_one()
        return self.env["aftersales.rma"]._action_new(
            sale_order_id=self.id, partner_id=self.partner_id.id, company_id=self.company_id.id
        )
