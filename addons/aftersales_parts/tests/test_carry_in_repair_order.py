from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_workshop import CarryInCommon


@tagged("post_install", "-at_install")
class TestCarryInRepairOrder(CarryInCommon):
    """The repair order of an approved estimate: the job's parts as its moves from the centre's
    stock, served by the parts clerk, consumed when the technician's job is done."""

    def _approved(self):
        self._cover_parts()
        carry_in = self._prepare_estimate(self._receive())
        carry_in.with_user(self.lia.user_id).action_send_estimate()
        carry_in.with_user(self.counter).action_accept_estimate()
        return carry_in

    def test_parts_are_repair_moves(self):
        carry_in = self._approved()
        repair = carry_in.repair_id
        stock = self.warehouse.lot_stock_id
        self.assertRecordValues(
            repair,
            [
                {
                    "picking_type_id": self.warehouse.repair_type_id.id,
                    "location_id": stock.id,
                    "product_location_src_id": carry_in.location_id.id,
                    "product_location_dest_id": carry_in.location_id.id,
                    "state": "confirmed",
                }
            ],
        )
        self.assertIn("Worn drain pump", repair.internal_notes)
        moves = repair.move_ids
        self.assertEqual(moves.product_id, self.pump | self.seal)
        self.assertEqual(set(moves.mapped("repair_line_type")), {"add"})
        self.assertEqual(moves.location_id, stock)
        self.assertEqual(set(moves.mapped("state")), {"assigned"}, "reserved in the centre's stock")
        parts = carry_in.visit_id.part_ids
        self.assertEqual(parts.move_id, moves)
        # the parts clerk sees the order and the carry-in, and checks the availability himself
        clerk_repair = repair.with_user(self.clerk)
        self.assertEqual(clerk_repair.aftersales_carry_in_id.name, carry_in.name)
        clerk_repair.action_unreserve()
        self.assertEqual(set(moves.mapped("state")), {"confirmed"})
        clerk_repair.action_assign()
        self.assertEqual(set(moves.mapped("state")), {"assigned"})
        # the estimate bills the repair: the repair order gets no second quotation
        with self.assertRaisesRegex(UserError, "no quotation of its own"):
            clerk_repair.action_create_sale_order()
        self.assertFalse(repair.sale_order_id)
        # but he does not move the stay on
        with self.assertRaises(AccessError):
            carry_in.with_user(self.clerk).write({"state": "ready"})
        with self.assertRaises(AccessError):
            carry_in.with_user(self.clerk).action_accept_estimate()

    def test_part_added_later(self):
        """Parts added on the job under repair are asked from the parts clerk on its repair order: the
        pumps to bill on one line share one move, whose quantity follows the parts."""
        carry_in = self._approved()
        estimated = carry_in.repair_id.move_ids
        visit = carry_in.visit_id.with_user(self.lia.user_id)
        visit.write(
            {
                "part_ids": [
                    (0, 0, {"product_id": self.pump.id, "quantity": 2.0}),
                    (0, 0, {"product_id": self.pump.id, "quantity": 1.0}),
                ]
            }
        )
        added = visit.part_ids.filtered(lambda part: part.move_id not in estimated)
        self.assertEqual(len(added), 2)
        move = added.move_id.with_env(self.env)
        self.assertEqual(len(move), 1)
        self.assertRecordValues(
            move, [{"repair_id": carry_in.repair_id.id, "product_uom_qty": 3.0, "quantity": 3.0, "state": "assigned"}]
        )
        # one pump less; then none
        added[0].quantity = 1.0
        self.assertRecordValues(move, [{"product_uom_qty": 2.0, "quantity": 2.0, "state": "assigned"}])
        added.unlink()
        self.assertEqual(move.state, "cancel")
        self.assertEqual(set(estimated.mapped("state")), {"assigned"}, "the estimated parts stay reserved")

    def test_job_done_repairs(self):
        carry_in = self._approved()
        repair = carry_in.repair_id
        stock = self.warehouse.lot_stock_id
        pumps_before = self._owned_quantity(self.pump, stock)
        seals_before = self._owned_quantity(self.seal, stock)
        visit = carry_in.visit_id.with_user(self.lia.user_id)
        visit.action_start()
        self.assertEqual(repair.state, "under_repair")
        visit.work_report = "<p>Pump and seal replaced.</p>"
        visit.action_done()
        self.assertEqual(visit.state, "done")
        self.assertEqual(repair.state, "done")
        self.assertEqual(set(repair.move_ids.mapped("state")), {"done"})
        self.assertEqual(self._owned_quantity(self.pump, stock), pumps_before - 1)
        self.assertEqual(self._owned_quantity(self.seal, stock), seals_before - 1)
        visit = visit.with_env(self.env)
        # no delivery of the parts besides the repair order
        self.assertFalse(visit.picking_ids)
        self.assertFalse(visit.quotation_id.picking_ids)
        # the unit is still in the centre, the customer's: never counted as ours
        location = carry_in.location_id
        self.assertEqual(self._owned_quantity(self.product, location, owner=self.customer, lot=self.lot), 1.0)
        self.assertEqual(self._owned_quantity(self.product, location, lot=self.lot), 0.0)
        self.assertEqual(repair.move_id.move_line_ids.owner_id, self.customer, "the repair moved the customer's unit")
        # the covered parts are billed at zero with their cost kept, the labour is paid
        parts = visit.line_ids.filtered(lambda line: line.line_type == "part")
        sale_lines = parts.sale_line_ids
        self.assertEqual(len(sale_lines), 2)
        self.assertEqual(sale_lines.order_id, visit.quotation_id)
        self.assertEqual(sale_lines.mapped("price_subtotal"), [0.0, 0.0])
        self.assertEqual(sale_lines.mapped("qty_delivered"), [1.0, 1.0])
        self.assertEqual(sum(parts.mapped("cost_amount")), 18.0, "the pump costs 18, the seal nothing")
        self.assertEqual(repair.move_ids.sale_line_id, sale_lines)

    def test_done_needs_the_parts(self):
        carry_in = self._approved()
        repair = carry_in.repair_id
        repair.with_user(self.clerk).action_unreserve()
        # the seals left the stock meanwhile
        self._inventory(self.seal, self.warehouse.lot_stock_id, 0.0)
        visit = carry_in.visit_id.with_user(self.lia.user_id)
        visit.action_start()
        visit.work_report = "<p>Done.</p>"
        with self.assertRaisesRegex(UserError, "not all in stock"):
            visit.action_done()
