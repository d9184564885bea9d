from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AftersalesPartsKitLine(models.Model):
    _name = "aftersales.parts.kit.line"
    _description = "Usual Spare Part of a Product"
    _order = "product_tmpl_id, sequence, id"

    sequence = fields.Integer(default=10)
    product_tmpl_id = fields.Many2one(
        "product.template", string="Product Model", required=True, index=True, ondelete="cascade"
    )
    part_id = fields.Many2one(
        "product.product",
        string="Spare Part",
        required=True,
        domain="[('type', '=', 'consu')]",
        ondelete="restrict",
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    product_uom_id = fields.Many2one(related="part_id.uom_id", string="Unit")

    _sql_constraints = [
        ("part_uniq", "unique (product_tmpl_id, part_id)", "This part is already in the kit of the product."),
    ]

    @api.constrains("quantity")
    def _check_quantity(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    _(
                        "The quantity of %(part)s in the kit of %(product)s must be positive.",
                        part=line.part_id.display_name,
                        product=line.product_tmpl_id.display_name,
                    )
                )
