from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

VAN_GROUPS = ("aftersales_service.aftersales_service_group_manager", "aftersales_parts.aftersales_parts_group_clerk")


class AftersalesTechnician(models.Model):
    _inherit = "aftersales.technician"

    van_location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        copy=False,
        tracking=True,
        help="The stock the technician carries: parts requests fill it, the parts used on visits leave it.",
    )
    warehouse_id = fields.Many2one(related="van_location_id.warehouse_id", string="Van Warehouse")

    @api.constrains("van_location_id")
    def _check_van_location(self):
        """A van is a location of its own: never a warehouse's stock, nor a location inside it."""
        for technician in self.sudo().filtered("van_location_id"):
            van = technician.van_location_id
            if van.usage != "internal" or van._aftersales_in_warehouse_stock(van.company_id or technician.company_id):
                raise ValidationError(
                    _(
                        "%(location)s cannot be the van of %(technician)s: a van is an internal location of its own, "
                        "outside the stock of the warehouses, whose parts customer deliveries would take.",
                        location=van.display_name,
                        technician=technician.name,
                    )
                )

    def action_aftersales_create_van_location(self):
        """Create the technician's van in the warehouse of the branch (else of the company).

        The van is an internal location of its own under the warehouse's view location, beside (not
        under) its stock: it counts in the warehouse's valuation and reports, but customer deliveries,
        which take from the warehouse's stock and its sublocations, never reserve what the van carries.
        For after-sales managers and parts clerks, who need no rights on routes or technicians.
        """
        if not self.env.su and not any(self.env.user.has_group(group) for group in VAN_GROUPS):
            raise AccessError(_("Only after-sales managers and parts clerks create the vans of technicians."))
        self.check_access("read")
        for technician in self.sudo():
            if technician.van_location_id:
                raise UserError(
                    _(
                        "%(technician)s already has a van: %(location)s.",
                        technician=technician.name,
                        location=technician.van_location_id.display_name,
                    )
                )
            # the van leaves from the technician's branch: the first warehouse of the branch, else the company's
            warehouse = technician.company_id._aftersales_warehouse(technician.branch_id)
            location = (
                self.env["stock.location"]
                .sudo()
                .create(
                    {
                        "name": _("Van %(technician)s", technician=technician.name),
                        "usage": "internal",
                        "location_id": warehouse.view_location_id.id,
                        "company_id": technician.company_id.id,
                    }
                )
            )
            # min/max rules on the van run this rule: warehouse stock -> van, by internal transfer
            warehouse._aftersales_van_route().write(
                {
                    "rule_ids": [
                        Command.create(
                            {
                                "name": location.complete_name,
                                "action": "pull",
                                "procure_method": "make_to_stock",
                                "picking_type_id": warehouse.int_type_id.id,
                                "location_src_id": warehouse.lot_stock_id.id,
                                "location_dest_id": location.id,
                                # the van is beside the stock, not under the internal transfers' destination
                                "location_dest_from_rule": True,
                                "company_id": technician.company_id.id,
                                "warehouse_id": warehouse.id,
                            }
                        )
                    ]
                }
            )
            technician.van_location_id = location
        return True
