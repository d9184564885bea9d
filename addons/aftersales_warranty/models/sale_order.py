from odoo import _, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    aftersales_warranty_count = fields.Integer(
        string="Warranty Count",
        compute="_compute_aftersales_warranty_count",
        groups="aftersales_service.aftersales_service_group_user",
    )

    def _compute_aftersales_warranty_count(self):
        counts = dict(
            self.env["aftersales.warranty"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.aftersales_warranty_count = counts.get(order, 0)

    def action_view_aftersales_warranties(self):
        self.ensure_one()
        return self.env["aftersales.warranty"]._aftersales_action_for(
            [("sale_order_id", "=", self.id)], _("Warranties of %(order)s", order=self.name)
        )

    def _action_confirm(self):
        result = super()._action_confirm()
        self.order_line._aftersales_create_extensions()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self.order_line.aftersales_extension_ids.sudo()._aftersales_cancel()
        return result
