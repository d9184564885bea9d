from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AftersalesZone(models.Model):
    _name = "aftersales.zone"
    _description = "Service Zone"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    country_ids = fields.Many2many("res.country", string="Countries")
    state_ids = fields.Many2many("res.country.state", string="States")
    cities = fields.Char(help="City names separated by commas; leave empty for every city.")
    zip_from = fields.Char(string="ZIP From", help="First postal code of the zone (compared as text).")
    zip_to = fields.Char(string="ZIP To", help="Last postal code of the zone (compared as text).")
    travel_product_id = fields.Many2one(
        "product.product",
        string="Travel Fee",
        check_company=True,
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        help="Service product billed once per visit for travelling in this zone; its price comes "
        "from the customer's pricelist.",
    )

    @api.constrains("zip_from", "zip_to")
    def _check_zip_range(self):
        for zone in self:
            if zone.zip_from and zone.zip_to and zone.zip_from > zone.zip_to:
                raise ValidationError(_("The postal codes of zone %(zone)s end before they start.", zone=zone.name))

    def _covers(self, partner):
        """Whether this zone covers the address of ``partner`` (empty criteria match all)."""
        self.ensure_one()
        cities = {city.strip().lower() for city in (self.cities or "").split(",") if city.strip()}
        zip_code = (partner.zip or "").strip()
        return (
            (not self.country_ids or partner.country_id in self.country_ids)
            and (not self.state_ids or partner.state_id in self.state_ids)
            and (not cities or (partner.city or "").strip().lower() in cities)
            and (not self.zip_from or (zip_code and zip_code >= self.zip_from))
            and (not self.zip_to or (zip_code and zip_code <= self.zip_to))
        )
