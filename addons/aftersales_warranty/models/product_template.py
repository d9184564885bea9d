from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .aftersales_contract import INVOICING_PERIODS


class ProductTemplate(models.Model):
    _inherit = "product.template"

    aftersales_warranty_policy_id = fields.Many2one(
        "aftersales.warranty.policy",
        string="Warranty Policy",
        check_company=True,
        help="The warranty each delivered unit gets; leave empty to use the category's.",
    )
    aftersales_extension_months = fields.Integer(
        string="Warranty Extension",
        help="Months this service adds to the warranty of each unit it is sold for (0: not an extended warranty).",
    )
    aftersales_extension_parts = fields.Boolean(
        string="Extension Covers Parts", help="The extended warranty covers parts, whatever the policy says."
    )
    aftersales_extension_labour = fields.Boolean(
        string="Extension Covers Labour", help="The extended warranty covers labour, whatever the policy says."
    )
    aftersales_extension_travel = fields.Boolean(
        string="Extension Covers Travel", help="The extended warranty covers travel, whatever the policy says."
    )
    aftersales_extension_categ_ids = fields.Many2many(
        "product.category",
        "product_template_aftersales_extension_categ_rel",
        "product_tmpl_id",
        "categ_id",
        string="Extends Categories",
        help="The product categories (and their sub-categories) of the appliances this extended warranty is "
        "sold for; leave empty for any appliance with a warranty.",
    )

    @api.constrains("aftersales_extension_months", "type")
    def _check_aftersales_extension(self):
        for template in self:
            if template.aftersales_extension_months < 0:
                raise ValidationError(
                    _("The warranty extension of %(product)s cannot be negative.", product=template.display_name)
                )
            if template.aftersales_extension_months and template.type != "service":
                raise ValidationError(
                    _("Only a service can extend warranties, not %(product)s.", product=template.display_name)
                )

    aftersales_contract_template = fields.Boolean(
        string="Service Contract",
        help="Selling this service on a confirmed sale order opens a service contract for the customer.",
    )
    aftersales_contract_months = fields.Integer(string="Contract Term (months)", default=12)
    aftersales_contract_visits_per_year = fields.Integer(string="Maintenance Visits per Year")
    aftersales_contract_invoicing = fields.Selection(INVOICING_PERIODS, string="Contract Invoicing", default="yearly")
    aftersales_contract_price = fields.Float(
        string="Recurring Price",
        digits="Product Price",
        help="The amount invoiced per period once the term paid on the sale order is over (the renewal price).",
    )
    aftersales_contract_sla_policy_id = fields.Many2one(
        "aftersales.sla.policy",
        string="Contract SLA Policy",
        help="The service level of the contracts sold with this product (when it belongs to the order's company).",
    )
