from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    aftersales_defective_location_id = fields.Many2one(
        "stock.location",
        string="Defective Parts Location",
        check_company=True,
        copy=False,
        help="Where the parts removed by technicians wait to be scrapped, repaired or sent back to their supplier.",
    )

    aftersales_inspection_location_id = fields.Many2one(
        "stock.location",
        string="Returns Inspection Location",
        check_company=True,
        copy=False,
        help="Where the units returned by customers wait for their inspection: company stock, outside the "
        "warehouse stock, so never reserved for a delivery.",
    )
    aftersales_carry_in_location_id = fields.Many2one(
        "stock.location",
        string="Carry-in Units Location",
        check_company=True,
        copy=False,
        help="Where the units customers leave at the service centre wait for their repair and pick-up: "
        "outside the warehouse stock and owned by the customer, so never reserved, counted or valued as ours.",
    )
    aftersales_van_route_id = fields.Many2one(
        "stock.route",
        string="Van Replenishment Route",
        check_company=True,
        copy=False,
        help="Choose it on a min/max rule of a van location: the rule then fills the van from the "
        "warehouse stock by an internal transfer.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        warehouses = super().create(vals_list)
        for warehouse in warehouses:
            warehouse._aftersales_inspection_location()
        return warehouses

    @api.constrains(
        "aftersales_inspection_location_id",
        "aftersales_defective_location_id",
        "aftersales_carry_in_location_id",
        "lot_stock_id",
    )
    def _check_aftersales_locations(self):
        """Returned and defective goods never wait where deliveries reserve: outside the warehouse's stock."""
        for warehouse in self:
            for location in (
                warehouse.aftersales_inspection_location_id
                | warehouse.aftersales_defective_location_id
                | warehouse.aftersales_carry_in_location_id
            ):
                if location.usage != "internal" or location._child_of(warehouse.lot_stock_id):
                    raise ValidationError(
                        _(
                            "%(location)s cannot hold the returned or defective goods of %(warehouse)s: choose an "
                            "internal location outside %(stock)s, where deliveries never reserve them.",
                            location=location.display_name,
                            warehouse=warehouse.name,
                            stock=warehouse.lot_stock_id.display_name,
                        )
                    )

    def _aftersales_inspection_location(self):
        """The warehouse's Returns/Inspection location, created on first use."""
        self.ensure_one()
        if not self.aftersales_inspection_location_id:
            self.sudo().aftersales_inspection_location_id = (
                self.env["stock.location"]
                .sudo()
                .create(
                    {
                        "name": _("Returns Inspection"),
                        "usage": "internal",
                        "location_id": self.view_location_id.id,
                        "company_id": self.company_id.id,
                    }
                )
            )
        return self.aftersales_inspection_location_id

    def _aftersales_carry_in_location(self):
        """The warehouse's Carry-in Units location, created on first use."""
        self.ensure_one()
        if not self.aftersales_carry_in_location_id:
            self.sudo().aftersales_carry_in_location_id = (
                self.env["stock.location"]
                .sudo()
                .create(
                    {
                        "name": _("Carry-in Units"),
                        "usage": "internal",
                        "location_id": self.view_location_id.id,
                        "company_id": self.company_id.id,
                    }
                )
            )
        return self.aftersales_carry_in_location_id

    @api.model
    def _aftersales_install_inspection_locations(self):
        """Give every warehouse its Returns Inspection location (called on install)."""
        for warehouse in self.sudo().search([("aftersales_inspection_location_id", "=", False)]):
            warehouse._aftersales_inspection_location()

    def _aftersales_defective_location(self):
        """The warehouse's Defective Parts location, created on first use."""
        self.ensure_one()
        if not self.aftersales_defective_location_id:
            self.sudo().aftersales_defective_location_id = (
                self.env["stock.location"]
                .sudo()
                .create(
                    {
                        "name": _("Defective Parts"),
                        "usage": "internal",
                        "location_id": self.view_location_id.id,
                        "company_id": self.company_id.id,
                    }
                )
            )
        return self.aftersales_defective_location_id

    @api.model
    def _aftersales_install_defective_locations(self):
        """Give every warehouse its Defective Parts location (called on install)."""
        for warehouse in self.sudo().search([("aftersales_defective_location_id", "=", False)]):
            warehouse._aftersales_defective_location()

    def _aftersales_van_route(self):
        """The route that replenishes the warehouse's vans from its stock, created on first use."""
        self.ensure_one()
        if not self.aftersales_van_route_id:
            self.sudo().aftersales_van_route_id = (
                self.env["stock.route"]
                .sudo()
                .create(
                    {
                        "name": _("%(warehouse)s: Van Replenishment", warehouse=self.name),
                        "company_id": self.company_id.id,
                        "product_selectable": False,
                        "sequence": 100,
                    }
                )
            )
        return self.aftersales_van_route_id
