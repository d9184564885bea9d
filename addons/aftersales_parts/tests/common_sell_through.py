from odoo import Command, fields
from odoo.tests import Form, TransactionCase, new_test_user


class SellThroughCommon(TransactionCase):
    """Two dealers with a portal user each; 30 units of two products delivered to the first this month
    (22 + 10 delivered, 2 sent back), and units delivered to an ordinary customer that are not the dealer's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # months read plainly in UTC
        cls.company.partner_id.tz = "UTC"
        cls.month = fields.Date.context_today(cls.env.user).replace(day=1)
        cls.agent = new_test_user(
            cls.env, login="st_agent", name="Ada Agent", groups="aftersales_service.aftersales_service_group_user"
        )
        cls.manager = new_test_user(
            cls.env,
            login="st_manager",
            name="Max Manager",
            groups="aftersales_service.aftersales_service_group_manager",
        )
        cls.dealer = cls.env["res.partner"].create(
            {"name": "Delta Dealers", "is_company": True, "aftersales_dealer": True, "email": "delta@example.com"}
        )
        cls.dealer_shop = cls.env["res.partner"].create(
            {"name": "Delta Dealers, Main Shop", "parent_id": cls.dealer.id, "type": "delivery"}
        )
        cls.dealer_user = new_test_user(
            cls.env,
            login="st_delta",
            groups="base.group_portal",
            partner_id=cls.env["res.partner"]
            .create({"name": "Dina Delta", "email": "dina@example.com", "parent_id": cls.dealer.id})
            .id,
        )
        cls.other_dealer = cls.env["res.partner"].create(
            {"name": "Omega Outlets", "is_company": True, "aftersales_dealer": True, "email": "omega@example.com"}
        )
        cls.other_dealer_user = new_test_user(
            cls.env,
            login="st_omega",
            groups="base.group_portal",
            partner_id=cls.env["res.partner"]
            .create({"name": "Otto Omega", "email": "otto@example.com", "parent_id": cls.other_dealer.id})
            .id,
        )
        cls.customer = cls.env["res.partner"].create({"name": "Carl Customer"})
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock = cls.warehouse.lot_stock_id
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.fridge = cls.env["product.product"].create({"name": "ST Fridge", "is_storable": True})
        cls.oven = cls.env["product.product"].create({"name": "ST Oven", "is_storable": True})
        for product in (cls.fridge, cls.oven):
            cls.env["stock.quant"]._update_available_quantity(product, cls.stock, 100.0)
        cls._transfer(
            cls.warehouse.out_type_id, cls.stock, cls.customers, cls.dealer, [(cls.fridge, 22), (cls.oven, 10)]
        )
        cls._transfer(cls.warehouse.in_type_id, cls.customers, cls.stock, cls.dealer_shop, [(cls.fridge, 2)])
        cls._transfer(cls.warehouse.out_type_id, cls.stock, cls.customers, cls.customer, [(cls.fridge, 5)])

    @classmethod
    def _transfer(cls, picking_type, source, destination, partner, lines):
        """A picking of ``lines`` [(product, quantity)], validated as the warehouse does."""
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id if partner else False,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                    for product, quantity in lines
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model"):
            Form.from_action(cls.env, result).save().process()
        return picking

    def _sell_through(self, partner):
        self.env.flush_all()
        return self.env["aftersales.sell.through.report"].search([("partner_id", "=", partner.id)])
