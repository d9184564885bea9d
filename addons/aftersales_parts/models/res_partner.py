from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    aftersales_partner_location_id = fields.Many2one(
        "stock.location",
        string="Consignment Location",
        domain="[('usage', '=', 'internal'), ('warehouse_id', '=', False)]",
        help="Our parts kept at the service partner's premises, in an internal location outside our warehouses: "
        "its parts requests fill it from the warehouse of the job's branch, the parts it uses on its jobs leave "
        "it by stock moves.",
    )

    @api.model
    def _guarded_fields(self):
        # the service partner's portal users consume the stock of this location
        user = self.env.user
        if user.has_group("aftersales_service.aftersales_service_group_manager") or user.has_group(
            "aftersales_parts.aftersales_parts_group_clerk"
        ):
            return super()._guarded_fields()
        return super()._guarded_fields() | {"aftersales_partner_location_id"}

    @api.constrains("aftersales_partner_location_id")
    def _check_aftersales_partner_location(self):
        for partner in self.filtered("aftersales_partner_location_id"):
            # sudo: only where the location sits is read
            location = partner.aftersales_partner_location_id.sudo()
            if location.usage != "internal" or location.warehouse_id:
                raise ValidationError(
                    _(
                        "The consignment location of %(partner)s must be an internal location outside our "
                        "warehouses, not %(location)s: its stock is not ours to use.",
                        partner=partner.display_name,
                        location=location.display_name,
                    )
                )
            # as check_company would, but a partner shared by the companies may hold any company's location
            if partner.company_id and location.company_id and location.company_id != partner.company_id:
                raise ValidationError(
                    _(
                        "The consignment location %(location)s of %(partner)s belongs to %(company)s, not to the "
                        "partner's company %(partner_company)s.",
                        location=location.display_name,
                        partner=partner.display_name,
                        company=location.company_id.name,
                        partner_company=partner.company_id.name,
                    )
                )
