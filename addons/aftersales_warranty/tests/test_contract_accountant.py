import re

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from . import test_contract_invoicing
from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestContractAccountant(WarrantyCommon):
    """The accountant reads the contracts and their invoices; the contract's actions are the after-sales team's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service_product = cls.env["product.product"].create(
            {"name": "Care Plan", "type": "service", "list_price": 100.0, "taxes_id": [Command.clear()]}
        )
        cls.ctr_manager = new_test_user(
            cls.env, login="as_ctr_acc_mgr", name="Max Plans", groups=test_contract_invoicing.MANAGER
        )
        cls.accountant = new_test_user(
            cls.env, login="as_ctr_acc_acc", name="Ada Ledger", groups=test_contract_invoicing.ACCOUNTANT
        )
        cls.Contract = cls.env["aftersales.contract"]

    # a contract the manager writes in its form and starts, its invoices as the accountant reads them
    _contract = test_contract_invoicing.TestContractInvoicing._contract
    _invoices = test_contract_invoicing.TestContractInvoicing._invoices

    def test_accountant_reads_the_contract_without_its_actions(self):
        with freeze_time("2026-01-01"):
            contract = self._contract()
            contract.with_user(self.ctr_manager).action_invoice()
        invoice = self._invoices(contract)
        self.assertEqual(len(invoice), 1)
        # the chatter links the invoice, a draft without a number yet
        message = contract.message_ids.filtered(
            lambda m: re.search(rf"data-oe-model=.account\.move. data-oe-id=.{invoice.id}.", m.body or "")
        )
        self.assertEqual(len(message), 1)
        self.assertNotIn("Invoice / created", message.body)
        # the form shows the accountant none of the buttons the accountant may not use
        arch = contract.with_user(self.accountant).get_views([(False, "form")])["views"]["form"]["arch"]
        buttons = set(etree.fromstring(arch).xpath("//header/button/@name"))
        actions = {"action_start", "action_invoice", "action_renew", "action_send_reminder", "action_cancel"}
        self.assertFalse(buttons & actions)
        agent = new_test_user(
            self.env, login="as_ctr_acc_agent", groups="aftersales_service.aftersales_service_group_user"
        )
        arch = contract.with_user(agent).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertLessEqual(actions, set(etree.fromstring(arch).xpath("//header/button/@name")))
        # and the actions themselves refuse, with the reason, nothing sent
        count = len(contract.message_ids)
        for action in ("action_send_reminder", "action_invoice", "action_cancel"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(contract.with_user(self.accountant), action)()
        self.assertEqual(len(contract.message_ids), count)
        self.assertEqual(contract.state, "running")
