from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from .common import PartsCommon


@tagged("post_install", "-at_install")
class TestConsumableParts(PartsCommon):
    """A repair under warranty: the pump is covered, the door seal (a consumable by the policy) is billed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="as_cons_accountant",
            name="Ada Accounts",
            groups="aftersales_service.aftersales_service_group_accountant",
        )
        cls.consumables = cls.env["product.category"].create({"name": "Wear Parts"})
        cls.seal.categ_id = cls.consumables
        cls.policy.excluded_categ_ids = cls.consumables
        cls._inventory(cls.seal, cls.warehouse.lot_stock_id, 5.0)

    def test_consumable_part_billed_on_a_covered_repair(self):
        self._running_warranty(start=date(2026, 1, 1))
        self._validate(self._request(1.0).picking_id)
        self._validate(self._request(1.0, product=self.seal).picking_id)
        visit = self._start_visit([])
        technician_visit = visit.with_user(self.tech_a.user_id)
        technician_visit.write(
            {
                "part_ids": [
                    Command.create({"product_id": self.pump.id, "quantity": 1.0}),
                    Command.create({"product_id": self.seal.id, "quantity": 1.0}),
                ],
                "work_report": "<p>Pump and door seal replaced.</p>",
                "signature": SIGNATURE,
                "signed_by": "Wendy Washer",
            }
        )
        with freeze_time(datetime(2026, 6, 9, 11, 30)):
            technician_visit.action_done()
        pump_line = visit.part_ids.filtered(lambda part: part.product_id == self.pump).visit_line_id
        seal_line = visit.part_ids.filtered(lambda part: part.product_id == self.seal).visit_line_id
        self.assertEqual(pump_line.coverage, "warranty")
        self.assertEqual(seal_line.coverage, "billable")
        self.assertEqual(seal_line.coverage_note, "Not covered: consumable (Wear Parts)")
        sale_lines = (
            self.env["sale.order.line"].with_user(self.accountant).browse((pump_line | seal_line).sale_line_ids.ids)
        )
        billed = {line.product_id: (line.price_subtotal, line.discount) for line in sale_lines}
        self.assertEqual(billed, {self.pump: (0.0, 100.0), self.seal: (25.0, 0.0)})
