from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_dealer import DealerRmaCommon


@tagged("post_install", "-at_install")
class TestRmaDealerBulk(DealerRmaCommon):
    """A dealer sends back many units by serial in one return, credited for those we delivered to it."""

    def _serials(self, lots):
        return "\n".join(lots.mapped("name"))

    def test_fixtures(self):
        self.assertEqual(len(self.lots_a), 12)
        self.assertEqual(len(self.lots_b), 9)
        self.assertEqual(self.order_b.picking_ids.partner_id, self.shop)
        self.assertEqual(self.earlier.state, "received")
        self.assertTrue(self.earlier.dealer_return)
        self.assertTrue(self.earlier.name.startswith("DRMA/"), "dealer returns have their own sequence")

    def test_twenty_units_credited_to_the_dealer(self):
        lots = (self.lots_a - self.returned_lot) | self.lots_b
        self.assertEqual(len(lots), 20)
        foreign = self.other_order.picking_ids.move_line_ids.lot_id[:1]
        serials = "\n".join(
            [*lots.mapped("name"), "  NOT-OURS-404 ", foreign.name, self.returned_lot.name, lots[0].name, ""]
        )
        # the agent creates the return and adds the serials in one paste
        rma = self._dealer_rma()
        self.assertTrue(rma.dealer_return)
        self.assertTrue(rma.name.startswith("DRMA/"))
        wizard, action = self._add_serials(rma, serials)
        self.assertEqual(action["res_id"], wizard.id, "the refused serials are shown")
        self.assertEqual(wizard.accepted_count, 20)
        self.assertEqual(
            {(refusal.serial, refusal.reason) for refusal in wizard.refusal_ids},
            {
                ("NOT-OURS-404", "Unknown serial number."),
                (foreign.name, "Not delivered to Dora Dealer Ltd."),
                (self.returned_lot.name, "Already returned."),
            },
        )
        self.assertEqual(rma.line_ids.lot_id, lots)
        self.assertEqual(set(rma.line_ids.mapped("dealer_reason")), {"customer_unit"})
        self.assertEqual(rma.line_ids.move_id, self.move_a | self.move_b)
        self.assertEqual(rma.line_ids.invoice_line_id.move_id, self.invoice_a | self.invoice_b)
        # the same serials again: already on this return
        wizard, _action = self._add_serials(rma, lots[0].name)
        self.assertEqual(wizard.refusal_ids.reason, "Already on this return.")
        self.assertEqual(len(rma.line_ids), 20)

        # the agent approves: one receipt per original delivery, with the serials on it
        rma.with_user(self.rma_user).action_approve()
        self.assertEqual(rma.state, "approved")
        receipts = rma.sudo().return_picking_ids
        self.assertEqual(receipts.return_id, self.delivery_a | self.delivery_b)
        self.assertEqual(receipts.move_line_ids.lot_id, lots)

        # the parts clerk receives them in the ordinary stock flow
        for receipt in receipts:
            self._validate(receipt.with_user(self.clerk))
        self.assertEqual(set(receipts.mapped("state")), {"done"})
        self.assertEqual(rma.state, "received")
        self.assertEqual(sum(rma.line_ids.mapped("qty_received")), 20.0)

        # the parts clerk inspects them: back to stock
        lines = rma.line_ids.with_user(self.clerk)
        lines.write({"condition": "good", "decision": "stock"})
        lines.action_inspect()
        self.assertTrue(all(rma.line_ids.mapped("decision_applied")))

        # the accountant refunds: each original invoice is reversed for the units it invoiced
        rma.with_user(self.accountant)._refund()
        refunds = rma.sudo().refund_ids
        self.assertEqual(refunds.reversed_entry_id, self.invoice_a | self.invoice_b)
        refund_a = refunds.filtered(lambda move: move.reversed_entry_id == self.invoice_a)
        refund_b = refunds - refund_a
        self.assertEqual(refunds.commercial_partner_id, self.dealer, "credited to the dealer")
        self.assertRecordValues(
            refund_a.invoice_line_ids, [{"product_id": self.pump.id, "quantity": 11.0, "price_unit": 200.0}]
        )
        self.assertRecordValues(
            refund_b.invoice_line_ids, [{"product_id": self.pump.id, "quantity": 9.0, "price_unit": 180.0}]
        )
        self.assertAlmostEqual(sum(refunds.mapped("amount_total")), (11 * 200.0 + 9 * 180.0) * 1.15)
        self.assertEqual(sum(rma.line_ids.mapped("qty_refunded")), 20.0)
        with self.assertRaisesRegex(UserError, "no received units left to refund"):
            rma.with_user(self.accountant)._refund()

    def test_wizard_queries_flat_in_the_number_of_serials(self):
        """Adding 3 or 9 serials (of the same delivery) takes as many queries, each from the same state."""
        cr = self.env.cr
        counts = []
        # the first run warms the caches up (models, sequences, translations)
        for lots in (self.lots_b[:2], self.lots_b[:3], self.lots_b):
            self.env.flush_all()
            cr.execute("SAVEPOINT dealer_serials_count")
            rma = self._dealer_rma()
            wizard = (
                self.env["aftersales.rma.add.serials"]
                .with_user(self.rma_user)
                .create({"rma_id": rma.id, "serials": self._serials(lots), "reason_id": self.reason.id})
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = cr.sql_log_count
            wizard.action_add()
            self.env.flush_all()
            counts.append(cr.sql_log_count - before)
            self.assertEqual(len(rma.line_ids), len(lots))
            cr.execute("ROLLBACK TO SAVEPOINT dealer_serials_count")
            self.env.invalidate_all()
        # flat: 6 more serials add no query (runs from the same state still differ by one query either way)
        message = f"3 serials: {counts[1]} queries, 9 serials: {counts[2]}"
        self.assertLessEqual(abs(counts[2] - counts[1]), 1, message)
        self.assertLessEqual(max(counts[1:]), 45, message)

    def test_other_dealer_and_customer_cannot_return_these_serials(self):
        other = self._dealer_rma(partner=self.other_dealer)
        wizard, _action = self._add_serials(other, self._serials(self.lots_b[:2]))
        self.assertFalse(other.line_ids)
        self.assertEqual(set(wizard.refusal_ids.mapped("reason")), {"Not delivered to Otto Outlet."})
        # nor by hand, line by line
        move = self.move_b
        with self.assertRaisesRegex(ValidationError, "not to Otto Outlet"):
            other.with_user(self.rma_user).write(
                {
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": self.pump.id,
                                "move_id": move.id,
                                "lot_id": self.lots_b[0].id,
                                "quantity": 1.0,
                                "reason_id": self.reason.id,
                            },
                        )
                    ]
                }
            )
        # a customer's return is no dealer return: no bulk serials
        customer_rma = self._dealer_rma(partner=self.customer)
        self.assertFalse(customer_rma.dealer_return)
        self.assertFalse(customer_rma.name.startswith("DRMA/"))
        with self.assertRaisesRegex(UserError, "not a dealer return"):
            customer_rma.with_user(self.rma_user).action_open_add_serials()
        with self.assertRaisesRegex(UserError, "not a dealer return"):
            customer_rma.with_user(self.rma_user).action_add_dealer_serials(
                self.lots_b[0].name, "customer_unit", self.reason
            )

    def test_wrong_input_refused_and_nothing_lost(self):
        rma = self._dealer_rma()
        with self.assertRaisesRegex(UserError, "at least one serial"):
            rma.with_user(self.rma_user).action_add_dealer_serials(" \n ,", "customer_unit", self.reason)
        with self.assertRaisesRegex(UserError, "customers' units or unsold stock"):
            rma.with_user(self.rma_user).action_add_dealer_serials("X", "gift", self.reason)
        refused = rma.with_user(self.rma_user).action_add_dealer_serials(
            self._serials(self.lots_b[:2]), "unsold_stock", self.reason
        )
        self.assertEqual(refused, [])
        self.assertEqual(set(rma.line_ids.mapped("dealer_reason")), {"unsold_stock"})
        # another open return holds them
        second = self._dealer_rma()
        refused = second.with_user(self.rma_user).action_add_dealer_serials(
            self.lots_b[0].name, "customer_unit", self.reason
        )
        self.assertEqual(refused, [(self.lots_b[0].name, f"Already on another open return ({rma.name}).")])
        # approved, the return takes no more serials; the technician, the clerk and the portal add none
        rma.with_user(self.rma_user).action_approve()
        with self.assertRaisesRegex(UserError, "Adding serial numbers is not possible"):
            rma.with_user(self.rma_user).action_add_dealer_serials(self.lots_b[3].name, "customer_unit", self.reason)
        for user in (self.accountant, self.dealer_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                second.with_user(user).action_add_dealer_serials(self.lots_b[3].name, "customer_unit", self.reason)
        self.assertEqual(len(rma.line_ids), 2)

    def test_dealer_flag_is_guarded(self):
        rma = self._dealer_rma()
        customer_rma = self._dealer_rma(partner=self.customer)
        with self.assertRaises(AccessError):
            rma.with_user(self.rma_user).write({"dealer_return": False})
        with self.assertRaises(AccessError):
            customer_rma.with_user(self.rma_user).write({"dealer_return": True})
        with self.assertRaises(AccessError):
            self.env["aftersales.rma"].with_user(self.rma_user).create(
                {"partner_id": self.customer.id, "dealer_return": True}
            )
        self.assertTrue(rma.dealer_return)
        self.assertFalse(customer_rma.dealer_return)
        # the flag follows the customer only while the return is a draft: it never changes afterwards
        self.dealer.sudo().aftersales_dealer = False
        self.assertTrue(rma.dealer_return)
