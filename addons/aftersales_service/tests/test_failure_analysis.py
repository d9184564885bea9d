from collections import Counter
from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestFailureAnalysis(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fault_drain, cls.fault_motor = cls.env["aftersales.fault.code"].create(
            [{"code": "UH-DRN", "name": "Drain blocked"}, {"code": "UH-MOT", "name": "Motor failure"}]
        )
        cls.quality = new_test_user(
            cls.env,
            login="uh_quality",
            name="Quinn Quality",
            groups="aftersales_service.aftersales_service_group_manager",
        )
        cls.company.write(
            {
                "aftersales_refail_days": 30,
                "aftersales_batch_alert_rate": 20.0,
                "aftersales_batch_alert_min_units": 5,
                "aftersales_quality_user_id": cls.quality.id,
            }
        )
        cls.bulk_product = cls.env["product.product"].create(
            {"name": "Detergent Cartridge", "is_storable": True, "tracking": "lot"}
        )

    def _units(self, batch, count, product=None):
        lots = self.env["stock.lot"]
        for number in range(count):
            _order, lot = self._sell_and_deliver(self.customer, product or self.product, f"{batch}-{number:03d}")
            lot.aftersales_batch = batch
            lots |= lot
        return lots

    def _failure(self, lot, fault, day, **values):
        return self._ticket(lot_id=lot.id, fault_code_id=fault.id, request_date=day, **values)

    def _alerts(self):
        products = (self.product | self.bulk_product).ids
        return self.env["aftersales.batch.alert"].search(
            [("company_id", "=", self.company.id), ("product_id", "in", products)]
        )

    def test_batch_alert_at_threshold(self):
        batch_a = self._units("UH-A", 5)
        batch_b = self._units("UH-B", 6)
        batch_c = self._units("UH-C", 3)
        # A: 1 of 5 = 20%, at the rate; B: 1 of 6 = 16.7%, below; C: 1 of 3 but too few units
        self._failure(batch_a[0], self.fault_drain, datetime(2026, 5, 4, 9, 0))
        self._failure(batch_a[0], self.fault_motor, datetime(2026, 5, 20, 9, 0))  # the same unit counts once
        self._failure(batch_b[0], self.fault_drain, datetime(2026, 5, 4, 9, 0))
        self._failure(batch_c[0], self.fault_drain, datetime(2026, 5, 4, 9, 0))
        # a ticket without a fault code is no failure
        self._ticket(lot_id=batch_b[1].id)

        stats = self.env["aftersales.batch.alert"]._batch_stats(self.company)
        self.assertEqual(stats[(self.product.id, "UH-A")], (1, 5))
        self.assertEqual(stats[(self.product.id, "UH-B")], (1, 6))
        self.assertEqual(stats[(self.product.id, "UH-C")], (1, 3))

        self.env["aftersales.batch.alert"]._cron_check_batch_failure_rates()
        alert = self._alerts()
        self.assertEqual(alert.mapped("batch"), ["UH-A"])
        self.assertEqual((alert.failed_units, alert.delivered_units), (1, 5))
        self.assertAlmostEqual(alert.failure_rate, 20.0)
        self.assertEqual(alert.activity_ids.user_id, self.quality)
        self.assertEqual(len(alert.activity_ids), 1)

        # never twice for the same batch and rate
        self.env["aftersales.batch.alert"]._cron_check_batch_failure_rates()
        self.assertEqual(self._alerts(), alert)
        self.assertEqual(len(alert.activity_ids), 1)

        # batch B reaches the rate with a second failed unit
        self._failure(batch_b[1], self.fault_motor, datetime(2026, 6, 1, 9, 0))
        new = self.env["aftersales.batch.alert"]._check_batches(self.company)
        new = new.filtered(lambda a: a.product_id == self.product)
        self.assertEqual(new.mapped("batch"), ["UH-B"])
        self.assertEqual(self._alerts(), alert | new)
        self.assertAlmostEqual(new.failure_rate, 100.0 * 2 / 6)
        self.assertEqual(new.action_view_failures()["domain"][-1], ("batch", "=", "UH-B"))

        # an alert rate of 0 turns the alert off
        self.company.aftersales_batch_alert_rate = 0.0
        self._failure(batch_a[1], self.fault_drain, datetime(2026, 6, 2, 9, 0))
        self.assertFalse(self.env["aftersales.batch.alert"]._check_batches())

    def test_lot_tracked_batch(self):
        """A lot-tracked product's lot is its batch; its units are the quantities delivered."""
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        lot = self.env["stock.lot"].create({"name": "CART-77", "product_id": self.bulk_product.id})
        self.env["stock.quant"]._update_available_quantity(self.bulk_product, warehouse.lot_stock_id, 10.0, lot_id=lot)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.bulk_product.id, "product_uom_qty": 10})],
            }
        )
        order.action_confirm()
        order.picking_ids.action_assign()
        order.picking_ids.move_ids.picked = True
        order.picking_ids.button_validate()
        for _number in range(2):
            self._failure(lot, self.fault_drain, datetime(2026, 5, 4, 9, 0), product_id=self.bulk_product.id)
        stats = self.env["aftersales.batch.alert"]._batch_stats(self.company)
        self.assertEqual(stats[(self.bulk_product.id, "CART-77")], (2, 10))
        self.env["aftersales.batch.alert"]._check_batches(self.company)
        self.assertEqual(self._alerts().batch, "CART-77")
        report = self.env["aftersales.failure.report"].search([("lot_id", "=", lot.id)])
        self.assertEqual(report.mapped("batch"), ["CART-77", "CART-77"])
        self.assertFalse(any(report.mapped("is_repeat")), "a lot is no single unit that fails again")

    def test_units_failing_again(self):
        lots = self._units("UH-R", 3)
        with freeze_time("2026-05-10 12:00:00"):
            repaired = self._failure(lots[0], self.fault_drain, datetime(2026, 5, 1, 9, 0))
            repaired.write({"stage_id": self.stage_solved.id, "resolution": "<p>Repaired.</p>"})
            late = self._failure(lots[1], self.fault_drain, datetime(2026, 3, 1, 9, 0))
            late.write({"stage_id": self.stage_solved.id, "resolution": "<p>Repaired.</p>"})
        again = self._failure(lots[0], self.fault_motor, datetime(2026, 6, 5, 9, 0))  # 26 days later
        after_window = self._failure(lots[1], self.fault_drain, datetime(2026, 6, 20, 9, 0))  # 41 days later
        first = self._failure(lots[2], self.fault_drain, datetime(2026, 6, 5, 9, 0))
        Report = self.env["aftersales.failure.report"]
        repeats = Report.search([("is_repeat", "=", True), ("lot_id", "in", lots.ids)])
        self.assertEqual(repeats.ticket_id, again)
        others = after_window | first | repaired
        self.assertFalse(Report.search([("ticket_id", "in", others.ids), ("is_repeat", "=", True)]))
        # a wider window catches the second one too
        self.company.aftersales_refail_days = 60
        self.env.invalidate_all()
        repeats = Report.search([("is_repeat", "=", True), ("lot_id", "in", lots.ids)])
        self.assertEqual(repeats.ticket_id, again | after_window)

    def test_defect_report_counts(self):
        washers = self._units("UH-W", 3)
        dryers = self.env["stock.lot"]
        for number in range(2):
            dryers |= self._sell_and_deliver(self.customer, self.other_product, f"DR-{number}")[1]
        failures = [
            (washers[0], self.fault_drain, datetime(2026, 4, 3, 9, 0)),
            (washers[1], self.fault_drain, datetime(2026, 4, 17, 9, 0)),
            (washers[2], self.fault_motor, datetime(2026, 5, 2, 9, 0)),
            (washers[0], self.fault_motor, datetime(2026, 5, 30, 9, 0)),
            (dryers[0], self.fault_drain, datetime(2026, 5, 11, 9, 0)),
            (dryers[1], self.fault_drain, datetime(2026, 5, 12, 9, 0)),
            (dryers[1], self.fault_drain, datetime(2026, 6, 1, 9, 0)),
        ]
        tickets = self.env["aftersales.ticket"]
        for lot, fault, day in failures:
            tickets |= self._failure(lot, fault, day)
        expected = Counter((lot.product_id.id, fault.id, day.strftime("%Y-%m")) for lot, fault, day in failures)
        groups = self.env["aftersales.failure.report"]._read_group(
            [("ticket_id", "in", tickets.ids)], ["product_id", "fault_code_id", "date:month"], ["__count"]
        )
        found = Counter(
            {(product.id, fault.id, month.strftime("%Y-%m")): count for product, fault, month, count in groups}
        )
        self.assertEqual(found, expected)
        # Pareto: the drain fault first, with 5 of the 7 failures
        by_fault = self.env["aftersales.failure.report"]._read_group(
            [("ticket_id", "in", tickets.ids)], ["fault_code_id"], ["__count"], order="__count desc"
        )
        self.assertEqual([(fault, count) for fault, count in by_fault], [(self.fault_drain, 5), (self.fault_motor, 2)])
        by_batch = dict(
            self.env["aftersales.failure.report"]._read_group(
                [("ticket_id", "in", tickets.ids)], ["batch"], ["__count"]
            )
        )
        self.assertEqual(by_batch, {"UH-W": 4, False: 3}, "serials without a batch have none")
