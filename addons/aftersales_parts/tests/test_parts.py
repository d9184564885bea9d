from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.aftersales_warranty.tests.test_coverage import VISIT_START

from .common import PartsCommon


@tagged("post_install", "-at_install")
class TestVanStock(PartsCommon):
    def test_van_location(self):
        self.assertEqual(self.van.usage, "internal")
        self.assertEqual(self.van.location_id, self.warehouse.view_location_id)
        self.assertEqual(self.van.warehouse_id, self.warehouse)
        self.assertIn("Tara Tech", self.van.name)
        with self.assertRaises(UserError):
            self.tech_a.action_aftersales_create_van_location()
        rule = self.warehouse.aftersales_van_route_id.rule_ids.filtered(lambda rule: rule.location_dest_id == self.van)
        self.assertEqual(rule.location_src_id, self.warehouse.lot_stock_id)
        self.assertEqual(rule.picking_type_id, self.warehouse.int_type_id)

    def test_parts_request_is_an_internal_transfer(self):
        request = self._request(3.0)
        picking = request.picking_id
        self.assertEqual(request.state, "requested")
        self.assertEqual(picking.picking_type_id, self.warehouse.int_type_id)
        self.assertEqual(picking.location_id, self.warehouse.lot_stock_id)
        self.assertEqual(picking.location_dest_id, self.van)
        self.assertEqual(picking.state, "assigned")
        self._validate(picking)
        self.assertEqual(request.state, "done")
        self.assertEqual(self._van_quantity(), 3.0)
        self.assertEqual(self._van_quantity(location=self.warehouse.lot_stock_id), 7.0)
        with self.assertRaises(UserError):
            request.action_request()
        with self.assertRaises(UserError):
            request.line_ids.quantity = 5.0

    def test_parts_request_bad_input(self):
        with self.assertRaises(ValidationError):
            self.env["aftersales.parts.request"].create(
                {
                    "technician_id": self.tech_a.id,
                    "line_ids": [Command.create({"product_id": self.pump.id, "quantity": -1.0})],
                }
            )
        request = self.env["aftersales.parts.request"].create({"technician_id": self.tech_b.id})
        with self.assertRaisesRegex(UserError, "no van location"):
            request.action_request()
        request.technician_id = self.tech_a
        with self.assertRaisesRegex(UserError, "Add the parts"):
            request.action_request()

    def test_van_orderpoint_replenishes_by_internal_transfer(self):
        orderpoint = self.env["stock.warehouse.orderpoint"].create(
            {
                "warehouse_id": self.warehouse.id,
                "location_id": self.van.id,
                "product_id": self.pump.id,
                "product_min_qty": 2.0,
                "product_max_qty": 4.0,
                "route_id": self.warehouse.aftersales_van_route_id.id,
            }
        )
        orderpoint.action_replenish()
        picking = self.env["stock.move"].search([("location_dest_id", "=", self.van.id)]).picking_id
        self.assertEqual(picking.picking_type_id, self.warehouse.int_type_id)
        self.assertEqual(picking.location_id, self.warehouse.lot_stock_id)
        self.assertEqual(picking.move_ids.product_uom_qty, 4.0)
        self._validate(picking)
        self.assertEqual(self._van_quantity(), 4.0)


