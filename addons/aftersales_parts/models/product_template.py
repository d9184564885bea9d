from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    aftersales_spare_part_ids = fields.One2many(
        "aftersales.parts.kit.line",
        "product_tmpl_id",
        string="Usual Spare Parts",
        help="The parts a technician usually needs to repair this product, with their quantities; "
        "proposed on its repair visits.",
    )
    aftersales_compatible_part_ids = fields.Many2many(
        "product.product",
        "aftersales_compatible_part_rel",
        "product_tmpl_id",
        "part_id",
        string="Compatible Parts",
        domain="[('type', '=', 'consu')]",
        help="Other parts that fit this product; suggested first when recording parts on a visit.",
    )
