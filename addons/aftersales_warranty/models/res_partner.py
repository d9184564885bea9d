from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # the supplier's warranty agreement, per company: what a claim on it is worth
    aftersales_claim_labour_rate = fields.Float(
        string="Claim Labour Rate",
        company_dependent=True,
        digits="Product Price",
        help="What this supplier pays per hour worked on a repair claimed under its warranty.",
    )
    aftersales_claim_travel_fee = fields.Float(
        string="Claim Travel Fee",
        company_dependent=True,
        digits="Product Price",
        help="The flat amount this supplier pays for the travel of a repair claimed under its warranty.",
    )
    aftersales_claim_parts_at_cost = fields.Boolean(
        string="Claim Parts at Cost",
        company_dependent=True,
        help="This supplier pays back the parts fitted on a repair claimed under its warranty, at their cost.",
    )
