from odoo import fields, models

from .aftersales_contract import INVOICING_PERIODS


class ProductTemplate(models.Model):
    _inherit = "product.template"

    aftersales_warranty_policy_id = fields.Many2one(
        "aftersales.warranty.policy",
        string="Warranty Policy",
        check_company=True,
        help="The warranty each delivered unit gets; leave empty to use the category's.",
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
