from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_coverage import CoverageCommon


@tagged("post_install", "-at_install")
class TestIntegritySale(CoverageCommon):
    """Extensions sold for the customer's own units; who makes a company a service partner."""

    def test_extension_of_another_customers_unit_is_refused(self):
        warranty = self._running_warranty()
        stranger = self.env["res.partner"].create({"name": "Stan Stranger", "is_company": True})
        order = self.env["sale.order"].create(
            {
                "partner_id": stranger.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.extension_product.id,
                            "product_uom_qty": 1,
                            "aftersales_extended_lot_ids": [Command.set(self.lot.ids)],
                        }
                    )
                ],
            }
        )
        seller = new_test_user(
            self.env, login="as_int_seller", groups="sales_team.group_sale_salesman_all_leads,stock.group_stock_user"
        )
        with self.assertRaises(UserError) as refusal:
            order.with_user(seller).action_confirm()
        self.assertIn("another customer", str(refusal.exception))
        self.assertEqual(order.state, "draft")
        self.assertFalse(warranty.extension_ids)
        self.assertEqual(warranty.extension_months, 0)

    def test_only_managers_make_a_service_partner(self):
        agent = new_test_user(
            self.env,
            login="as_int_agent",
            groups="aftersales_service.aftersales_service_group_user,base.group_partner_manager",
        )
        manager = new_test_user(
            self.env,
            login="as_int_manager",
            groups="aftersales_service.aftersales_service_group_manager,base.group_partner_manager",
        )
        company = self.env["res.partner"].create({"name": "Fixit Ltd", "is_company": True})
        with self.assertRaises(AccessError):
            company.with_user(agent).write({"aftersales_service_partner": True})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(agent).create({"name": "Own Shop", "aftersales_service_partner": True})
        self.assertFalse(company.aftersales_service_partner)
        company.with_user(agent).write({"phone": "+32 2 555 01 01"})
        company.with_user(manager).write({"aftersales_service_partner": True})
        self.assertTrue(company.aftersales_service_partner)
