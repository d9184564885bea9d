from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    aftersales_warranty_policy_id = fields.Many2one(
        "aftersales.warranty.policy",
        string="Warranty Policy",
        help="The warranty of the products of this category (and its sub-categories) that have none of their own.",
    )

    def _aftersales_warranty_policy(self):
        """This category's policy, else the nearest parent's."""
        self.ensure_one()
        category = self
        while category and not category.aftersales_warranty_policy_id:
            category = category.parent_id
        return category.aftersales_warranty_policy_id
