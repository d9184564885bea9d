from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import WarrantyCommon

ACCOUNTANT = "aftersales_service.aftersales_service_group_accountant"
MANAGER = "aftersales_service.aftersales_service_group_manager,sales_team.group_sale_salesman"


@tagged("post_install", "-at_install")
class TestContractInvoicing(WarrantyCommon):
    """The daily invoicing: prorated periods, missed periods caught up once, a failing contract left
    aside while the others are invoiced."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service_product = cls.env["product.product"].create(
            {"name": "Care Plan", "type": "service", "list_price": 100.0, "taxes_id": [Command.clear()]}
        )
        cls.ctr_manager = new_test_user(cls.env, login="as_ctr_inv_mgr", name="Max Plans", groups=MANAGER)
        cls.accountant = new_test_user(cls.env, login="as_ctr_inv_acc", name="Ada Ledger", groups=ACCOUNTANT)
        cls.Contract = cls.env["aftersales.contract"]

    def _contract(self, partner=None, amount=100.0, start=date(2026, 1, 1), calendar_periods=False):
        """A monthly contract the manager writes in its form and starts."""
        with Form(self.Contract.with_user(self.ctr_manager)) as form:
            form.partner_id = partner or self.customer
            form.product_id = self.service_product
            form.start_date = start
            form.term_months = 12
            form.invoicing_period = "monthly"
            form.calendar_periods = calendar_periods
            form.recurring_amount = amount
        contract = form.record
        self.assertEqual(contract.end_date, start + relativedelta(months=12, days=-1))
        contract.action_start()
        return self.Contract.browse(contract.id)

    def _invoices(self, contract):
        """The contract's invoices, as the accountant reads them."""
        return contract.with_user(self.accountant).invoice_ids.sorted("aftersales_period_start")

    def test_prorated_first_and_last_invoices(self):
        with freeze_time("2026-01-15"):
            contract = self._contract(start=date(2026, 1, 15), calendar_periods=True)
            self.Contract._cron_process()
        first = self._invoices(contract)
        self.assertEqual(len(first), 1)
        self.assertEqual(
            (first.aftersales_period_start, first.aftersales_period_end), (date(2026, 1, 15), date(2026, 1, 31))
        )
        # 17 of the 31 days of January
        self.assertEqual(first.amount_untaxed, 54.84)
        self.assertIn("prorated: 17 of 31 days", first.invoice_line_ids.name)
        self.assertEqual(contract.next_invoice_date, date(2026, 2, 1), "then calendar months")
        with freeze_time("2027-01-20"):
            self.Contract._cron_process()
        invoices = self._invoices(contract)
        self.assertEqual(len(invoices), 13)
        self.assertEqual(invoices[1].amount_untaxed, 100.0, "a full month")
        last = invoices[-1]
        self.assertEqual(
            (last.aftersales_period_start, last.aftersales_period_end), (date(2027, 1, 1), date(2027, 1, 14))
        )
        self.assertEqual(last.amount_untaxed, 45.16, "14 of the 31 days of January")
        self.assertAlmostEqual(sum(invoices.mapped("amount_untaxed")), 1200.0, places=2, msg="a year, to the cent")
        self.assertFalse(contract.next_invoice_date)

    def test_missed_month_is_invoiced_once_on_the_next_run(self):
        with freeze_time("2026-01-01"):
            contract = self._contract()
            self.Contract._cron_process()
        self.assertEqual(len(self._invoices(contract)), 1)
        # the cron did not run in February: March's run invoices February and March, once
        with freeze_time("2026-03-02"):
            self.Contract._cron_process()
            self.Contract._cron_process()
        with freeze_time("2026-03-03"):
            self.Contract._cron_process()
        invoices = self._invoices(contract)
        self.assertEqual(
            invoices.mapped("aftersales_period_start"), [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
        )
        self.assertEqual(invoices.mapped("amount_untaxed"), [100.0, 100.0, 100.0])
        self.assertEqual(contract.next_invoice_date, date(2026, 4, 1))
        # the manager's button invoices nothing more either
        with freeze_time("2026-03-10"):
            self.assertFalse(contract.with_user(self.ctr_manager).action_invoice())
        with self.assertRaises(AccessError):
            contract.with_user(self.accountant).action_invoice()

    def test_failing_contract_is_noted_and_the_others_invoiced(self):
        stranger = self.env["res.partner"].create({"name": "Gone Away Ltd", "is_company": True})
        with freeze_time("2026-01-01"):
            good = self._contract()
            failing = self._contract(partner=stranger)
            other = self._contract(amount=50.0)
        stranger.active = False
        with freeze_time("2026-01-02"):
            self.Contract._cron_process()
        self.assertEqual(len(self._invoices(good)), 1)
        self.assertEqual(len(self._invoices(other)), 1)
        self.assertFalse(failing.invoice_ids)
        self.assertEqual(failing.invoice_failed_date, date(2026, 1, 2))
        self.assertEqual(failing.next_invoice_date, date(2026, 1, 1), "left to invoice")
        note = failing.message_ids.filtered(lambda m: "could not invoice" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("archived", note.body)
        # the same day, the run does not try it again; the manager's button says why
        with freeze_time("2026-01-02"):
            self.Contract._cron_process()
            with self.assertRaisesRegex(UserError, "archived"):
                failing.with_user(self.ctr_manager).action_invoice()
        self.assertEqual(len(failing.message_ids.filtered(lambda m: "could not invoice" in (m.body or ""))), 1)
        # the customer restored, the next run invoices it
        stranger.active = True
        with freeze_time("2026-01-03"):
            self.Contract._cron_process()
        self.assertEqual(len(self._invoices(failing)), 1)
        self.assertFalse(failing.invoice_failed_date)
        self.assertEqual(len(self._invoices(good)), 1, "each period once")
