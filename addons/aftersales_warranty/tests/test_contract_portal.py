from datetime import date

from odoo import Command
from odoo.tests import HttpCase, tagged

from .test_warranty_portal import WarrantyPortalCommon


@tagged("post_install", "-at_install")
class TestContractPortal(WarrantyPortalCommon, HttpCase):
    """The customer's service contracts on the portal, through real HTTP requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls.env["product.product"].create({"name": "Care Plan", "type": "service", "list_price": 300.0})
        Contract = cls.env["aftersales.contract"]
        values = {
            "product_id": product.id,
            "start_date": date(2026, 1, 1),
            "term_months": 12,
            "recurring_amount": 300.0,
            "visits_per_year": 2,
        }
        cls.contract = Contract.create({**values, "partner_id": cls.customer.id, "lot_ids": [Command.set(cls.lot.ids)]})
        cls.contract.action_start()
        cls.draft = Contract.create({**values, "partner_id": cls.customer.id})
        cls.other_contract = Contract.create(
            {**values, "partner_id": cls.other_customer.id, "lot_ids": [Command.set(cls.other_lot.ids)]}
        )
        cls.other_contract.action_start()

    def test_my_contracts_and_the_contract_page(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["contract_count"]})
        self.assertEqual(counters["contract_count"], 1, "running contracts only: drafts are offers in the making")
        response = self.url_open("/my/contracts")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.contract.name, response.text)
        self.assertNotIn(self.draft.name, response.text)
        self.assertNotIn(self.other_contract.name, response.text)
        self.assertIn(self.contract.get_portal_url(), response.text)

        response = self.url_open(self.contract.get_portal_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.lot.name, response.text, "the covered serial numbers are listed")
        self.assertIn('id="discussion"', response.text)
        self.assertEqual(self.url_open(f"/my/contracts/{self.draft.id}").status_code, 404)
        response = self.url_open(f"/my/contracts/{self.other_contract.id}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(self.other_lot.name, response.text)
