from contextlib import contextmanager
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from ..models.aftersales_rma import REFUND_LOCK_KEY
from .common import RmaCommon


@tagged("post_install", "-at_install")
class TestRma(RmaCommon):
    @contextmanager
    def _refused(self, exception, pattern):
        """Expect a refusal whose message matches ``pattern``; roll back what the refused call did."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)

    def _receive(self, rma):
        receipt = rma.sudo().return_picking_ids
        self._validate(receipt.with_user(self.stock_user))
        return receipt

    def test_receipt_in_two_parts(self):
        """The clerk receives 1 of 2 units and keeps a backorder: the backorder stays on the return."""
        rma = self._rma([(self.box_move, 2.0, {})])
        rma.with_user(self.rma_user).action_approve()
        receipt = rma.sudo().return_picking_ids
        clerk_receipt = receipt.with_user(self.stock_user)
        clerk_receipt.action_assign()
        clerk_receipt.move_ids.quantity = 1.0
        clerk_receipt.move_ids.picked = True
        result = clerk_receipt.button_validate()
        Form.from_action(self.env, result).save().with_user(self.stock_user).process()
        backorder = rma.sudo().return_picking_ids - receipt
        self.assertEqual(len(backorder), 1, "the backorder is one of the return's receipts")
        self.assertEqual(backorder.backorder_id, receipt)
        self.assertEqual(backorder.move_ids.origin_returned_move_id, self.box_move)
        self.assertEqual(rma.line_ids.qty_received, 1.0)
        self.assertEqual(rma.state, "approved", "a unit is still to come")
        self._validate(backorder.with_user(self.stock_user))
        self.assertEqual(rma.line_ids.qty_received, 2.0)
        self.assertEqual(rma.state, "received")

    def test_rest_of_the_receipt_cancelled(self):
        """The clerk receives 1 of 2 units, then cancels the backorder: the return is received with 1."""
        rma = self._rma([(self.box_move, 2.0, {})])
        rma.with_user(self.rma_user).action_approve()
        receipt = rma.sudo().return_picking_ids.with_user(self.stock_user)
        receipt.action_assign()
        receipt.move_ids.quantity = 1.0
        receipt.move_ids.picked = True
        Form.from_action(self.env, receipt.button_validate()).save().with_user(self.stock_user).process()
        backorder = rma.sudo().return_picking_ids - receipt
        self.assertEqual(rma.state, "approved")
        backorder.with_user(self.stock_user).action_cancel()
        self.assertEqual(rma.state, "received")
        self.assertEqual(rma.line_ids.qty_received, 1.0)
        rma.with_user(self.rma_user)._refund("Refund agreed")
        self.assertEqual(rma.sudo().refund_ids.invoice_line_ids.quantity, 1.0, "only the unit received is refunded")

    def test_cancelled_credit_note_can_be_made_again(self):
        rma = self._rma([(self.box_move, 2.0, {})])
        rma.with_user(self.rma_user).action_approve()
        self._receive(rma)
        rma.with_user(self.rma_user)._refund("Refund agreed")
        first = rma.sudo().refund_ids
        self.assertEqual(rma.line_ids.qty_refunded, 2.0)
        first.button_cancel()
        self.assertEqual(rma.line_ids.qty_refunded, 0.0, "the cancelled credit note refunds nothing")
        self.assertFalse(rma.line_ids.refund_line_ids)
        rma.with_user(self.rma_user)._refund("Refund agreed")
        second = rma.sudo().refund_ids - first
        self.assertEqual(second.invoice_line_ids.quantity, 2.0)
        self.assertEqual(second.reversed_entry_id, self.invoice)
        self.assertEqual(first.state, "cancel", "the cancelled credit note stays, cancelled")
        with self._refused(UserError, "no received units left"):
            rma.with_user(self.rma_user)._refund("Refund agreed")

    def test_full_chain_refund(self):
        rma = self._rma([(self.box_move, 2.0, {})])
        self.assertTrue(rma.name.startswith("RMA/"))
        self.assertEqual(rma.state, "draft")
        rma.with_user(self.rma_user).action_approve()
        self.assertEqual(rma.state, "approved")
        receipt = rma.sudo().return_picking_ids
        self.assertEqual(len(receipt), 1)
        self.assertEqual(receipt.return_id, self.delivery, "the receipt is Odoo's return of the delivery")
        self.assertEqual(receipt.picking_type_code, "incoming")
        self.assertEqual(receipt.move_ids.origin_returned_move_id, self.box_move)
        self.assertEqual(receipt.move_ids.product_uom_qty, 2.0)
        self.assertTrue(receipt.move_ids.to_refund)
        self.assertEqual(receipt.aftersales_rma_line_ids, rma.line_ids)

        self._receive(rma)
        self.assertEqual(rma.state, "received")
        self.assertEqual(rma.line_ids.qty_received, 2.0)
        self.assertEqual(self.box_line.qty_delivered, 3.0)

        rma.with_user(self.rma_user)._refund("Refund agreed")
        refund = rma.sudo().refund_ids
        self.assertEqual(len(refund), 1)
        self.assertEqual(refund.state, "draft")
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.reversed_entry_id, self.invoice)
        self.assertEqual(refund.aftersales_rma_id, rma)
        invoice_line = self.invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.box)
        credit_line = refund.invoice_line_ids
        self.assertEqual(len(credit_line), 1, "only the returned product is refunded")
        self.assertEqual(credit_line.quantity, 2.0)
        self.assertEqual(credit_line.price_unit, invoice_line.price_unit)
        self.assertEqual(credit_line.tax_ids, invoice_line.tax_ids)
        self.assertEqual(credit_line.sale_line_ids, self.box_line)
        self.assertAlmostEqual(credit_line.price_subtotal, invoice_line.price_subtotal * 2 / 5)
        self.assertAlmostEqual(refund.amount_untaxed, 200.0)
        self.assertAlmostEqual(refund.amount_tax, 30.0)
        self.assertAlmostEqual(refund.amount_total, invoice_line.price_total * 2 / 5)
        self.assertEqual(rma.line_ids.qty_refunded, 2.0)
        self.assertEqual(rma.line_ids.refund_line_ids, credit_line)

        refund.action_post()
        self.assertEqual(self.box_line.qty_invoiced, 3.0)
        self.assertEqual(self.box_line.qty_delivered, 3.0)
        self.assertEqual(self.kettle_line.qty_invoiced, 2.0, "the kettles were not returned")

        rma.with_user(self.rma_user).action_done()
        self.assertEqual(rma.state, "done")

    def test_discounted_line(self):
        rma = self._rma([(self.kettle_move, 1.0, {})])
        rma.with_user(self.rma_user).action_approve()
        self._receive(rma)
        rma.with_user(self.rma_user)._refund("Refund agreed")
        credit_line = rma.sudo().refund_ids.invoice_line_ids
        self.assertEqual(credit_line.product_id, self.kettle)
        self.assertEqual(credit_line.discount, 10.0)
        self.assertAlmostEqual(credit_line.price_subtotal, 45.0)
        self.assertAlmostEqual(rma.sudo().refund_ids.amount_total, 51.75)

    def test_serial_return(self):
        lots = self.env["stock.lot"].create(
            [{"name": name, "product_id": self.product.id} for name in ("WM7-0101", "WM7-0102")]
        )
        for lot in lots:
            self.env["stock.quant"]._update_available_quantity(
                self.product, self.warehouse.lot_stock_id, 1.0, lot_id=lot
            )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 2.0})],
            }
        )
        order.action_confirm()
        self._validate(order.picking_ids)
        invoice = order._create_invoices()
        invoice.action_post()
        move = order.order_line.move_ids
        self.assertEqual(move.move_line_ids.lot_id, lots)

        with self._refused(ValidationError, "was not delivered"):
            self._rma([(move, 1.0, {"lot_id": self.lot.id})], sale_order_id=order.id, picking_id=move.picking_id.id)
        rma = self._rma([(move, 1.0, {"lot_id": lots[0].id})], sale_order_id=order.id, picking_id=move.picking_id.id)
        self.assertIn(rma.line_ids.warranty_state, ("active", "draft"))
        with self._refused(ValidationError, "already on another open return"):
            self._rma([(move, 1.0, {"lot_id": lots[0].id})], sale_order_id=order.id)
        rma.with_user(self.rma_user).action_approve()
        receipt = rma.sudo().return_picking_ids
        self.assertEqual(receipt.move_line_ids.lot_id, lots[0])
        self._receive(rma)
        self.assertEqual(rma.state, "received")
        self.assertEqual(rma.line_ids.qty_received, 1.0)
        self.assertEqual(order.order_line.qty_delivered, 1.0)
        inspection = self.warehouse.aftersales_inspection_location_id
        quant = self.env["stock.quant"]._gather(self.product, inspection, lot_id=lots[0], strict=True)
        self.assertEqual(quant.quantity, 1.0, "the returned serial waits for its inspection")
        quant = self.env["stock.quant"]._gather(self.product, self.warehouse.lot_stock_id, lot_id=lots[0], strict=True)
        self.assertFalse(quant.quantity, "the returned serial is not sellable before its inspection")
        with self._refused(ValidationError, "already returned"):
            self._rma([(move, 1.0, {"lot_id": lots[0].id})], sale_order_id=order.id)
        rma.with_user(self.rma_user)._refund("Refund agreed")
        self.assertEqual(rma.sudo().refund_ids.invoice_line_ids.quantity, 1.0)

    def test_second_refund_refused(self):
        rma = self._rma([(self.box_move, 2.0, {})])
        rma.with_user(self.rma_user).action_approve()
        self._receive(rma)
        rma.with_user(self.rma_user)._refund("Refund agreed")
        with self._refused(UserError, "no received units left to refund"):
            rma.with_user(self.rma_user)._refund("Refund agreed")
        self.assertEqual(len(rma.sudo().refund_ids), 1)
        # another return of the three other boxes may refund them, not more than invoiced
        other = self._rma([(self.box_move, 3.0, {})])
        other.with_user(self.rma_user).action_approve()
        self._receive(other)
        # the units received are counted from the receipt's moves, never more than came back
        self.assertEqual(other.line_ids.qty_received, 3.0)
        other.with_user(self.rma_user)._refund("Refund agreed")
        self.assertEqual(other.line_ids.qty_refunded, 3.0)
        with self._refused(UserError, "no received units left to refund"):
            other.with_user(self.rma_user)._refund("Refund agreed")

    def test_more_than_delivered_refused(self):
        with self._refused(ValidationError, "can still be returned"):
            self._rma([(self.box_move, 6.0, {})])
        with self._refused(ValidationError, "must be positive"):
            self._rma([(self.box_move, 0.0, {})])
        rma = self._rma([(self.box_move, 2.0, {})])
        rma.with_user(self.rma_user).action_approve()
        with self._refused(ValidationError, "Only 3.0"):
            self._rma([(self.box_move, 4.0, {})])
        self._receive(rma)
        with self._refused(ValidationError, "Only 3.0"):
            self._rma([(self.box_move, 4.0, {})])
        self.assertTrue(self._rma([(self.box_move, 3.0, {})]))

    def test_reject_with_reason(self):
        rma = self._rma([(self.box_move, 1.0, {})])
        action = rma.with_user(self.rma_user).action_reject()
        self.assertEqual(action["res_model"], "aftersales.rma.reject")
        wizard = Form.from_action(self.env(user=self.rma_user), action)
        wizard.reason = "Opened and used"
        wizard.save().action_reject()
        self.assertEqual(rma.state, "rejected")
        self.assertEqual(rma.reject_reason, "Opened and used")
        rma.with_user(self.rma_user).action_draft()
        rma.with_user(self.rma_user).action_approve()
        receipt = rma.sudo().return_picking_ids
        rma.with_user(self.rma_user)._reject("Not ours")
        self.assertEqual(receipt.state, "cancel", "the receipt of a rejected return is cancelled")
        with self.assertRaises(UserError):
            rma.with_user(self.rma_user).action_approve()
        with self.assertRaises(UserError):
            rma.with_user(self.rma_user).unlink()

    def test_return_window_exceeded(self):
        self.box_move.date = fields.Datetime.now() - timedelta(days=40)
        with self._refused(ValidationError, "return window of 30 days is over"):
            self._rma([(self.box_move, 1.0, {})])
        self.return_category.aftersales_return_days = 0
        self.assertTrue(self._rma([(self.box_move, 1.0, {})]))

    def test_approval_limit_needs_manager(self):
        self.company.aftersales_rma_approval_amount = 150.0
        rma = self._rma([(self.box_move, 2.0, {})])
        self.assertAlmostEqual(rma.amount_refund, 230.0)
        with self._refused(UserError, "manager"):
            rma.with_user(self.rma_user).action_approve()
        rma.with_user(self.manager).action_approve()
        self.assertEqual(rma.state, "approved")

    def test_refund_posted_by_setting(self):
        self.company.aftersales_rma_post_refund = True
        rma = self._rma([(self.box_move, 1.0, {})])
        rma.with_user(self.rma_user).action_approve()
        self._receive(rma)
        rma.with_user(self.rma_user)._refund("Refund agreed")
        self.assertEqual(rma.sudo().refund_ids.state, "posted")
        self.assertEqual(self.box_line.qty_invoiced, 4.0)

    def test_refund_lock(self):
        rma = self._rma([(self.box_move, 2.0, {})])
        rma.with_user(self.rma_user).action_approve()
        self._receive(rma)
        # another user refunding the same return holds its lock until they commit
        with self.registry.cursor() as other_cr:
            other_cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REFUND_LOCK_KEY, rma.id])
            with self._refused(UserError, "Another user is refunding this return"):
                rma.with_user(self.rma_user)._refund("Refund agreed")
            self.assertFalse(rma.sudo().refund_ids)
            self.assertEqual(rma.line_ids.qty_refunded, 0.0)
            other_cr.rollback()
        # once they are done, the return can be refunded, once
        rma.with_user(self.rma_user)._refund("Refund agreed")
        self.assertEqual(rma.line_ids.qty_refunded, 2.0)
        self.assertEqual(len(rma.sudo().refund_ids), 1)

    def test_line_of_another_customer_refused(self):
        stranger = self.env["res.partner"].create({"name": "Someone Else", "is_company": True})
        # the delivery and its invoice line are both the other customer's: either check refuses
        with self._refused(ValidationError, "cannot be on their return|is for Wendy Washer, not for Someone Else"):
            self._rma([(self.box_move, 1.0, {})], partner_id=stranger.id, sale_order_id=False)

    def test_new_rma_prefilled_from_sale_order(self):
        action = self.order.with_user(self.rma_user).action_aftersales_new_rma()
        form = Form.from_action(self.env(user=self.rma_user), action)
        self.assertEqual(len(form.line_ids), 2)
        rma = form.save()
        self.assertEqual(rma.sale_order_id, self.order)
        self.assertEqual(rma.sudo().line_ids.move_id, self.box_move | self.kettle_move)
        self.assertEqual(sorted(rma.line_ids.mapped("quantity")), [2.0, 5.0])
        self.assertEqual(self.order.with_user(self.rma_user).aftersales_rma_count, 1)
        rma.with_user(self.rma_user).action_cancel()  # frees the units for a return opened from the delivery
        action = self.delivery.with_user(self.rma_user).action_aftersales_new_rma()
        self.assertEqual(action["context"]["default_picking_id"], self.delivery.id)
        rma = Form.from_action(self.env(user=self.rma_user), action).save()
        self.assertEqual(len(rma.line_ids), 2)
        self.assertEqual(self.delivery.with_user(self.rma_user).aftersales_rma_origin_count, 1)
