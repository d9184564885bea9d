from odoo import Command
from odoo.tests import Form, new_test_user

from odoo.addons.aftersales_warranty.tests import test_coverage
from odoo.addons.aftersales_warranty.tests.common import WarrantyCommon


class RmaCommon(WarrantyCommon):
    """A sale with a 15% tax of 5 boxes and 2 discounted kettles, delivered and invoiced."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = new_test_user(
            cls.env,
            login="as_clerk",
            name="Cleo Clerk",
            groups="stock.group_stock_user,stock.group_production_lot",
        )
        # an after-sales user who also reads the sale orders the returns come from
        cls.rma_user = new_test_user(
            cls.env,
            login="as_rma_user",
            name="Rita Returns",
            groups="aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman_all_leads",
        )
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.tax = cls.env["account.tax"].create(
            {"name": "Sales 15%", "amount": 15.0, "amount_type": "percent", "type_tax_use": "sale"}
        )
        cls.return_category = cls.env["product.category"].create({"name": "Boxed Goods", "aftersales_return_days": 30})
        cls.box = cls.env["product.product"].create(
            {
                "name": "Filter Box",
                "is_storable": True,
                "categ_id": cls.return_category.id,
                "list_price": 100.0,
                "invoice_policy": "delivery",
                "taxes_id": [Command.set(cls.tax.ids)],
            }
        )
        cls.kettle = cls.env["product.product"].create(
            {
                "name": "Kettle",
                "is_storable": True,
                "list_price": 50.0,
                "invoice_policy": "delivery",
                "taxes_id": [Command.set(cls.tax.ids)],
            }
        )
        cls.product.write({"invoice_policy": "delivery", "taxes_id": [Command.set(cls.tax.ids)]})
        cls.reason = cls.env.ref("aftersales_parts.rma_reason_defective")
        for product in (cls.box, cls.kettle):
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, 20.0)
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "order_line": [
                    Command.create({"product_id": cls.box.id, "product_uom_qty": 5.0, "price_unit": 100.0}),
                    Command.create(
                        {"product_id": cls.kettle.id, "product_uom_qty": 2.0, "price_unit": 50.0, "discount": 10.0}
                    ),
                ],
            }
        )
        cls.order.action_confirm()
        cls.delivery = cls.order.picking_ids
        cls._validate(cls.delivery)
        cls.invoice = cls.order._create_invoices()
        cls.invoice.action_post()
        cls.box_line, cls.kettle_line = cls.order.order_line
        cls.box_move = cls.box_line.move_ids
        cls.kettle_move = cls.kettle_line.move_ids

    @classmethod
    def _validate(cls, picking, quantities=None):
        """Validate ``picking`` as the warehouse clerk does, without backorder."""
        picking.action_assign()
        for move in picking.move_ids:
            if quantities and move.product_id in quantities:
                move.quantity = quantities[move.product_id]
            move.picked = True
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            Form.from_action(cls.env, result).save().process_cancel_backorder()
        return picking

    def _rma(self, lines, **values):
        vals = {
            "partner_id": self.customer.id,
            "sale_order_id": self.order.id,
            "picking_id": self.delivery.id,
            "invoice_id": self.invoice.id,
            "line_ids": [
                Command.create(
                    {
                        "product_id": move.product_id.id,
                        "move_id": move.id,
                        "invoice_line_id": move.sale_line_id.invoice_lines[:1].id,
                        "quantity": quantity,
                        "reason_id": self.reason.id,
                        "resolution": "refund",
                        **extra,
                    }
                )
                for move, quantity, extra in lines
            ],
        }
        vals.update(values)
        return self.env["aftersales.rma"].with_user(self.rma_user).create(vals)


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
        cls.van = cls.tech_a.van_location_id

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
