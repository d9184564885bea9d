from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import RmaCommon


@tagged("post_install", "-at_install")
class TestBranchRma(RmaCommon):
    """Returns of a branch are seen and received by that branch and by headquarters only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wh_south = cls.env["stock.warehouse"].create({"name": "South Returns", "code": "SRET"})
        Branch = cls.env["aftersales.branch"]
        cls.north = Branch.create({"name": "North", "code": "N", "warehouse_ids": [Command.link(cls.warehouse.id)]})
        cls.south = Branch.create({"name": "South", "code": "S", "warehouse_ids": [Command.link(cls.wh_south.id)]})
        groups = (
            "aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman_all_leads,"
            "stock.group_stock_user,stock.group_production_lot"
        )
        cls.north_user = new_test_user(cls.env, login="as_rma_north", name="Nils North", groups=groups)
        cls.south_user = new_test_user(cls.env, login="as_rma_south", name="Sue South", groups=groups)
        cls.north.user_ids = cls.north_user
        cls.south.user_ids = cls.south_user

    def _line(self, move=None, product=None, quantity=2.0):
        vals = {
            "product_id": (product or move.product_id).id,
            "quantity": quantity,
            "reason_id": self.reason.id,
            "resolution": "refund",
        }
        if move:
            vals.update(move_id=move.id, invoice_line_id=move.sale_line_id.invoice_lines[:1].id)
        return Command.create(vals)

    def _rma_as(self, user, **values):
        vals = {
            "partner_id": self.customer.id,
            "sale_order_id": self.order.id,
            "picking_id": self.delivery.id,
            "invoice_id": self.invoice.id,
            "line_ids": [self._line(self.box_move)],
        }
        vals.update(values)
        return self.env["aftersales.rma"].with_user(user).create(vals)

    def test_return_takes_the_branch_of_the_delivery_warehouse(self):
        rma = self._rma([(self.box_move, 1.0, {})])
        self.assertEqual(rma.branch_id, self.north)

    def test_return_of_several_deliveries_takes_their_warehouse_branch(self):
        rma = self._rma([(self.box_move, 1.0, {})], picking_id=False)
        self.assertEqual(rma.branch_id, self.north, "the warehouse of the returned lines' delivery")

    def test_return_of_a_ticket_takes_the_ticket_branch(self):
        team = self.env["aftersales.team"].create({"name": "South Crew", "branch_id": self.south.id})
        ticket = self.env["aftersales.ticket"].create(
            {"name": "Box damaged", "team_id": team.id, "partner_id": self.customer.id}
        )
        rma = self._rma([(self.box_move, 1.0, {})], ticket_id=ticket.id)
        self.assertEqual(rma.branch_id, self.south)

    def test_branch_user_receives_its_return(self):
        rma = self._rma_as(self.north_user)
        self.assertEqual(rma.branch_id, self.north)
        rma.with_user(self.north_user).action_approve()
        receipt = rma.with_user(self.north_user).return_picking_ids
        self.assertEqual(receipt.location_dest_id.warehouse_id, self.warehouse)
        self._validate(receipt.with_user(self.north_user))
        self.assertEqual(receipt.state, "done")
        self.assertEqual(rma.state, "received")

    def test_return_without_delivery_received_in_the_branch_warehouse(self):
        rma = self._rma_as(
            self.south_user,
            sale_order_id=False,
            picking_id=False,
            invoice_id=False,
            line_ids=[self._line(product=self.kettle, quantity=1.0)],
        )
        self.assertEqual(rma.branch_id, self.south, "the user's branch")
        rma.with_user(self.south_user).action_approve()
        receipt = rma.with_user(self.south_user).return_picking_ids
        self.assertEqual(receipt.picking_type_id.warehouse_id, self.wh_south)
        self._validate(receipt.with_user(self.south_user))
        self.assertEqual(receipt.state, "done")
        self.assertEqual(rma.state, "received")

    def test_delivery_of_another_warehouse_comes_back_through_the_branch_receipts(self):
        """Delivered from the north, returned to the south service point: the south receives it, through its
        own receipts, into its own inspection location."""
        team = self.env["aftersales.team"].create({"name": "South Desk", "branch_id": self.south.id})
        ticket = self.env["aftersales.ticket"].create(
            {"name": "Box returned in the south", "team_id": team.id, "partner_id": self.customer.id}
        )
        rma = self._rma([(self.box_move, 1.0, {})], ticket_id=ticket.id)
        self.assertEqual(rma.branch_id, self.south)
        rma.with_user(self.rma_user).action_approve()
        receipt = rma.sudo().return_picking_ids
        self.assertEqual(receipt.picking_type_id.warehouse_id, self.wh_south)
        self.assertTrue(receipt.name.startswith("SRET/"), receipt.name)
        self.assertEqual(receipt.location_dest_id, self.wh_south.aftersales_inspection_location_id)
        self.assertEqual(receipt.move_ids.origin_returned_move_id, self.box_move, "still Odoo's return of the delivery")
        self._validate(receipt.with_user(self.south_user))
        self.assertEqual(rma.state, "received")

    def test_other_branch_never_sees_the_return(self):
        rma = self._rma_as(self.north_user)
        rma.with_user(self.north_user).action_approve()
        receipt = rma.return_picking_ids
        Rma = self.env["aftersales.rma"].with_user(self.south_user)
        self.assertFalse(Rma.search([("id", "=", rma.id)]))
        with self.assertRaises(AccessError):
            rma.with_user(self.south_user).read(["name"])
        with self.assertRaises(AccessError):
            rma.line_ids.with_user(self.south_user).read(["quantity"])
        with self.assertRaises(AccessError):
            receipt.with_user(self.south_user).read(["name"])
        # the other branch's locations are read by Odoo's stock, but not changed
        with self.assertRaises(AccessError):
            self.warehouse.lot_stock_id.with_user(self.south_user).check_access("write")
        with self.assertRaises(AccessError):
            rma.with_user(self.south_user).action_cancel()
        # headquarters sees every branch's returns
        self.assertEqual(self.env["aftersales.rma"].with_user(self.rma_user).search([("id", "=", rma.id)]), rma)

    def test_branch_user_cannot_file_a_return_in_another_branch(self):
        with self.assertRaises(AccessError):
            self._rma_as(self.north_user, branch_id=self.south.id)

    def test_branch_of_another_company_refused(self):
        company_b = self.env["res.company"].create({"name": "Returns Company B"})
        east = self.env["aftersales.branch"].create({"name": "East", "code": "E", "company_id": company_b.id})
        rma = self._rma([(self.box_move, 1.0, {})])
        with self.assertRaises(ValidationError):
            rma.branch_id = east
