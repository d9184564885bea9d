from datetime import date, datetime

from odoo import Command
from odoo.tests import new_test_user, tagged

from .test_coverage import CoverageCommon

ACCOUNTANT = "aftersales_service.aftersales_service_group_accountant"


@tagged("post_install", "-at_install")
class TestContractConsumption(CoverageCommon):
    """The visits and hours a contract includes are used by the done visits; beyond them, the
    fees go to the customer's service order like any billable fee."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(cls.env, login="as_ctr_use_acc", name="Ada Counts", groups=ACCOUNTANT)
        cls.technician = cls.tech_a.user_id

    def _contract(self, **values):
        contract = self.env["aftersales.contract"].create(
            {
                "partner_id": self.customer.id,
                "product_id": self.fee_product.id,
                "start_date": date(2026, 1, 1),
                "term_months": 12,
                "recurring_amount": 100.0,
                "covers_labour": True,
                "lot_ids": [Command.set(self.lot.ids)],
                **values,
            }
        )
        contract.action_start()
        self.ticket.invalidate_recordset(["contract_id"])
        self.ticket._compute_contract_id()
        self.assertEqual(self.ticket.contract_id, contract)
        return contract

    def _visits_done_by_technician(self, count, hours=1.5):
        """The technician does ``count`` visits on the contract's ticket, one a day, each with its labour."""
        return [
            self._do_visit(
                self._visit(),
                start=datetime(2026, 6, 9 + index, 10, 0),
                hours=hours,
                lines=[{"line_type": "labour"}],
                user=self.technician,
            )
            for index in range(count)
        ]

    def _billed_lines(self, visit):
        """The order lines of ``visit`` as the accountant reads them: those the customer pays."""
        lines = (
            self.env["sale.order.line"]
            .with_user(self.accountant)
            .search([("aftersales_visit_line_id.visit_id", "=", visit.id)])
        )
        return lines.filtered(lambda line: line.price_subtotal)

    def test_visits_beyond_the_included_ones_are_billed(self):
        contract = self._contract(included_visits=3)
        self.assertEqual(contract.visits_left, 3)
        visits = self._visits_done_by_technician(4)
        self.assertEqual(
            [visit.line_ids.coverage for visit in visits], ["contract", "contract", "contract", "billable"]
        )
        for visit in visits[:3]:
            self.assertFalse(self._billed_lines(visit), "an included visit is free")
            self.assertEqual(visit.line_ids.sale_line_ids.discount, 100.0)
        billed = self._billed_lines(visits[3])
        self.assertEqual(len(billed), 1, "the fourth visit is billed")
        self.assertEqual(billed.product_uom_qty, 1.5)
        self.assertEqual(billed.price_subtotal, 120.0, "1.5 hours at the customer's 80 an hour")
        self.assertIn(f"Beyond the 3 visits included in contract {contract.name}", billed.name)
        contract.invalidate_recordset(["visits_used", "visits_left", "hours_used"])
        self.assertEqual((contract.visits_used, contract.visits_left), (4, 0))
        self.assertEqual(contract.with_user(self.accountant).visits_used, 4)

    def test_hours_beyond_the_included_ones_are_billed(self):
        contract = self._contract(included_hours=4.0)
        visits = self._visits_done_by_technician(4)
        labour = [visit.line_ids for visit in visits]
        self.assertEqual([line.coverage for line in labour], ["contract", "contract", "billable", "billable"])
        self.assertFalse(self._billed_lines(visits[0]))
        self.assertFalse(self._billed_lines(visits[1]))
        # 3 of the 4 hours used: the third visit's 1.5 hours are covered for 1, billed for 0.5
        self.assertEqual(labour[2].contract_included_qty, 1.0)
        self.assertEqual(labour[2].price_subtotal, 40.0)
        third = self._billed_lines(visits[2])
        self.assertEqual(third.product_uom_qty, 0.5)
        self.assertEqual(third.price_subtotal, 40.0)
        self.assertIn(f"1.0 of 1.5 hours included in contract {contract.name}", third.name)
        fourth = self._billed_lines(visits[3])
        self.assertEqual(fourth.product_uom_qty, 1.5)
        self.assertEqual(fourth.price_subtotal, 120.0)
        self.assertFalse(labour[3].contract_included_qty)
        contract.invalidate_recordset(["hours_used", "hours_left"])
        self.assertEqual((contract.hours_used, contract.hours_left), (6.0, 0.0))

    def test_unlimited_contract_covers_every_visit(self):
        self._contract()
        visits = self._visits_done_by_technician(4)
        self.assertEqual({visit.line_ids.coverage for visit in visits}, {"contract"})
        for visit in visits:
            self.assertFalse(self._billed_lines(visit))
