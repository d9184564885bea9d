from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import RmaCommon


@tagged("post_install", "-at_install")
class TestRmaDealer(RmaCommon):
    """A dealer returns units of two orders, each delivered and invoiced on its own, in one return."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dealer = cls.env["res.partner"].create({"name": "Dora Dealer Ltd", "is_company": True})
        cls.branch = cls.env["res.partner"].create(
            {"name": "Dora Dealer, North Shop", "parent_id": cls.dealer.id, "type": "delivery"}
        )
        cls.order_a = cls._dealer_order(cls.dealer, [(cls.box, 4.0, 100.0), (cls.kettle, 3.0, 50.0)])
        cls.order_b = cls._dealer_order(cls.branch, [(cls.box, 6.0, 90.0)])
        cls.invoice_a = cls.order_a.invoice_ids
        cls.invoice_b = cls.order_b.invoice_ids
        cls.box_move_a, cls.kettle_move_a = cls.order_a.order_line.move_ids
        cls.box_move_b = cls.order_b.order_line.move_ids
        cls.delivery_a = cls.order_a.picking_ids
        cls.delivery_b = cls.order_b.picking_ids

    @classmethod
    def _dealer_order(cls, partner, lines):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty, "price_unit": price})
                    for product, qty, price in lines
                ],
            }
        )
        order.action_confirm()
        cls._validate(order.picking_ids)
        order._create_invoices().action_post()
        return order

    def _dealer_rma(self):
        return self._rma(
            [(self.box_move_a, 2.0, {}), (self.kettle_move_a, 1.0, {}), (self.box_move_b, 3.0, {})],
            partner_id=self.dealer.id,
            sale_order_id=False,
            picking_id=False,
            invoice_id=False,
        )

    def test_fixtures(self):
        self.assertEqual(len(self.order_a.picking_ids), 1)
        self.assertEqual(len(self.order_b.picking_ids), 1)
        self.assertEqual(len(self.invoice_a), 1)
        self.assertEqual(len(self.invoice_b), 1)
        self.assertNotEqual(self.invoice_a, self.invoice_b)
        self.assertEqual(self.box_move_b.picking_id.partner_id, self.branch)

    def test_multi_origin_return(self):
        rma = self._dealer_rma()
        self.assertEqual(rma.commercial_partner_id, self.dealer)
        self.assertFalse(rma.picking_id or rma.sale_order_id or rma.invoice_id)
        self.assertEqual(rma.line_ids.invoice_line_id.move_id, self.invoice_a | self.invoice_b)
        # 2 boxes at 100 and a kettle at 50 of the first invoice, 3 boxes at 90 of the second, 15% tax
        self.assertAlmostEqual(rma.amount_refund, (200.0 + 50.0 + 270.0) * 1.15)

        rma.with_user(self.rma_user).action_approve()
        receipts = rma.sudo().return_picking_ids
        self.assertEqual(len(receipts), 2, "one receipt per original delivery")
        self.assertEqual(receipts.return_id, self.delivery_a | self.delivery_b)
        receipt_a = receipts.filtered(lambda p: p.return_id == self.delivery_a)
        receipt_b = receipts - receipt_a
        self.assertEqual(receipt_a.move_ids.origin_returned_move_id, self.box_move_a | self.kettle_move_a)
        self.assertEqual(receipt_b.move_ids.origin_returned_move_id, self.box_move_b)
        self.assertEqual(receipt_b.move_ids.product_uom_qty, 3.0)
        self.assertTrue(all(receipts.move_ids.mapped("to_refund")))
        self.assertEqual(set(receipts.mapped("picking_type_code")), {"incoming"})

        # the first receipt alone leaves the return approved, with what came in recorded
        self._validate(receipt_a.with_user(self.stock_user))
        self.assertEqual(rma.state, "approved")
        self.assertEqual(rma.line_ids.mapped("qty_received"), [2.0, 1.0, 0.0])
        self._validate(receipt_b.with_user(self.stock_user))
        self.assertEqual(rma.state, "received")
        self.assertEqual(rma.line_ids.mapped("qty_received"), [2.0, 1.0, 3.0])
        self.assertEqual(self.order_a.order_line.mapped("qty_delivered"), [2.0, 2.0])
        self.assertEqual(self.order_b.order_line.qty_delivered, 3.0)

        rma.with_user(self.rma_user)._refund("Refund agreed")
        refunds = rma.sudo().refund_ids
        self.assertEqual(len(refunds), 2, "one credit note per original invoice")
        self.assertEqual(refunds.mapped("state"), ["draft", "draft"])
        self.assertEqual(refunds.reversed_entry_id, self.invoice_a | self.invoice_b)
        refund_a = refunds.filtered(lambda move: move.reversed_entry_id == self.invoice_a)
        refund_b = refunds - refund_a
        self.assertEqual(refund_a.partner_id, self.invoice_a.partner_id)
        self.assertEqual(refund_b.partner_id, self.invoice_b.partner_id)
        self.assertRecordValues(
            refund_a.invoice_line_ids.sorted("id"),
            [
                {"product_id": self.box.id, "quantity": 2.0, "price_unit": 100.0},
                {"product_id": self.kettle.id, "quantity": 1.0, "price_unit": 50.0},
            ],
        )
        self.assertEqual(
            refund_a.invoice_line_ids.sale_line_ids, self.order_a.order_line, "each line reverses its own invoice line"
        )
        self.assertRecordValues(
            refund_b.invoice_line_ids, [{"product_id": self.box.id, "quantity": 3.0, "price_unit": 90.0}]
        )
        self.assertEqual(refund_b.invoice_line_ids.sale_line_ids, self.order_b.order_line)
        self.assertAlmostEqual(refund_a.amount_total, 250.0 * 1.15)
        self.assertAlmostEqual(refund_b.amount_total, 270.0 * 1.15)
        self.assertEqual(rma.line_ids.mapped("qty_refunded"), [2.0, 1.0, 3.0])
        self.assertEqual(rma.line_ids.refund_line_ids, refunds.invoice_line_ids)

        refunds.action_post()
        self.assertEqual(self.order_a.order_line.mapped("qty_invoiced"), [2.0, 2.0])
        self.assertEqual(self.order_b.order_line.qty_invoiced, 3.0)

    def test_partial_receipt_refunds_what_came_in(self):
        rma = self._dealer_rma()
        rma.with_user(self.rma_user).action_approve()
        receipt_b = rma.sudo().return_picking_ids.filtered(lambda p: p.return_id == self.box_move_b.picking_id)
        self._validate(receipt_b.with_user(self.stock_user))
        rma.with_user(self.rma_user)._refund("Refund agreed")
        refund = rma.sudo().refund_ids
        self.assertEqual(len(refund), 1, "only the invoice of the received units is reversed")
        self.assertEqual(refund.reversed_entry_id, self.invoice_b)
        self.assertEqual(refund.invoice_line_ids.quantity, 3.0)
        with self.assertRaisesRegex(UserError, "no received units left to refund"):
            rma.with_user(self.rma_user)._refund("Refund agreed")

    def test_over_return_across_orders_refused(self):
        with self.assertRaisesRegex(ValidationError, "can still be returned"):
            self._rma(
                [(self.box_move_a, 2.0, {}), (self.box_move_b, 7.0, {})],
                partner_id=self.dealer.id,
                sale_order_id=False,
                picking_id=False,
                invoice_id=False,
            )
