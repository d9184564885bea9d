from odoo import Command

from odoo.addons.aftersales_warranty.tests import test_coverage


class PartsCommon(test_coverage.CoverageCommon):
    """The coverage fixtures with spare parts in the warehouse and a van for Tara Tech."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        part = {"is_storable": True, "taxes_id": [Command.clear()]}
        cls.pump = cls.env["product.product"].create(
            dict(part, name="Drain Pump DP-1", list_price=45.0, standard_price=18.0)
        )
        cls.board = cls.env["product.product"].create(
            dict(part, name="Control Board CB-2", tracking="serial", list_price=120.0, standard_price=60.0)
        )
        cls.seal = cls.env["product.product"].create(dict(part, name="Door Seal DS-7", list_price=25.0))
        cls._inventory(cls.pump, cls.warehouse.lot_stock_id, 10.0)
        cls.tech_a.action_aftersales_create_van_location()
        cls.van = cls.tech_a.aftersales_van_location_id

    @classmethod
    def _inventory(cls, product, location, quantity, lot=None):
        """Count ``quantity`` of ``product`` in ``location`` by an inventory adjustment."""
        cls.env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": product.id,
                "location_id": location.id,
                "lot_id": lot and lot.id,
                "inventory_quantity": quantity,
            }
        ).action_apply_inventory()

    def _validate(self, picking):
        picking.move_ids.picked = True
        result = picking.button_validate()
        self.assertIs(result, True)
        self.assertEqual(picking.state, "done")
        return picking

    def _request(self, quantity, visit=None, product=None):
        request = self.env["aftersales.parts.request"].create(
            {
                "technician_id": self.tech_a.id,
                "visit_id": visit and visit.id,
                "line_ids": [Command.create({"product_id": (product or self.pump).id, "quantity": quantity})],
            }
        )
        request.action_request()
        return request

    def _van_quantity(self, product=None, location=None):
        """What ``location`` itself holds (not its sublocations)."""
        quants = self.env["stock.quant"].search(
            [("product_id", "=", (product or self.pump).id), ("location_id", "=", (location or self.van).id)]
        )
        return sum(quants.mapped("quantity"))
