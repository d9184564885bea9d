from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestSupplierWarranty(WarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["stock.lot"])
        cls.vendor = cls.env["res.partner"].create({"name": "Spin Factory", "is_company": True})
        cls.manufacturer = cls.env["res.partner"].create({"name": "Motor Works", "is_company": True})
        cls.other_vendor = cls.env["res.partner"].create({"name": "Grey Importer", "is_company": True})
        cls.supplierinfo = cls.env["product.supplierinfo"].create(
            {
                "partner_id": cls.vendor.id,
                "product_tmpl_id": cls.product.product_tmpl_id.id,
                "price": 300.0,
                "aftersales_warranty_duration": 1,
                "aftersales_warranty_unit": "year",
            }
        )
        cls.env["product.supplierinfo"].create(
            {"partner_id": cls.other_vendor.id, "product_tmpl_id": cls.product.product_tmpl_id.id, "price": 250.0}
        )
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        zone = cls.env["aftersales.zone"].create({"name": "Everywhere"})
        cls.tech_a, _tech_b = cls._create_technicians(zone)

    def _receive(self, vendor, serials, product=None):
        """Receive units with ``serials`` from ``vendor`` through a validated receipt."""
        product = product or self.product
        supplier_location = self.env.ref("stock.stock_location_suppliers")
        picking = self.env["stock.picking"].create(
            {
                "partner_id": vendor.id,
                "picking_type_id": self.warehouse.in_type_id.id,
                "location_id": supplier_location.id,
                "location_dest_id": self.warehouse.lot_stock_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": len(serials),
                            "product_uom": product.uom_id.id,
                            "location_id": supplier_location.id,
                            "location_dest_id": self.warehouse.lot_stock_id.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "product_uom_id": product.uom_id.id,
                    "lot_name": serial,
                    "quantity": 1.0,
                    "location_id": supplier_location.id,
                    "location_dest_id": self.warehouse.lot_stock_id.id,
                }
                for serial in serials
            ]
        )
        move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return move.move_line_ids.lot_id

    def test_supplierinfo_claims_from_the_vendor_by_default(self):
        self.assertEqual(self.supplierinfo.aftersales_warranty_partner_id, self.vendor)
        self.assertEqual(
            self.supplierinfo._aftersales_warranty_end(fields.Date.to_date("2025-03-01")),
            fields.Date.to_date("2026-02-28"),
        )

    def test_receipt_sets_supplier_warranty_on_lots(self):
        lots = self._receive(self.vendor, ["WM7-IN-1", "WM7-IN-2"])
        self.assertEqual(len(lots), 2)
        expected = self.today + relativedelta(years=1) - relativedelta(days=1)
        self.assertEqual(set(lots.mapped("aftersales_supplier_warranty_end")), {expected})
        self.assertEqual(lots.aftersales_supplier_id, self.vendor)

        self.supplierinfo.aftersales_warranty_partner_id = self.manufacturer
        lot = self._receive(self.vendor, ["WM7-IN-3"])
        self.assertEqual(lot.aftersales_supplier_id, self.manufacturer, "claims go to who the price line names")

    def test_receipt_without_supplier_warranty(self):
        lot = self._receive(self.other_vendor, ["WM7-GREY-1"])
        self.assertFalse(lot.aftersales_supplier_warranty_end)
        self.assertFalse(lot.aftersales_supplier_id)
        lot = self._receive(self.vendor, ["DR3-IN-1"], product=self.other_product)
        self.assertFalse(lot.aftersales_supplier_warranty_end, "the vendor has no price line for this product")

    def test_receipt_query_count_does_not_grow_with_lots(self):
        self._receive(self.vendor, ["WM7-Q-0"])  # warm the caches

        def count(serials):
            lots = self._receive(self.vendor, serials)
            lots.write({"aftersales_supplier_warranty_end": False, "aftersales_supplier_id": False})
            picking = self.env["stock.move.line"].search([("lot_id", "in", lots.ids)]).picking_id
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            picking._aftersales_set_supplier_warranty()
            self.env.flush_all()
            queries = self.env.cr.sql_log_count - before
            self.assertEqual(len(lots.filtered("aftersales_supplier_warranty_end")), len(serials))
            return queries

        self.assertEqual(count(["WM7-Q-1"]), count([f"WM7-Q-{i}" for i in range(2, 12)]))

    def test_done_visit_proposes_one_claim(self):
        lot = self._receive(self.vendor, ["WM7-IN-9"])
        ticket = self._ticket(lot_id=lot.id)
        visit = self._done_visit(ticket)
        claim = self.env["aftersales.supplier.claim"].search([("lot_id", "=", lot.id)])
        self.assertEqual(len(claim), 1)
        self.assertEqual(claim.state, "draft")
        self.assertEqual(claim.partner_id, self.vendor)
        self.assertEqual(claim.ticket_id, ticket)
        self.assertEqual(claim.visit_id, visit)
        self.assertEqual(claim.product_id, self.product)
        self.assertTrue(claim.name.startswith("SCL/"))
        self.assertIn(ticket.reference, claim.reason)

        # a second visit on the same ticket does not propose it again
        self._done_visit(ticket, hour=14)
        self.assertEqual(self.env["aftersales.supplier.claim"].search_count([("lot_id", "=", lot.id)]), 1)
        Claim = self.env["aftersales.supplier.claim"]
        self.assertFalse(Claim._propose(lot, ticket=ticket))
        # a unit out of its supplier warranty gets none
        lot.aftersales_supplier_warranty_end = self.today - timedelta(days=1)
        self.assertFalse(Claim._propose(lot, ticket=self._ticket(lot_id=lot.id)))

    def test_no_claim_for_units_without_supplier_warranty(self):
        ticket = self._ticket(lot_id=self.lot.id)  # sold from stock, never received from a vendor
        self._done_visit(ticket)
        self.assertFalse(self.env["aftersales.supplier.claim"].search([("lot_id", "=", self.lot.id)]))

    def test_claim_flow(self):
        lot = self._receive(self.vendor, ["WM7-IN-10"])
        claim = self.env["aftersales.supplier.claim"]._propose(lot)
        self.assertEqual(len(claim), 1)
        with self.assertRaises(UserError):
            claim.action_accept()
        claim.action_send()
        self.assertEqual(claim.state, "sent")
        with self.assertRaisesRegex(UserError, "deleting"):
            claim.unlink()
        claim.action_reject()
        claim.action_reset_draft()
        claim.action_send()
        claim.action_accept()
        self.assertEqual(claim.state, "accepted")
        with self.assertRaises(UserError):
            claim.action_cancel()

    def _done_visit(self, ticket, hour=10):
        visit = self.env["aftersales.visit"].create(
            {
                "ticket_id": ticket.id,
                "visit_type_id": self.env.ref("aftersales_service.visit_type_repair").id,
                "technician_id": self.tech_a.id,
                # next Tuesday at 10, in the technician's working hours
                "scheduled_start": datetime.combine(
                    self.today + timedelta(days=(1 - self.today.weekday()) % 7 or 7), datetime.min.time()
                )
                + timedelta(hours=hour),
            }
        )
        visit.action_schedule()
        visit.action_start()
        visit.write({"work_report": "<p>Replaced the motor.</p>", "signature": SIGNATURE, "signed_by": "Wendy Washer"})
        visit.action_done()
        self.assertEqual(visit.state, "done")
        return visit