@tagged("post_install", "-at_install")
class TestVisitParts(PartsCommon):
    def _visit_with_parts(self, parts):
        visit = self._start_visit([])
        visit.part_ids = [Command.create(vals) for vals in parts]
        return visit

    def test_parts_consumed_from_the_van_and_billed(self):
        self._validate(self._request(3.0).picking_id)
        visit = self._visit_with_parts([{"product_id": self.pump.id, "quantity": 2.0}])
        part = visit.part_ids
        self.assertEqual(part.location_id, self.van, "the technician's van by default")
        self._finish_visit(visit)

        move = part.move_id
        self.assertEqual(move.state, "done")
        self.assertEqual(move.quantity, 2.0)
        self.assertEqual(move.location_id, self.van)
        self.assertEqual(move.location_dest_id, self.env.ref("stock.stock_location_customers"))
        self.assertEqual(move.picking_id.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(move.picking_id.aftersales_visit_id, visit)
        self.assertEqual(self._van_quantity(), 1.0)

        line = part.visit_line_id
        self.assertEqual(line.line_type, "part")
        self.assertEqual(line.coverage, "billable")
        self.assertEqual(line.price_unit, 45.0)
        self.assertEqual(line.sale_line_ids.price_subtotal, 90.0)
        self.assertEqual(line.sale_line_ids.product_uom_qty, 2.0)
        self.assertEqual(line.sale_line_ids.qty_delivered, 2.0, "delivered by the consumption move")
        self.assertFalse(line.sale_line_ids.order_id.picking_ids - move.picking_id, "no second delivery")
        with self.assertRaises(UserError):
            part.quantity = 1.0
        with self.assertRaises(UserError):
            part.unlink()
        with self.assertRaises(UserError):
            visit.part_ids = [Command.create({"product_id": self.pump.id})]

    def test_part_covered_by_a_running_warranty(self):
        warranty = self._running_warranty(start=date(2026, 1, 1))
        self._validate(self._request(2.0).picking_id)
        visit = self._finish_visit(self._visit_with_parts([{"product_id": self.pump.id, "quantity": 2.0}]))
        line = visit.part_ids.visit_line_id
        self.assertEqual(line.coverage, "warranty")
        self.assertEqual(line.covering_warranty_id, warranty)
        self.assertEqual(line.sale_line_ids.discount, 100.0)
        self.assertEqual(line.sale_line_ids.price_subtotal, 0.0)
        self.assertEqual(line.covered_amount, 90.0)
        self.assertEqual(self._van_quantity(), 0.0)

    def test_part_taken_from_the_warehouse(self):
        visit = self._visit_with_parts(
            [{"product_id": self.pump.id, "quantity": 1.0, "location_id": self.warehouse.lot_stock_id.id}]
        )
        self._finish_visit(visit)
        self.assertEqual(visit.part_ids.move_id.location_id, self.warehouse.lot_stock_id)
        self.assertEqual(self._van_quantity(location=self.warehouse.lot_stock_id), 9.0)

    def test_unused_parts_go_back(self):
        visit = self._start_visit([])
        self._validate(self._request(3.0, visit=visit).picking_id)
        visit.part_ids = [Command.create({"product_id": self.pump.id, "quantity": 2.0})]
        self._finish_visit(visit)
        visit.action_aftersales_return_unused_parts()
        back = visit.picking_ids.filtered(lambda picking: picking.location_dest_id == self.warehouse.lot_stock_id)
        self.assertEqual(back.picking_type_id, self.warehouse.int_type_id)
        self.assertEqual(back.location_id, self.van)
        self.assertEqual(back.move_ids.product_uom_qty, 1.0)
        self._validate(back)
        self.assertEqual(self._van_quantity(), 0.0)
        self.assertEqual(self._van_quantity(location=self.warehouse.lot_stock_id), 8.0)
        with self.assertRaisesRegex(UserError, "no unused parts"):
            visit.action_aftersales_return_unused_parts()

    def test_bad_input(self):
        self._validate(self._request(1.0).picking_id)
        with self.assertRaises(ValidationError):
            self._visit_with_parts([{"product_id": self.pump.id, "quantity": -1.0}])
        visit = self._visit_with_parts([{"product_id": self.pump.id, "quantity": 2.0}])
        visit.write({"work_report": "<p>Done.</p>"})
        with self.assertRaisesRegex(UserError, "holds 1.0 Units of Drain Pump DP-1, not the 2.0 used"):
            self._finish_visit(visit)
        self.assertEqual(visit.state, "in_progress")
        self.assertFalse(visit.line_ids)
        visit.part_ids = [Command.clear()]
        visit.part_ids = [Command.create({"product_id": self.board.id, "quantity": 1.0})]
        with self.assertRaisesRegex(UserError, "serial number"):
            self._finish_visit(visit)

    def test_kit_suggestions(self):
        template = self.product.product_tmpl_id
        template.write(
            {
                "aftersales_spare_part_ids": [Command.create({"part_id": self.pump.id, "quantity": 2.0})],
                "aftersales_compatible_part_ids": [Command.set(self.seal.ids)],
            }
        )
        visit = self._start_visit([])
        self.assertEqual(visit.suggested_part_ids, self.pump | self.seal)
        visit.action_aftersales_add_usual_parts()
        visit.action_aftersales_add_usual_parts()
        self.assertEqual(visit.part_ids.product_id, self.pump, "added once")
        self.assertEqual(visit.part_ids.quantity, 2.0)
        with self.assertRaises(ValidationError):
            template.aftersales_spare_part_ids.quantity = 0.0
        self.assertEqual(visit.action_aftersales_request_parts()["context"]["default_visit_id"], visit.id)

    def test_technician_records_parts_on_own_visit(self):
        visit = self._start_visit([])
        part = (
            self.env["aftersales.visit.part"]
            .with_user(self.tech_a.user_id)
            .create({"visit_id": visit.id, "product_id": self.pump.id, "quantity": 1.0})
        )
        self.assertEqual(part.location_id, self.van)
        other = self._visit(technician_id=self.tech_b.id)
        with self.assertRaises(Exception):  # noqa: B017 - record rules refuse another technician's visit
            self.env["aftersales.visit.part"].with_user(self.tech_a.user_id).create(
                {"visit_id": other.id, "product_id": self.pump.id}
            )


@tagged("post_install", "-at_install")
class TestDefectiveParts(PartsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier = cls.env["res.partner"].create({"name": "Boards Inc."})
        cls.old_board = cls.env["stock.lot"].create(
            {"name": "CB-OLD-1", "product_id": cls.board.id, "company_id": cls.company.id}
        )

    def _remove_board(self):
        visit = self._start_visit([])
        visit.part_ids = [Command.create({"product_id": self.board.id, "lot_id": self.old_board.id, "removed": True})]
        self._finish_visit(visit)
        return visit, visit.part_ids

    def test_removed_part_goes_to_defective_parts(self):
        visit, part = self._remove_board()
        defective = self.warehouse.aftersales_defective_location_id
        self.assertEqual(defective.location_id, self.warehouse.view_location_id)
        self.assertEqual(defective.usage, "internal")
        self.assertFalse(part.visit_line_id, "a removed part is not billed")
        picking = part.move_id.picking_id
        self.assertEqual(picking.picking_type_id, self.warehouse.int_type_id)
        self.assertEqual(picking.location_dest_id, defective)
        self.assertEqual(part.defective_state, "to_receive")
        with self.assertRaises(UserError):
            part.action_aftersales_scrap()
        self._validate(picking)
        self.assertEqual(part.defective_state, "received")
        self.assertEqual(
            self._van_quantity(product=self.board, location=defective), 1.0, "the serial waits in Defective Parts"
        )
        self.assertFalse(part.claim_id, "no supplier warranty on this board")
        with self.assertRaisesRegex(UserError, "not under supplier warranty"):
            part.action_aftersales_claim_supplier()

        part.action_aftersales_scrap()
        self.assertEqual(part.scrap_id.state, "done")
        self.assertEqual(part.scrap_id.lot_id, self.old_board)
        self.assertEqual(part.defective_state, "scrapped")
        self.assertEqual(self._van_quantity(product=self.board, location=defective), 0.0)

    def test_repaired_part_back_to_stock(self):
        _visit, part = self._remove_board()
        self._validate(part.move_id.picking_id)
        part.action_aftersales_repair()
        self.assertEqual(part.repair_picking_id.state, "done")
        self.assertEqual(part.repair_picking_id.picking_type_id, self.warehouse.int_type_id)
        self.assertEqual(part.defective_state, "repaired")
        self.assertEqual(self._van_quantity(product=self.board, location=self.warehouse.lot_stock_id), 1.0)

    def test_supplier_claim_proposed(self):
        self.old_board.write(
            {"aftersales_supplier_id": self.supplier.id, "aftersales_supplier_warranty_end": date(2027, 1, 1)}
        )
        visit, part = self._remove_board()
        claim = part.claim_id
        self.assertTrue(claim)
        self.assertEqual(claim.lot_id, self.old_board)
        self.assertEqual(claim.partner_id, self.supplier)
        self.assertEqual(claim.visit_id, visit)
        self.assertEqual(claim.ticket_id, self.ticket)


@tagged("post_install", "-at_install")
class TestVisitPartsQueries(PartsCommon):
    """Finishing a visit costs the same queries whatever the number of part lines recorded.

    The number of different products used drives Odoo's own stock and sale work (a move and an
    order line each); the number of lines recorded by the technician must not.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.parts = cls.env["product.product"].create(
            [{"name": f"Spare Part SP-{index}", "is_storable": True, "list_price": 10.0 + index} for index in range(2)]
        )
        for part in cls.parts:
            cls._inventory(part, cls.van, 50.0)

    def _finish_queries(self, count, weeks, expected=None):
        """Finish a visit of a ticket of its own with ``count`` lines of the two parts; return its queries,
        or check that it costs ``expected`` queries."""
        visit = self._visit(ticket=self.ticket.copy())
        start = VISIT_START - timedelta(weeks=weeks)
        visit.write({"technician_id": self.tech_a.id, "scheduled_start": start})
        visit.action_schedule()
        with freeze_time(start):
            visit.action_start()
        visit.write(
            {
                "work_report": "<p>Done.</p>",
                "part_ids": [
                    Command.create({"product_id": self.parts[index % 2].id, "quantity": 1.0}) for index in range(count)
                ],
            }
        )
        self.env.flush_all()
        self.env.cr.flush()
        self.env.invalidate_all()
        queries = self.cr.sql_log_count
        if expected is None:
            # counted as assertQueryCount counts: with the flush of the records and of the tracking
            self._finish_visit(visit)
            self.env.flush_all()
            self.env.cr.flush()
        else:
            with self.assertQueryCount(expected):
                self._finish_visit(visit)
        used = self.cr.sql_log_count - queries
        self.assertEqual(visit.state, "done")
        return visit, used

    def test_finishing_a_visit_does_not_grow_with_part_lines(self):
        self._finish_queries(2, weeks=3)  # warm the caches
        two_lines, two = self._finish_queries(2, weeks=2)
        eight_lines, _eight = self._finish_queries(8, weeks=1, expected=two)

        # the same documents, with the quantities of all the lines
        moves = eight_lines.part_ids.move_id
        self.assertEqual(len(moves), 2, "one move per product")
        self.assertEqual(moves.mapped("quantity"), [4.0, 4.0])
        self.assertEqual(set(moves.mapped("state")), {"done"})
        self.assertEqual(len(eight_lines.picking_ids), 1)
        billed = eight_lines.part_ids.visit_line_id
        self.assertEqual(len(billed), 2, "one billable line per product")
        self.assertEqual(billed.mapped("quantity"), [4.0, 4.0])
        self.assertEqual(billed.sale_line_ids.mapped("qty_delivered"), [4.0, 4.0])
        self.assertEqual(len(two_lines.part_ids.visit_line_id), 2)
        self.assertEqual(self._van_quantity(self.parts[0]), 50.0 - 1 - 1 - 4)
