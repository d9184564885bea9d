from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import RmaCommon

# the queries of a full return (request to posted credit note) with one line, and what each more line
# may add: the flow works on all the lines at once, so a line costs its own documents only (its return
# move, its inspection and its transfer back to stock, made with the others, its credit note line), never
# a search per line
ONE_LINE_QUERIES = 600
PER_LINE_QUERIES = 38


@tagged("post_install", "-at_install")
class TestRmaQueries(RmaCommon):
    """A full return as the roles that do it: the agent requests and approves it, the warehouse clerk
    receives and inspects the units, the accountant refunds them; its queries do not grow per line."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_rma_post_refund = True
        cls.clerk = new_test_user(
            cls.env,
            login="as_rma_queries_clerk",
            name="Quinn Clerk",
            groups="stock.group_stock_user,aftersales_parts.aftersales_parts_group_clerk",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="as_rma_queries_accountant",
            name="Quentin Accounts",
            groups="aftersales_service.aftersales_service_group_accountant,account.group_account_invoice",
        )
        cls.goods = cls.env["product.product"].create(
            [
                {
                    "name": f"Returned Goods {index}",
                    "is_storable": True,
                    "list_price": 20.0 + index,
                    "invoice_policy": "delivery",
                    "taxes_id": [Command.set(cls.tax.ids)],
                }
                for index in range(3)
            ]
        )
        for product in cls.goods:
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, 50.0)

    def _sold(self, count):
        """An order of ``count`` products, 4 units each, delivered and invoiced (the fixture, as admin)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 4.0}) for product in self.goods[:count]
                ],
            }
        )
        order.action_confirm()
        self._validate(order.picking_ids)
        invoice = order._create_invoices()
        invoice.action_post()
        return order

    def _full_return(self, count):
        """Return 2 units of each line of an order of ``count`` lines, from the request to the posted
        credit note, each step as its role; return the return and its queries."""
        order = self._sold(count)
        moves = order.order_line.move_ids
        self.env.flush_all()
        self.env.cr.flush()
        self.env.invalidate_all()
        queries = self.cr.sql_log_count
        rma = (
            self.env["aftersales.rma"]
            .with_user(self.rma_user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "sale_order_id": order.id,
                    "picking_id": moves.picking_id.id,
                    "invoice_id": order.invoice_ids.id,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": move.product_id.id,
                                "move_id": move.id,
                                "invoice_line_id": move.sale_line_id.invoice_lines[:1].id,
                                "quantity": 2.0,
                                "reason_id": self.reason.id,
                                "resolution": "refund",
                            }
                        )
                        for move in moves
                    ],
                }
            )
        )
        rma.action_approve()
        receipts = rma.return_picking_ids.with_user(self.clerk)
        for move in receipts.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        receipts.with_context(cancel_backorder=True).button_validate()
        lines = rma.with_user(self.clerk).line_ids
        lines.write({"decision": "stock"})
        lines.action_inspect()
        rma.with_user(self.accountant).action_refund_ask()
        self.env.flush_all()
        self.env.cr.flush()
        used = self.cr.sql_log_count - queries
        self.env.invalidate_all()
        return rma, used

    def test_full_return_queries_do_not_grow_per_line(self):
        self._full_return(1)  # warm the caches
        one, one_queries = self._full_return(1)
        three, three_queries = self._full_return(3)

        for rma, count in ((one, 1), (three, 3)):
            self.assertEqual(len(rma.line_ids), count)
            self.assertEqual(rma.line_ids.mapped("qty_received"), [2.0] * count)
            self.assertEqual(rma.line_ids.mapped("qty_refunded"), [2.0] * count)
            self.assertEqual(rma.refund_ids.mapped("state"), ["posted"], "one credit note, posted")
            self.assertEqual(rma.refund_ids.reversed_entry_id, rma.invoice_id, "the reversal of the invoice")
            credited = rma.refund_ids.invoice_line_ids.filtered(lambda aml: aml.display_type == "product")
            self.assertEqual(credited.mapped("quantity"), [2.0] * count)
        self.assertLessEqual(one_queries, ONE_LINE_QUERIES, "a full return of one line")
        per_line = (three_queries - one_queries) / 2
        self.assertLessEqual(per_line, PER_LINE_QUERIES, f"each more line: {one_queries} then {three_queries}")
