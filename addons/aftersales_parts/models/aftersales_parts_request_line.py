from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AftersalesPartsRequestLine(models.Model):
    _name = "aftersales.parts.request.line"
    _description = "Parts Request Line"
    _order = "request_id, id"
    _check_company_auto = True

    request_id = fields.Many2one("aftersales.parts.request", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True, precompute=True)
    product_id = fields.Many2one(
        "product.product", string="Part", required=True, check_company=True, domain="[('is_storable', '=', True)]"
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")

    @api.constrains("quantity")
    def _check_quantity(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    _(
                        "Request a positive quantity of %(part)s on %(request)s.",
                        part=line.product_id.display_name,
                        request=line.request_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        requests = self.env["aftersales.parts.request"].browse({vals.get("request_id") for vals in vals_list})
        requests._check_draft()
        return super().create(vals_list)

    def write(self, vals):
        self.request_id._check_draft()
        return super().write(vals)
