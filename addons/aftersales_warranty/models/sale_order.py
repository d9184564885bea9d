from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _action_confirm(self):
        result = super()._action_confirm()
        self.order_line._aftersales_create_extensions()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self.order_line.aftersales_extension_ids.sudo()._aftersales_cancel()
        return result
