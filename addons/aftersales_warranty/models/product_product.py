from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _aftersales_warranty_policy(self):
        """The warranty policy of this product: its own, else its category's."""
        self.ensure_one()
        return self.aftersales_warranty_policy_id or self.categ_id._aftersales_warranty_policy()
