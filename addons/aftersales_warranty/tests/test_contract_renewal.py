from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from .test_warranty_portal import WarrantyPortalCommon

MANAGER = "aftersales_service.aftersales_service_group_manager,sales_team.group_sale_salesman"
TECHNICIAN = "aftersales_service.aftersales_service_group_technician"


@tagged("post_install", "-at_install")
class TestContractRenewal(WarrantyPortalCommon, HttpCase):
    """The renewal of a contract is a quotation of the next term that the customer accepts on the
    portal; then the next contract starts the day after the old one ends."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"portal_confirmation_sign": True, "portal_confirmation_pay": False})
        cls.ctr_manager = new_test_user(
            cls.env, login="as_ctr_renew_mgr", name="Max Renew", email="max@example.com", groups=MANAGER
        )
        cls.technician = new_test_user(cls.env, login="as_ctr_renew_tech", name="Tom Tech", groups=TECHNICIAN)
        cls.service_product = cls.env["product.product"].create(
            {"name": "Care Plan", "type": "service", "list_price": 300.0, "taxes_id": [Command.clear()]}
        )
        today = cls.today
        cls.contract = (
            cls.env["aftersales.contract"]
            .with_user(cls.ctr_manager)
            .create(
                {
                    "partner_id": cls.customer.id,
                    "product_id": cls.service_product.id,
                    "start_date": date(today.year, 1, 1),
                    "term_months": 12,
                    "invoicing_period": "quarterly",
                    "recurring_amount": 300.0,
                    "renewal_amount": 330.0,
                    "included_visits": 2,
                    "lot_ids": [Command.set(cls.lot.ids)],
                }
            )
        )
        cls.contract.action_start()

    def test_renewal_quotation_accepted_on_the_portal(self):
        contract = self.contract.with_user(self.ctr_manager)
        with self.assertRaises(AccessError):
            self.contract.with_user(self.technician).action_renew()
        action = contract.action_renew()
        order = self.env["sale.order"].browse(action["res_id"])
        self.assertEqual(contract.renewal_order_id, order)
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.state, "sent", "sent to the customer")
        self.assertEqual(order.amount_untaxed, 1320.0, "four quarters at the renewal price")
        self.assertIn(f"Renewal of contract {contract.name}", order.order_line.name)
        self.assertFalse(contract.renewal_contract_id, "nothing renewed before the customer accepts")
        with self.assertRaisesRegex(UserError, "already sent"):
            contract.action_renew()

        # the customer reads the contract, with its visits left and the renewal to accept
        self.authenticate(self.portal_user.login, self.portal_user.login)
        page = self.url_open(self.contract.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("<span>2</span> left", page.text, "two included visits left")
        self.assertIn(order.name, page.text)
        # and signs the quotation on the portal: Odoo's own acceptance
        result = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {"access_token": order.access_token, "name": "Walter Washer", "signature": SIGNATURE.decode()},
        )
        self.assertNotIn("error", result)
        self.env.invalidate_all()
        self.assertEqual(order.state, "sale")
        renewal = self.contract.renewal_contract_id
        self.assertTrue(renewal)
        self.assertEqual(renewal.previous_contract_id, self.contract)
        self.assertEqual(renewal.start_date, self.contract.end_date + relativedelta(days=1))
        self.assertEqual(renewal.end_date, renewal.start_date + relativedelta(months=12, days=-1))
        self.assertEqual(renewal.sale_order_id, order, "the order pays the new term")
        self.assertEqual(renewal.state, "running")
        self.assertEqual(renewal.lot_ids, self.lot)
        self.assertEqual(renewal.included_visits, 2)
        self.assertFalse(renewal.recurring_amount, "not invoiced twice: the order bills the term")
        self.assertEqual(renewal.renewal_amount, 330.0)
        # the old contract ends as planned and its successor covers the unit from the next day
        with freeze_time(renewal.start_date):
            self.env["aftersales.contract"]._cron_process()
        self.assertEqual(self.contract.state, "expired")
        self.assertEqual(self.env["aftersales.contract"]._running_for(self.lot, None, renewal.start_date), renewal)
        with self.assertRaises(UserError):
            contract.action_renew()

    def test_cancelled_quotation_leaves_the_contract_to_renew(self):
        contract = self.contract.with_user(self.ctr_manager)
        order = self.env["sale.order"].browse(contract.action_renew()["res_id"])
        order.with_user(self.ctr_manager)._action_cancel()
        self.assertFalse(contract.renewal_contract_id)
        # a quotation not made from the contract renews nothing
        other = order.copy()
        other.action_confirm()
        self.assertFalse(contract.renewal_contract_id)
        second = self.env["sale.order"].browse(contract.action_renew()["res_id"])
        self.assertNotEqual(second, order)
        second.action_confirm()
        self.assertEqual(contract.renewal_contract_id.sale_order_id, second)
