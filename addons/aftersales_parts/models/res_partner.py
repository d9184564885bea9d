from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    aftersales_partner_location_id = fields.Many2one(
        "stock.location",
        string="Consignment Location",
        domain="[('usage', '=', 'internal')]",
        help="Our parts kept at the service partner's premises: its parts requests fill it, the parts it "
        "uses on its jobs leave it by stock moves.",
    )
