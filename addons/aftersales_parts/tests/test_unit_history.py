from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import PartsCommon, RmaCommon


@tagged("post_install", "-at_install")
class TestPartsUnitHistory(PartsCommon):
    def test_view_holds_every_source(self):
        """Installing the warranty and parts addons recreated the view with their sources."""
        Event = self.env["aftersales.unit.event"]
        self.env.cr.execute("SELECT pg_get_viewdef(%s::regclass)", [Event._table])
        definition = self.env.cr.fetchone()[0]
        for table in ("aftersales_ticket", "aftersales_warranty", "aftersales_contract", "aftersales_visit_part"):
            self.assertIn(table, definition)
        self.assertIn("aftersales_rma_line_refund_rel", definition)
        codes = [code for code, _kind, _query in Event._event_queries()]
        self.assertEqual(len(codes), len(set(codes)), "one code per source")
        kinds = {kind for _code, kind, _query in Event._event_queries()}
        self.assertLessEqual(kinds, set(Event._fields["kind"].get_values(self.env)))

    def test_parts_replaced_in_the_timeline(self):
        old_board, new_board = self.env["stock.lot"].create(
            [{"name": name, "product_id": self.board.id} for name in ("CB-OLD-9", "CB-NEW-9")]
        )
        self._inventory(self.board, self.van, 1.0, lot=new_board)
        visit = self._start_visit([])
        visit.part_ids = [
            Command.create({"product_id": self.board.id, "lot_id": old_board.id, "removed": True}),
            Command.create({"product_id": self.board.id, "lot_id": new_board.id}),
        ]
        unit = visit.lot_id
        Event = self.env["aftersales.unit.event"]
        self.assertFalse(Event.search([("lot_id", "=", unit.id), ("kind", "in", ("part_removed", "part_fitted"))]))
        self._finish_visit(visit)

        kinds = ("visit_done", "part_removed", "part_fitted", "ticket_close")
        events = Event.search([("lot_id", "=", unit.id), ("kind", "in", kinds), ("res_id", "=", visit.id)])
        self.assertEqual(events.mapped("kind"), ["visit_done", "part_removed", "part_fitted"])
        self.assertEqual(set(events.mapped("date")), {datetime(2026, 6, 9, 11, 30)})
        self.assertEqual(events[1].name, "Control Board CB-2 CB-OLD-9")
        self.assertEqual(events[2].name, "Control Board CB-2 CB-NEW-9")

        # each part's serial tells where it went
        removed = Event.search([("lot_id", "=", old_board.id)])
        self.assertEqual(removed.mapped("kind"), ["removed_from_unit"])
        self.assertEqual((removed.name, removed.res_model, removed.res_id), (unit.name, "aftersales.visit", visit.id))
        fitted = Event.search([("lot_id", "=", new_board.id), ("kind", "=", "fitted_in_unit")])
        self.assertEqual(fitted.name, unit.name)


@tagged("post_install", "-at_install")
class TestRmaUnitHistory(RmaCommon):
    def test_return_in_the_timeline(self):
        lot = self.env["stock.lot"].create({"name": "WM7-RMA1", "product_id": self.product.id})
        self.env["stock.quant"]._update_available_quantity(self.product, self.warehouse.lot_stock_id, 1.0, lot_id=lot)
        with freeze_time("2026-03-02 09:00:00"):
            order = self.env["sale.order"].create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 1.0})],
                }
            )
            order.action_confirm()
            self._validate(order.picking_ids)
            invoice = order._create_invoices()
            invoice.action_post()
        move = order.order_line.move_ids
        with freeze_time("2026-03-20 09:00:00"):
            rma = self._rma(
                [(move, 1.0, {"lot_id": lot.id, "invoice_line_id": invoice.invoice_line_ids[:1].id})],
                sale_order_id=order.id,
                picking_id=move.picking_id.id,
                invoice_id=invoice.id,
            )
            rma.with_user(self.rma_user).action_approve()
        with freeze_time("2026-03-22 15:00:00"):
            receipt = rma.sudo().return_picking_ids
            self._validate(receipt.with_user(self.stock_user))
        with freeze_time("2026-03-25 10:00:00"):
            rma.with_user(self.rma_user)._refund("Refund agreed")
            rma.sudo().refund_ids.filtered(lambda m: m.state == "draft").action_post()

        events = self.env["aftersales.unit.event"].search(
            [
                ("lot_id", "=", lot.id),
                ("kind", "in", ("sale", "delivery", "return", "rma_request", "rma_receive", "rma_refund")),
            ]
        )
        self.assertEqual(events.mapped("kind"), ["sale", "delivery", "rma_request", "rma_receive", "rma_refund"])
        self.assertEqual(events[2].date.date(), datetime(2026, 3, 20).date())
        self.assertEqual(events[3].date, datetime(2026, 3, 22, 15, 0))
        self.assertEqual(events[4].date.date(), datetime(2026, 3, 25).date())
        self.assertEqual((events[2].res_model, events[2].res_id), ("aftersales.rma", rma.id))
        self.assertEqual((events[4].res_model, events[4].res_id), ("account.move", rma.sudo().refund_ids.id))
