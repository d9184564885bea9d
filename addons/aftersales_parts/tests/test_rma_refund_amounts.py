import json

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import RmaCommon

ACCOUNTANT = "aftersales_service.aftersales_service_group_accountant"


@tagged("post_install", "-at_install")
class TestRmaRefundAmounts(RmaCommon):
    """What a return refunds is what the customer paid for its units and was not credited yet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(cls.env, login="as_refund_accountant", name="Abe Accounts", groups=ACCOUNTANT)
        cls.reward = cls.env["product.product"].create(
            {
                "name": "Loyalty Reward",
                "type": "service",
                "invoice_policy": "order",
                "taxes_id": [Command.set(cls.tax.ids)],
            }
        )
        # 4 boxes at 100 and 2 kettles at 50, 10% off the order by Odoo's discount button, a reward of 30
        cls.promo_order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "order_line": [
                    Command.create({"product_id": cls.box.id, "product_uom_qty": 4.0, "price_unit": 100.0}),
                    Command.create({"product_id": cls.kettle.id, "product_uom_qty": 2.0, "price_unit": 50.0}),
                ],
            }
        )
        cls.env["sale.order.discount"].create(
            {"sale_order_id": cls.promo_order.id, "discount_type": "so_discount", "discount_percentage": 0.1}
        ).action_apply_discount()
        cls.promo_order.order_line = [
            Command.create({"product_id": cls.reward.id, "product_uom_qty": 1.0, "price_unit": -30.0})
        ]
        cls.promo_order.action_confirm()
        cls._validate(cls.promo_order.picking_ids)
        cls.promo_invoice = cls.promo_order._create_invoices()
        cls.promo_invoice.action_post()
        cls.promo_box_move = cls.promo_order.order_line.filtered(lambda sol: sol.product_id == cls.box).move_ids
        cls.promo_kettle_move = cls.promo_order.order_line.filtered(lambda sol: sol.product_id == cls.kettle).move_ids
        cls.discount_line = cls.promo_order.order_line.filtered(
            lambda sol: sol.product_id not in (cls.box | cls.kettle | cls.reward)
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _reverse_by_hand(self, invoice, modify=False):
        """The accountant's Credit Note button on ``invoice``: Odoo's reversal wizard."""
        wizard = Form(
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        )
        wizard.reason = "Goodwill"
        wizard = wizard.save()
        action = wizard.modify_moves() if modify else wizard.refund_moves()
        return wizard.new_move_ids, action

    def _new_return(self, order, quantities):
        """The agent opens a return from ``order``'s button and keeps ``quantities`` by delivery move."""
        action = order.with_user(self.rma_user).action_aftersales_new_rma()
        form = Form.from_action(self.env(user=self.rma_user), action)
        for index in reversed(range(len(form.line_ids))):
            with form.line_ids.edit(index) as line:
                move = line.move_id
            if move.id in quantities:
                with form.line_ids.edit(index) as line:
                    line.quantity = quantities[move.id]
            else:
                form.line_ids.remove(index)
        return form.save()

    def _receive(self, rma):
        rma.with_user(self.rma_user).action_approve()
        self._validate(rma.sudo().return_picking_ids.with_user(self.stock_user))
        self.assertEqual(rma.state, "received")

    def _refund(self, rma):
        rma.with_user(self.accountant)._refund("Refunded on receipt")
        return rma.sudo().refund_ids.filtered(lambda move: move.state != "cancel")

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_fixtures(self):
        self.assertEqual(len(self.discount_line), 1, "one discount line for the one tax of the order")
        self.assertAlmostEqual(self.discount_line.price_subtotal, -50.0)
        self.assertAlmostEqual(self.promo_invoice.amount_total, 483.0)

    def test_discounts_and_hand_credit_notes_count(self):
        """10% off the order and a reward of 30 are spread over the products by amount: a box was paid
        96.60, taxes included. The accountant credited 1 box by hand at its full price (115): the 3 boxes
        left share what is still owed on the invoice line, 386.40 - 115 = 271.40."""
        kettle_rma = self._new_return(self.promo_order, {self.promo_kettle_move.id: 1.0})
        self.assertAlmostEqual(kettle_rma.line_ids.amount_refundable, 48.30)

        note, _action = self._reverse_by_hand(self.promo_invoice)
        self.assertEqual(note.state, "draft")
        box_credit = note.invoice_line_ids.filtered(lambda aml: aml.product_id == self.box)
        note.with_user(self.accountant).write(
            {
                "invoice_line_ids": [Command.update(box_credit.id, {"quantity": 1.0})]
                + [Command.delete(aml.id) for aml in note.invoice_line_ids - box_credit]
            }
        )
        self.assertAlmostEqual(note.amount_total, 115.0)

        rma = self._new_return(self.promo_order, {self.promo_box_move.id: 2.0})
        line = rma.line_ids
        self.assertEqual(line.invoice_line_id.move_id, self.promo_invoice)
        self.assertAlmostEqual(line.amount_refundable, 180.93)
        self.assertAlmostEqual(rma.amount_refundable, 180.93)
        self.assertAlmostEqual(Form(rma.with_user(self.rma_user)).amount_refundable, 180.93, msg="shown to the agent")
        self._receive(rma)
        refund = self._refund(rma)
        self.assertEqual(refund.reversed_entry_id, self.promo_invoice)
        self.assertEqual(refund.currency_id.compare_amounts(refund.amount_total, 180.93), 0, refund.amount_total)
        credit_box = refund.invoice_line_ids.filtered(lambda aml: aml.product_id == self.box)
        self.assertEqual(credit_box.quantity, 2.0)
        self.assertEqual(line.refund_line_ids, credit_box)
        negative = refund.invoice_line_ids.filtered(lambda aml: aml.price_subtotal < 0)
        self.assertEqual(negative.product_id, self.discount_line.product_id | self.reward, "the discounts stay")
        self.assertFalse(negative.sale_line_ids, "the order's discounts stay invoiced")
        self.assertEqual(self.discount_line.qty_invoiced, 1.0)
        self.assertEqual(line.amount_refundable, 0.0, "nothing left to refund on the line")
        self.assertAlmostEqual(kettle_rma.line_ids.amount_refundable, 48.30, msg="the kettles were not credited")

        with self.assertRaises(UserError) as caught:
            self._refund(rma)
        self.assertIn("no received units left to refund", str(caught.exception))

        # 3 of the 4 boxes are credited: a return of the 2 boxes still delivered refunds 1 at most, and is
        # refused at its approval rather than received and never refunded
        other = self._new_return(self.promo_order, {self.promo_box_move.id: 2.0})
        with self.assertRaises(UserError) as caught:
            other.with_user(self.rma_user).action_approve()
        message = str(caught.exception)
        self.assertIn(self.promo_invoice.name, message)
        self.assertIn("were already refunded", message)
        self.assertIn("295.93 of the 386.4", message)
        self.assertEqual(other.state, "draft")
        self.assertFalse(other.sudo().return_picking_ids, "nothing comes back")
        # the one box still owed comes back and is refunded
        with Form(other.with_user(self.rma_user)) as form, form.line_ids.edit(0) as line:
            line.quantity = 1.0
        self._receive(other)
        refund = self._refund(other)
        self.assertAlmostEqual(refund.amount_total, 386.4 - 295.93, msg="exactly what was still owed")
        notes = self.env["account.move"].search(
            [("reversed_entry_id", "=", self.promo_invoice.id), ("state", "!=", "cancel")]
        )
        self.assertAlmostEqual(sum(notes.mapped("amount_total")), 386.4, msg="the boxes are credited what was paid")
        self.assertEqual(other.line_ids.qty_refunded, 1.0)

    def test_returns_approved_together_are_checked_together(self):
        """1 of the 4 boxes was credited by hand; two returns of 2 boxes each are refundable one by one,
        but approved together from the list they ask 1 box more than the invoice still owes."""
        note, _action = self._reverse_by_hand(self.promo_invoice)
        box_credit = note.invoice_line_ids.filtered(lambda aml: aml.product_id == self.box)
        note.with_user(self.accountant).write(
            {
                "invoice_line_ids": [Command.update(box_credit.id, {"quantity": 1.0})]
                + [Command.delete(aml.id) for aml in note.invoice_line_ids - box_credit]
            }
        )
        first = self._new_return(self.promo_order, {self.promo_box_move.id: 2.0})
        second = self._new_return(self.promo_order, {self.promo_box_move.id: 2.0})
        with self.assertRaises(UserError) as caught:
            (first | second).with_user(self.rma_user).action_approve()
        self.assertIn("were already refunded", str(caught.exception))
        self.assertEqual((first | second).mapped("state"), ["draft", "draft"])
        self.assertFalse((first | second).sudo().return_picking_ids, "nothing comes back")
        first.with_user(self.rma_user).action_approve()
        self.assertEqual(first.state, "approved")

    def test_credit_note_hidden_from_a_salesman_still_counts(self):
        """A salesman who sees only his own invoices looked at the invoice's credit notes earlier in the
        same transaction, and saw none of the accountant's: the approval still counts it (the cache of
        the transaction is shared by its users)."""
        salesman = new_test_user(
            self.env, login="as_refund_salesman", name="Sam Own Sales", groups="sales_team.group_sale_salesman"
        )
        self.promo_invoice.invoice_user_id = salesman
        note, _action = self._reverse_by_hand(self.promo_invoice)
        box_credit = note.invoice_line_ids.filtered(lambda aml: aml.product_id == self.box)
        note.with_user(self.accountant).write(
            {
                "invoice_user_id": self.accountant.id,
                "invoice_line_ids": [Command.update(box_credit.id, {"quantity": 1.0})]
                + [Command.delete(aml.id) for aml in note.invoice_line_ids - box_credit],
            }
        )
        rma = self._new_return(self.promo_order, {self.promo_box_move.id: 4.0})
        self.assertFalse(self.promo_invoice.with_user(salesman).reversal_move_ids, "his rules hide the note")
        with self.assertRaises(UserError) as caught:
            rma.with_user(self.rma_user).action_approve()
        self.assertIn("were already refunded", str(caught.exception))
        self.assertEqual(rma.state, "draft")
        self.assertFalse(rma.sudo().return_picking_ids, "nothing comes back")

    def test_full_order_returned_credits_what_was_paid(self):
        """All boxes and kettles come back: the credit notes give back the invoice's total, no more."""
        rma = self._new_return(self.promo_order, {self.promo_box_move.id: 4.0, self.promo_kettle_move.id: 2.0})
        self.assertAlmostEqual(rma.amount_refundable, 483.0)
        self._receive(rma)
        refund = self._refund(rma)
        self.assertAlmostEqual(refund.amount_total, 483.0)
        self.assertAlmostEqual(refund.amount_untaxed, 420.0)
        self.assertEqual(rma.line_ids.mapped("amount_refundable"), [0.0, 0.0])

    def test_down_payment_share_goes_back(self):
        """A down payment of 20% was deducted from the final invoice: the refund of half the boxes
        carries half the deduction, and the sale order deducts that half again from its next invoice."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": self.box.id, "product_uom_qty": 4.0, "price_unit": 100.0})
                ],
            }
        )
        order.action_confirm()
        self.env["sale.advance.payment.inv"].with_context(active_model="sale.order", active_ids=order.ids).create(
            {"advance_payment_method": "percentage", "amount": 20.0}
        ).create_invoices()
        order.invoice_ids.action_post()
        self._validate(order.picking_ids)
        final = order._create_invoices(final=True)
        final.action_post()
        down_payment = order.order_line.filtered(lambda sol: sol.is_downpayment and not sol.display_type)
        deduction = final.invoice_line_ids.filtered(
            lambda aml: aml.display_type == "product" and aml.sale_line_ids & down_payment
        )
        self.assertAlmostEqual(deduction.price_subtotal, -80.0)
        self.assertAlmostEqual(final.amount_total, 368.0)

        box_move = order.order_line.filtered(lambda sol: sol.product_id == self.box).move_ids
        rma = self._new_return(order, {box_move.id: 2.0})
        self.assertEqual(rma.line_ids.invoice_line_id.move_id, final)
        self.assertAlmostEqual(rma.line_ids.amount_refundable, 184.0)
        self._receive(rma)
        refund = self._refund(rma)
        self.assertAlmostEqual(refund.amount_total, 184.0)
        credited = refund.invoice_line_ids.filtered(
            lambda aml: aml.display_type == "product" and aml.sale_line_ids & down_payment
        )
        self.assertAlmostEqual(credited.quantity, deduction.quantity / 2)
        self.assertAlmostEqual(credited.price_unit, deduction.price_unit)

    def test_reinvoiced_after_a_full_reversal(self):
        """The accountant reversed the invoice in full and invoiced the order again: returns refund the
        new invoice."""
        new_invoice, action = self._reverse_by_hand(self.invoice, modify=True)
        self.assertEqual(action["res_id"], new_invoice.id)
        self.assertEqual(new_invoice.move_type, "out_invoice")
        new_invoice.with_user(self.accountant).action_post()
        self.assertEqual(self.invoice.reversal_move_ids.state, "posted")
        self.assertEqual(self.invoice.payment_state, "reversed")
        new_box_line = new_invoice.invoice_line_ids.filtered(lambda aml: aml.product_id == self.box)
        self.assertEqual(new_box_line.sale_line_ids, self.box_line)

        rma = self._new_return(self.order, {self.box_move.id: 2.0})
        self.assertEqual(rma.line_ids.invoice_line_id, new_box_line, "not the line of the reversed invoice")
        self.assertAlmostEqual(rma.line_ids.amount_refundable, 230.0)
        self._receive(rma)
        refund = self._refund(rma)
        self.assertEqual(refund.reversed_entry_id, new_invoice)
        self.assertAlmostEqual(refund.amount_total, 230.0)

        # the line of the reversed invoice, chosen by hand, refunds nothing
        old_box_line = self.invoice.invoice_line_ids.filtered(lambda aml: aml.product_id == self.box)
        other = self._rma([(self.box_move, 1.0, {"invoice_line_id": old_box_line.id})])
        self.assertEqual(other.line_ids.amount_refundable, 0.0)
        with self.assertRaises(UserError) as caught:
            other.with_user(self.rma_user).action_approve()
        self.assertIn(self.invoice.name, str(caught.exception))
        self.assertIn("were already refunded", str(caught.exception))
        self.assertEqual(other.state, "draft", "refused at its approval, before anything comes back")

    def test_invoice_line_of_another_customer_refused(self):
        stranger = self.env["res.partner"].create({"name": "Someone Else", "is_company": True})
        order = self.env["sale.order"].create(
            {
                "partner_id": stranger.id,
                "order_line": [Command.create({"product_id": self.box.id, "product_uom_qty": 1.0})],
            }
        )
        order.action_confirm()
        self._validate(order.picking_ids)
        invoice = order._create_invoices()
        invoice.action_post()
        stranger_line = invoice.invoice_line_ids
        stranger_move = order.order_line.move_ids

        rma = self._new_return(self.order, {self.box_move.id: 1.0})
        line = rma.line_ids
        own_line = line.invoice_line_id
        agent_line = line.with_user(self.rma_user)
        with self.assertRaises(ValidationError) as caught:
            agent_line.write({"invoice_line_id": stranger_line.id})
        self.assertIn(f"is for Someone Else, not for {self.customer.display_name}", str(caught.exception))
        kettle_invoice_line = self.kettle_line.invoice_lines
        with self.assertRaises(ValidationError) as caught:
            agent_line.write({"invoice_line_id": kettle_invoice_line.id})
        self.assertIn("is for Kettle, not for Filter Box", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            agent_line.write({"invoice_line_id": self.invoice.line_ids.filtered("tax_line_id")[:1].id})
        self.assertIn("is not a product line of a customer invoice", str(caught.exception))
        self.assertEqual(line.invoice_line_id, own_line)

        # the return form does not fill in the invoice of another customer's delivery
        spec = {"invoice_line_id": {"fields": {"display_name": {}}}, "product_id": {"fields": {"display_name": {}}}}
        result = (
            self.env["aftersales.rma.line"]
            .with_user(self.rma_user)
            .onchange(
                {"move_id": stranger_move.id, "rma_id": {"partner_id": self.customer.id}, "direction": "customer"},
                ["move_id"],
                spec,
            )
        )
        self.assertNotIn(invoice.name, json.dumps(result, default=str))
