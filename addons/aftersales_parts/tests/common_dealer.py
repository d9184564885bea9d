from odoo import Command
from odoo.tests import new_test_user

from .common import RmaCommon


class DealerRmaCommon(RmaCommon):
    """A dealer with 21 heat pumps by serial from two deliveries (two invoices): 12 to the dealer itself,
    9 to its shop; two pumps sold to another customer; one of the dealer's pumps already came back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env,
            login="as_dealer_clerk",
            name="Carl Clerk",
            groups="stock.group_stock_user,stock.group_production_lot,aftersales_parts.aftersales_parts_group_clerk",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="as_dealer_accountant",
            name="Ada Accounts",
            groups="aftersales_service.aftersales_service_group_accountant",
        )
        cls.dealer = cls.env["res.partner"].create(
            {"name": "Dora Dealer Ltd", "is_company": True, "aftersales_dealer": True}
        )
        cls.shop = cls.env["res.partner"].create(
            {"name": "Dora Dealer, North Shop", "parent_id": cls.dealer.id, "type": "delivery"}
        )
        cls.dealer_contact = cls.env["res.partner"].create(
            {"name": "Dan Dealer", "email": "dan@example.com", "parent_id": cls.dealer.id}
        )
        cls.dealer_user = new_test_user(
            cls.env, login="as_dealer_dan", groups="base.group_portal", partner_id=cls.dealer_contact.id
        )
        cls.other_dealer = cls.env["res.partner"].create(
            {"name": "Otto Outlet", "is_company": True, "aftersales_dealer": True}
        )
        cls.pump = cls.env["product.product"].create(
            {
                "name": "Heat Pump HP-9",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": cls.return_category.id,
                "invoice_policy": "delivery",
                "taxes_id": [Command.set(cls.tax.ids)],
            }
        )
        lots = cls.env["stock.lot"].create(
            [{"name": f"HP9-{index:04d}", "product_id": cls.pump.id} for index in range(1, 61)]
        )
        for lot in lots:
            cls.env["stock.quant"]._update_available_quantity(cls.pump, cls.warehouse.lot_stock_id, 1.0, lot_id=lot)
        cls.order_a = cls._pump_order(cls.dealer, 12, 200.0)
        cls.order_b = cls._pump_order(cls.shop, 9, 180.0)
        cls.other_order = cls._pump_order(cls.customer, 2, 210.0)
        cls.delivery_a = cls.order_a.picking_ids
        cls.delivery_b = cls.order_b.picking_ids
        cls.invoice_a = cls.order_a.invoice_ids
        cls.invoice_b = cls.order_b.invoice_ids
        cls.move_a = cls.order_a.order_line.move_ids
        cls.move_b = cls.order_b.order_line.move_ids
        cls.lots_a = cls.order_a.picking_ids.move_line_ids.lot_id
        cls.lots_b = cls.order_b.picking_ids.move_line_ids.lot_id
        cls.not_delivered = lots - cls.lots_a - cls.lots_b - cls.other_order.picking_ids.move_line_ids.lot_id
        # one of the first delivery came back already, on an earlier return
        cls.returned_lot = cls.lots_a[:1]
        earlier = cls.env["aftersales.rma"].create({"partner_id": cls.dealer.id})
        earlier.action_add_dealer_serials(cls.returned_lot.name, "customer_unit", cls.reason)
        earlier.action_approve()
        cls._validate(earlier.return_picking_ids)
        cls.earlier = earlier

    @classmethod
    def _pump_order(cls, partner, quantity, price):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": cls.pump.id, "product_uom_qty": quantity, "price_unit": price})
                ],
            }
        )
        order.action_confirm()
        cls._validate(order.picking_ids)
        order._create_invoices().action_post()
        return order

    def _dealer_rma(self, partner=None, user=None):
        return (
            self.env["aftersales.rma"]
            .with_user(user or self.rma_user)
            .create({"partner_id": (partner or self.dealer).id})
        )

    def _add_serials(self, rma, serials, user=None, dealer_reason="customer_unit"):
        """Add ``serials`` with the Add Serials wizard, as the agent; returns what the wizard answers."""
        action = rma.with_user(user or self.rma_user).action_open_add_serials()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user or self.rma_user)
            .with_context(**action["context"])
            .create({"serials": serials, "dealer_reason": dealer_reason, "reason_id": self.reason.id})
        )
        return wizard, wizard.action_add()
