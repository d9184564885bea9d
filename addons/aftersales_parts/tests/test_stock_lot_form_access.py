from odoo.tests import Form, new_test_user, tagged

from odoo.addons.aftersales_warranty.tests.common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestStockLotFormAccess(WarrantyCommon):
    """The service staff open the serial number of a ticket, sold by another salesperson: the form shows
    them what they may read, without the valuation, the other sales or the repair orders."""

    def test_service_staff_open_serial_number(self):
        roles = {
            "as_lot_agent": "aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman",
            "as_lot_dispatcher": (
                "aftersales_service.aftersales_service_group_dispatcher,sales_team.group_sale_salesman"
            ),
            "as_lot_manager": "aftersales_service.aftersales_service_group_manager,sales_team.group_sale_salesman",
        }
        for login, groups in roles.items():
            user = new_test_user(self.env, login=login, groups=groups)
            with self.subTest(role=login):
                form = Form(self.lot.with_user(user))
                self.assertEqual(form.name, self.lot.name)
                self.assertEqual(form.product_id, self.product)
        # those who may still see the sales, the repairs and the valuation
        clerk = new_test_user(
            self.env,
            login="as_lot_stock_manager",
            groups="stock.group_stock_manager,sales_team.group_sale_salesman_all_leads",
        )
        form = Form(self.lot.with_user(clerk))
        self.assertEqual(form.sale_order_count, 1)
        self.assertIn("stock_valuation_layer_ids", form._view["fields"])
