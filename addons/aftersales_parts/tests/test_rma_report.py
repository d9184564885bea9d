import base64
import io
from datetime import timedelta

import openpyxl

from odoo import Command, fields
from odoo.tests import tagged

from .common import RmaCommon


@tagged("post_install", "-at_install")
class TestRmaReport(RmaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        FaultCode = cls.env["aftersales.fault.code"]
        cls.fault_leak = FaultCode.create({"code": "LEAK", "name": "Leak"})
        cls.fault_noise = FaultCode.create({"code": "NOISE", "name": "Noise"})

    def _receive(self, rma):
        rma.with_user(self.rma_user).action_approve()
        self._validate(rma.sudo().return_picking_ids.with_user(self.stock_user))
        return rma

    def _report(self, product):
        self.env.flush_all()
        Report = self.env["aftersales.rma.report"].with_user(self.rma_user)
        groups = Report._read_group(
            [("product_id", "=", product.id)],
            aggregates=["delivered_qty:sum", "returned_qty:sum", "refunded_amount:sum"],
        )
        return groups[0]

    def test_return_rate(self):
        delivered, returned, refunded = self._report(self.box)
        self.assertEqual((delivered, returned, refunded), (5.0, 0.0, 0.0))
        rma = self._receive(self._rma([(self.box_move, 2.0, {})]))
        self.assertEqual(rma.state, "received")
        delivered, returned, refunded = self._report(self.box)
        self.assertEqual((delivered, returned), (5.0, 2.0), "2 returned of 5 delivered")
        self.assertEqual(refunded, 0.0, "a draft credit note refunds nothing yet")
        rows = self.env["aftersales.rma.report"].search([("product_id", "=", self.box.id)])
        self.assertAlmostEqual(sum(rows.mapped("return_rate")) / len(rows), 40.0)

        rma.with_user(self.rma_user)._refund("Refund agreed")
        rma.sudo().refund_ids.action_post()
        delivered, returned, refunded = self._report(self.box)
        self.assertAlmostEqual(refunded, 200.0, msg="the untaxed amount of the posted credit note")
        self.assertEqual(self._report(self.kettle)[:2], (2.0, 0.0))
        self.assertAlmostEqual(rma.line_ids.amount_refunded, 200.0)

        # the return reasons pivot on the lines, by reason and month
        groups = self.env["aftersales.rma.line"]._read_group(
            [("rma_id", "=", rma.id)], ["reason_id", "rma_date:month"], ["quantity:sum", "amount_refunded:sum"]
        )
        self.assertEqual(groups, [(self.reason, groups[0][1], 2.0, 200.0)])

    def test_return_rate_counts_done_quantities(self):
        """A delivery done short with its backorder cancelled counts what left, in the product's unit."""
        lamp = self.env["product.product"].create({"name": "Desk Lamp", "is_storable": True, "list_price": 30.0})
        self.env["stock.quant"]._update_available_quantity(lamp, self.warehouse.lot_stock_id, 30.0)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": lamp.id, "product_uom_qty": 5.0})],
            }
        )
        order.action_confirm()
        move = order.order_line.move_ids
        self._validate(order.picking_ids, quantities={lamp: 3.0})
        self.assertEqual(move.state, "done")
        self.assertEqual(move.product_qty, 5.0, "the demand stays 5")
        self.assertFalse(order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")), "no backorder")
        self.assertEqual(self._report(lamp)[:2], (3.0, 0.0), "3 delivered, not the 5 asked")

        # a delivery in dozens counts units
        dozen = self.env.ref("uom.product_uom_dozen")
        customers = self.env.ref("stock.stock_location_customers")
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.customer.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": lamp.name,
                            "product_id": lamp.id,
                            "product_uom_qty": 1.0,
                            "product_uom": dozen.id,
                            "location_id": self.warehouse.lot_stock_id.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self._validate(picking)
        self.assertEqual(picking.move_ids.product_uom, dozen)
        self.assertEqual(self._report(lamp)[:2], (15.0, 0.0))

    def test_return_rate_other_company_hidden(self):
        self._receive(self._rma([(self.box_move, 1.0, {})]))
        self.env.flush_all()
        other = self.env["res.company"].create({"name": "Other Returns Co"})
        self.rma_user.company_ids |= other
        Report = self.env["aftersales.rma.report"].with_user(self.rma_user)
        self.assertEqual(len(Report.search([("product_id", "=", self.box.id)])), 1)
        rows = Report.with_company(other).search([("product_id", "=", self.box.id)])
        self.assertFalse(rows, "the report follows the company rule")

    def test_pareto_by_fault_code(self):
        leaks = [self._ticket(fault_code_id=self.fault_leak.id) for _i in range(2)]
        noise = self._ticket(fault_code_id=self.fault_noise.id)
        self._rma([(self.box_move, 1.0, {})], ticket_id=leaks[0].id)
        self._rma([(self.box_move, 1.0, {})], ticket_id=leaks[1].id)
        self._rma([(self.kettle_move, 1.0, {})], ticket_id=noise.id)
        self._rma([(self.kettle_move, 1.0, {})])
        groups = self.env["aftersales.rma.line"]._read_group(
            [("fault_code_id", "!=", False), ("partner_id", "=", self.customer.id)],
            ["fault_code_id"],
            ["__count"],
            order="__count desc",
        )
        self.assertEqual(groups, [(self.fault_leak, 2), (self.fault_noise, 1)])
        # the fault code follows the ticket
        leaks[1].fault_code_id = self.fault_noise
        groups = self.env["aftersales.rma.line"]._read_group(
            [("fault_code_id", "!=", False), ("partner_id", "=", self.customer.id)],
            ["fault_code_id"],
            ["__count"],
            order="__count desc",
        )
        self.assertEqual(groups, [(self.fault_noise, 2), (self.fault_leak, 1)])

    def test_cycle_days(self):
        rma = self._rma([(self.box_move, 2.0, {})])
        self.assertFalse(rma.date_approved)
        self.assertFalse(rma.cycle_days)
        self._receive(rma)
        self.assertTrue(rma.date_approved)
        self.assertFalse(rma.date_closed, "received is not closed")
        rma.with_user(self.rma_user)._refund("Refund agreed")
        self.assertTrue(rma.date_closed, "closed at its first refund")
        start = rma.create_date
        # dated as a fixture: nobody writes these dates but the flow
        rma.sudo().write(
            {"date_approved": start + timedelta(days=1), "date_closed": start + timedelta(days=4, hours=12)}
        )
        self.assertAlmostEqual(rma.approval_days, 1.0)
        self.assertAlmostEqual(rma.cycle_days, 4.5)
        closed = rma.date_closed
        rma.with_user(self.rma_user).action_done()
        self.assertEqual(rma.date_closed, closed, "the first closing date is kept")
        groups = self.env["aftersales.rma"]._read_group(
            [("id", "=", rma.id)], aggregates=["cycle_days:avg", "approval_days:avg"]
        )
        self.assertEqual(groups, [(4.5, 1.0)])

    def test_cycle_days_cancelled_open(self):
        rma = self._rma([(self.box_move, 1.0, {})])
        rma.with_user(self.rma_user).action_cancel()
        self.assertFalse(rma.date_approved)
        self.assertFalse(rma.date_closed)
        self.assertEqual(rma.cycle_days, 0.0)

    def test_export_xlsx(self):
        rma = self._receive(self._rma([(self.box_move, 2.0, {}), (self.kettle_move, 1.0, {})]))
        empty = self._rma([])
        action = (rma | empty).with_user(self.rma_user).action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        sheet = workbook.active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "Return")
        self.assertEqual(len(rows), 4, "a header, one row per line, one row for the return without lines")
        names = [row[0] for row in rows[1:]]
        self.assertEqual(names.count(rma.name), 2)
        box_row = next(row for row in rows[1:] if row[5] == self.box.display_name)
        self.assertEqual(box_row[7], 2.0)
        self.assertEqual(box_row[8], 2.0)
        self.assertEqual(box_row[3], "Received")
        self.assertEqual(box_row[1].date(), fields.Date.context_today(rma))

    def test_export_action_bound_to_list(self):
        action = self.env.ref("aftersales_parts.aftersales_rma_action_export_xlsx")
        self.assertEqual(action.binding_model_id.model, "aftersales.rma")
        rma = self._rma([(self.box_move, 1.0, {})])
        result = action.with_context(active_model="aftersales.rma", active_ids=rma.ids).run()
        self.assertEqual(result["type"], "ir.actions.act_url")
