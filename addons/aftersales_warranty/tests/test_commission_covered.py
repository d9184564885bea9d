from odoo.tests import tagged

from .test_coverage import CoverageCommon


@tagged("post_install", "-at_install")
class TestCommissionCovered(CoverageCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Rule = cls.env["aftersales.commission.rule"]
        Rule.search([]).active = False
        cls.rule = Rule.create({"name": "Repairs", "amount_type": "percentage", "percentage": 10.0, "rework_days": 0})

    def test_warranty_job_earns_on_the_covered_value(self):
        self.assertTrue(self.rule.covered_base, "new rules count covered fees")
        self._running_warranty()
        # Tara does the job herself: labour under warranty (120 at the customer's price), travel billed (40)
        visit = self._do_visit(
            self._visit(), lines=[{"line_type": "labour"}, {"line_type": "travel_zone"}], user=self.tech_a.user_id
        )
        commission = visit.commission_ids
        self.assertEqual((commission.base_amount, commission.covered_amount), (40.0, 120.0))
        self.assertEqual(commission.amount, 16.0, "10% of what the customer would have paid")
        mine = self.env["aftersales.commission"].with_user(self.tech_a.user_id).search([])
        self.assertEqual(mine.read(["covered_amount", "total"])[0]["total"], 16.0)
        # a rule that pays on the billed fees only
        self.rule.with_user(self.manager).covered_base = False
        commission.period_id.with_user(self.manager).action_compute()
        self.assertEqual((commission.covered_amount, commission.amount), (120.0, 4.0))

    def test_billed_job_earns_the_same(self):
        visit = self._do_visit(self._visit(), lines=[{"line_type": "labour"}, {"line_type": "travel_zone"}])
        commission = visit.commission_ids
        self.assertEqual((commission.base_amount, commission.covered_amount, commission.amount), (160.0, 0.0, 16.0))
