from datetime import datetime, time, timedelta

from odoo import fields
from odoo.tests import tagged

from .common_carry_in import CarryInCommon


@tagged("post_install", "-at_install")
class TestCarryInRepairWarranty(CarryInCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write({"repair_warranty_duration": 90, "repair_warranty_unit": "day"})

    def _hand_over(self, carry_in):
        self._sign_handover(carry_in)
        carry_in.with_user(self.agent).action_hand_over()
        return carry_in

    def _later_part_line(self, product, days):
        """A visit on the same unit ``days`` after today, fitting one ``product``."""
        start = datetime.combine(fields.Date.today() + timedelta(days=days), time(10, 0))
        visit = self._do_visit(
            self._visit(self._ticket(lot_id=self.lot.id)),
            start=start,
            lines=[{"line_type": "part", "product_id": product.id, "quantity": 1.0}],
        )
        return visit.line_ids.filtered(lambda line: line.line_type == "part")

    def test_replaced_parts_get_their_repair_warranty(self):
        carry_in = self._hand_over(self._ready_carry_in(parts=[(self.pump, 2.0)]))
        warranty = carry_in.part_warranty_ids
        self.assertEqual(len(warranty), 1)
        today = fields.Date.today()
        self.assertEqual(warranty.product_id, self.pump)
        self.assertEqual(warranty.quantity, 2.0)
        self.assertEqual(warranty.unit_lot_id, self.lot)
        self.assertEqual(warranty.partner_id, self.customer)
        self.assertEqual(warranty.start_date, today)
        self.assertEqual(warranty.end_date, today + timedelta(days=89))
        self.assertEqual(warranty.state, "running")
        self.assertEqual(
            self.env["aftersales.part.warranty"].with_user(self.agent).search([("unit_lot_id", "=", self.lot.id)]),
            warranty,
        )

    def test_job_parts_fitted_by_the_repair_order(self):
        carry_in = self._hand_over(self._ready_carry_in(parts=[(self.pump, 1.0)]))
        self.assertEqual(carry_in.repair_id.move_ids.mapped("state"), ["done"])
        self.assertRecordValues(carry_in.part_warranty_ids, [{"product_id": self.pump.id, "quantity": 1.0}])

    def test_repair_warranty_covers_the_same_part_on_the_same_unit(self):
        self._hand_over(self._ready_carry_in(parts=[(self.pump, 1.0)]))
        pump_line = self._later_part_line(self.pump, 30)
        self.assertEqual(pump_line.coverage, "repair_warranty")
        self.assertEqual(pump_line.price_subtotal, 0.0)
        self.assertIn("repair warranty", pump_line.sale_line_ids.name)
        # the unit's own warranty may still cover them: the repair warranty does not
        self.assertNotEqual(self._later_part_line(self.seal, 31).coverage, "repair_warranty", "another part")
        self.assertNotEqual(self._later_part_line(self.pump, 120).coverage, "repair_warranty", "it ran out")

    def test_no_repair_warranty_when_the_policy_gives_none(self):
        self.policy.repair_warranty_duration = 0
        carry_in = self._hand_over(self._ready_carry_in(parts=[(self.pump, 1.0)]))
        self.assertFalse(carry_in.part_warranty_ids)
        self.assertNotEqual(self._later_part_line(self.pump, 30).coverage, "repair_warranty")
