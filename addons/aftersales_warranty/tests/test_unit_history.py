from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import WarrantyCommon

KINDS = ("sale", "delivery", "warranty_start", "warranty_transfer", "warranty_void", "contract_start")


@tagged("post_install", "-at_install")
class TestWarrantyUnitHistory(WarrantyCommon):
    def _events(self, lot, kinds=KINDS):
        return self.env["aftersales.unit.event"].search([("lot_id", "=", lot.id), ("kind", "in", kinds)])

    def test_warranty_and_contract_in_the_timeline(self):
        with freeze_time("2026-03-02 09:00:00"):
            _order, lot = self._sell_and_deliver(self.customer, self.product, "WM7-WH01")
        warranty = self.env["aftersales.warranty"].search([("lot_id", "=", lot.id)])
        self.assertEqual(len(warranty), 1, "the delivery registered the warranty")
        extension = self.env["aftersales.warranty.extension"].create(
            {"lot_id": lot.id, "warranty_id": warranty.id, "months": 12, "state": "active"}
        )
        service_product = self.env["product.product"].create({"name": "Care Plan", "type": "service"})
        contract = self.env["aftersales.contract"].create(
            {
                "partner_id": self.customer.id,
                "product_id": service_product.id,
                "start_date": date(2026, 4, 1),
                "lot_ids": [Command.set(lot.ids)],
            }
        )
        contract.action_start()
        new_owner = self.env["res.partner"].create({"name": "Nora Newowner"})
        self._flush_tracking()  # the steps so far were done in their own transactions
        with freeze_time("2026-05-01 10:00:00"):
            self.env["aftersales.warranty.transfer"].create(
                {"warranty_ids": [Command.set(warranty.ids)], "partner_id": new_owner.id}
            ).action_transfer()
            self._flush_tracking()
        with freeze_time("2026-06-01 10:00:00"):
            warranty._void_by_hand("Unit scrapped after a flood")
            self._flush_tracking()

        events = self._events(lot)
        self.assertEqual(
            events.mapped("kind"),
            ["sale", "delivery", "warranty_start", "contract_start", "warranty_transfer", "warranty_void"],
        )
        start, contract_event, transfer, void = events[2:]
        self.assertEqual(start.date, datetime(2026, 3, 2, 9, 0), "registered on delivery")
        self.assertEqual((start.res_model, start.res_id), ("aftersales.warranty", warranty.id))
        self.assertEqual(contract_event.date.date(), date(2026, 4, 1))
        self.assertEqual((contract_event.res_model, contract_event.res_id), ("aftersales.contract", contract.id))
        self.assertEqual(transfer.date, datetime(2026, 5, 1, 10, 0))
        self.assertEqual(transfer.partner_id, new_owner)
        self.assertIn("Nora Newowner", transfer.name)
        self.assertEqual(void.date, datetime(2026, 6, 1, 10, 0))
        self.assertIn("Unit scrapped after a flood", void.name)

        extended = self._events(lot, ("warranty_extend",))
        self.assertEqual(len(extended), 1)
        self.assertEqual(extended.date, extension.create_date)
        self.assertEqual(extended.res_id, warranty.id)

    def test_draft_contract_not_in_the_timeline(self):
        service_product = self.env["product.product"].create({"name": "Care Plan", "type": "service"})
        contract = self.env["aftersales.contract"].create(
            {"partner_id": self.customer.id, "product_id": service_product.id, "lot_ids": [Command.set(self.lot.ids)]}
        )
        self.assertFalse(self._events(self.lot, ("contract_start",)))
        contract.action_start()
        self.assertTrue(self._events(self.lot, ("contract_start",)))
        contract.action_cancel()
        self.assertFalse(self._events(self.lot, ("contract_start",)))
