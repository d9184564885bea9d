from odoo.tests import HttpCase, new_test_user, tagged

from .common import RmaCommon


@tagged("post_install", "-at_install")
class TestRmaReceiptUi(RmaCommon, HttpCase):
    """A warehouse clerk with nothing but the inventory user role receives an
    approved return in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env,
            login="as_tour_clerk",
            name="Carl Clerk",
            groups="base.group_user,stock.group_stock_user",
        )

    def test_receive_return_tour(self):
        rma = self._rma([(self.box_move, 2.0, {})])
        rma.with_user(self.rma_user).action_approve()
        receipt = rma.sudo().return_picking_ids
        self.assertEqual(receipt.state, "assigned")
        self.start_tour(
            "/odoo/action-aftersales_parts.stock_picking_action_aftersales_rma",
            "aftersales_rma_receipt_tour",
            login=self.clerk.login,
        )
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.move_ids.quantity, 2.0)
        self.assertFalse(receipt.backorder_ids)
        self.assertEqual(rma.state, "received")
        self.assertEqual(rma.line_ids.qty_received, 2.0)
        self.assertEqual(self.box_line.qty_delivered, 3.0)
