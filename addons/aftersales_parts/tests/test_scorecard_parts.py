from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.aftersales_service.tests.common_scorecard import AftersalesScorecardCommon


@tagged("post_install", "-at_install")
class TestScorecardParts(AftersalesScorecardCommon):
    """The parts fitted on the jobs: parts per job, and the cost of the parts not billed on a line."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.part = cls.env["product.product"].create(
            {"name": "Drain pump", "type": "consu", "standard_price": 10.0, "list_price": 25.0}
        )
        first, second = cls.visits[0], cls.visits[1]
        # parts are recorded while the job is under way: open the jobs for a moment
        cls.env.cr.execute(
            SQL("UPDATE aftersales_visit SET state = 'in_progress' WHERE id IN %s", (first.id, second.id))
        )
        cls.env.invalidate_all()
        cls.env["aftersales.visit.part"].create(
            [
                {"visit_id": first.id, "product_id": cls.part.id, "quantity": 2.0, "location_id": False},
                # a defective part taken out: not a part used
                {"visit_id": second.id, "product_id": cls.part.id, "quantity": 1.0, "removed": True},
            ]
        )
        cls.env.cr.execute(SQL("UPDATE aftersales_visit SET state = 'done' WHERE id IN %s", (first.id, second.id)))
        cls.env.invalidate_all()

    def test_parts_per_job(self):
        self.scorecard.with_user(self.manager).action_compute()
        n1 = self._line(self.n1)
        self.assertEqual(n1.part_quantity, 2.0)
        self.assertEqual(n1.parts_per_job, 0.67)
        self.assertEqual(n1.cost_total, 100.0, "80 of billed lines and 20 of parts not billed")
        self.assertEqual(self._line(self.north).part_quantity, 2.0)
        self.assertEqual(self._line(self.n2).parts_per_job, 0.0)
        codes = self.env["aftersales.scorecard.measure"].search([("company_id", "=", self.company.id)]).mapped("code")
        self.assertIn("parts_per_job", codes)
        # weighed at 0 by default: shown, not scored
        self.assertNotIn("parts_per_job", n1.achievements)
