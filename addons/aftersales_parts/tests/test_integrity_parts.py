from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import PartsCommon, RmaCommon

AGENT = "aftersales_service.aftersales_service_group_user"
DISPATCHER = "aftersales_service.aftersales_service_group_dispatcher"
MANAGER = "aftersales_service.aftersales_service_group_manager"
TECHNICIAN = "aftersales_service.aftersales_service_group_technician"
ACCOUNTANT = "aftersales_service.aftersales_service_group_accountant"
CLERK = "aftersales_parts.aftersales_parts_group_clerk"


@tagged("post_install", "-at_install")
class TestIntegrityParts(RmaCommon, PartsCommon):
    """Workflow fields of returns, parts requests and visit parts change only through their actions,
    whoever writes them over the ORM (as the web client's JSON-RPC ``write`` and ``create`` do)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.roles = {
            "agent": new_test_user(cls.env, login="as_int_agent", name="Ada Agent", groups=AGENT),
            "dispatcher": new_test_user(cls.env, login="as_int_dispatcher", name="Dan Dispatch", groups=DISPATCHER),
            "technician": cls.tech_a.user_id,
            "clerk": new_test_user(cls.env, login="as_int_clerk", name="Cara Clerk", groups=CLERK),
            "accountant": new_test_user(cls.env, login="as_int_accountant", name="Acel Accounts", groups=ACCOUNTANT),
            "manager": new_test_user(cls.env, login="as_int_manager", name="Mona Manager", groups=MANAGER),
        }
        cls.clerk = cls.roles["clerk"]
        cls.accountant = cls.roles["accountant"]
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Customer"})
        cls.invoice_box_line = cls.box_line.invoice_lines
        cls.invoice_kettle_line = cls.kettle_line.invoice_lines

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _received_rma(self, quantity=1.0, **extra):
        rma = self._rma([(self.box_move, quantity, extra)])
        rma.with_user(self.rma_user).action_approve()
        self._validate(rma.sudo().return_picking_ids.with_user(self.clerk))
        self.assertEqual(rma.state, "received")
        return rma

    def _refund(self, rma, user=None):
        return rma.with_user(user or self.rma_user)._refund("Agreed on the phone")

    def _snapshot(self, records, names):
        records.invalidate_recordset()
        return records.sudo().read(names)

    def _assert_write_refused(self, records, values, users=None):
        """Each of ``users`` (every role by default) writes each of ``values`` alone: refused, nothing changes."""
        for role, user in (users or self.roles).items():
            for name, value in values.items():
                with self.subTest(model=records._name, role=role, field=name):
                    before = self._snapshot(records, [name])
                    with self.assertRaises(AccessError):
                        records.with_user(user).write({name: value})
                    self.assertEqual(self._snapshot(records, [name]), before)

    # ------------------------------------------------------------------
    # (a) the write and create matrix
    # ------------------------------------------------------------------

    def test_rma_write_matrix(self):
        rma = self._received_rma()
        self._assert_write_refused(
            rma,
            {
                "state": "done",
                "reject_reason": "Forged",
                "return_picking_ids": [Command.clear()],
                "refund_ids": [Command.link(self.invoice.id)],
                "date_approved": datetime(2026, 1, 1, 10, 0),
                "date_closed": datetime(2026, 1, 2, 10, 0),
                "approval_days": 42.0,
                "cycle_days": 42.0,
                "amount_claimed": 999.0,
                "amount_credited": 999.0,
                "credit_state": "credited",
                "direction": "supplier",
                "partner_id": self.other_customer.id,
                "invoice_id": False,
                "picking_id": False,
                "sale_order_id": False,
            },
        )
        # what the return is about is not touched by a refusal either
        self.assertEqual(rma.direction, "customer")
        self.assertEqual(rma.line_ids.qty_received, 1.0)

    def test_rma_line_write_matrix(self):
        rma = self._received_rma()
        line = rma.line_ids
        draft = self._rma([(self.kettle_move, 1.0, {})])
        scrap = self.env["stock.scrap"].create(
            {"product_id": self.box.id, "scrap_qty": 1.0, "location_id": self.warehouse.lot_stock_id.id}
        )
        lot = self.env["stock.lot"].create({"name": "INT-LOT-1", "product_id": self.board.id})
        self._assert_write_refused(
            line,
            {
                "qty_received": 5.0,
                "qty_refunded": 1.0,
                "qty_sent": 1.0,
                "refund_line_ids": [Command.link(self.invoice_box_line.id)],
                "amount_refunded": 99.0,
                "amount_claimed": 99.0,
                "decision_applied": True,
                "scrap_id": scrap.id,
                "repair_ticket_id": self._ticket().id,
                "replacement_lot_id": lot.id,
                "out_picking_ids": [Command.link(self.delivery.id)],
                "quantity": 3.0,
                "resolution": "replacement",
                "product_id": self.kettle.id,
                "move_id": self.kettle_move.id,
                "invoice_line_id": self.invoice_kettle_line.id,
                "rma_id": draft.id,
            },
        )
        self.assertFalse(self.delivery.aftersales_rma_line_id)
        self.assertEqual(draft.line_ids.product_id, self.kettle)

    def test_create_with_guarded_fields(self):
        approved = self._rma([(self.kettle_move, 1.0, {})])
        approved.with_user(self.rma_user).action_approve()
        line = {
            "product_id": self.box.id,
            "move_id": self.box_move.id,
            "invoice_line_id": self.invoice_box_line.id,
            "quantity": 1.0,
            "reason_id": self.reason.id,
        }
        for role in ("agent", "dispatcher", "clerk", "manager"):
            user = self.roles[role]
            Rma = self.env["aftersales.rma"].with_user(user)
            for values in (
                {"state": "approved"},
                {"state": "done"},
                {"reject_reason": "Forged"},
                {"line_ids": [Command.create(dict(line, qty_received=1.0))]},
                {"line_ids": [Command.create(dict(line, qty_refunded=1.0))]},
                {"line_ids": [Command.create(dict(line, decision_applied=True))]},
            ):
                with self.subTest(role=role, values=values), self.assertRaises(AccessError):
                    Rma.create(dict({"partner_id": self.customer.id}, **values))
            with self.subTest(role=role, values="line on an approved return"), self.assertRaises(AccessError):
                self.env["aftersales.rma.line"].with_user(user).create(dict(line, rma_id=approved.id))
        self.assertEqual(approved.line_ids.product_id, self.kettle)
        for role in ("technician", "accountant"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.env["aftersales.rma"].with_user(self.roles[role]).create(
                    {"partner_id": self.customer.id, "state": "approved"}
                )
        self.assertFalse(
            self.env["aftersales.rma"].search([("partner_id", "=", self.customer.id), ("state", "=", "done")])
        )

    def test_parts_request_write_matrix(self):
        """A request sent to the warehouse changes only through its actions and its transfer."""
        request = (
            self.env["aftersales.parts.request"]
            .with_user(self.clerk)
            .create(
                {
                    "technician_id": self.tech_a.id,
                    "line_ids": [Command.create({"product_id": self.pump.id, "quantity": 2.0})],
                }
            )
        )
        branch = self.env["aftersales.branch"].create({"name": "Elsewhere", "code": "ELS"})
        guarded = {"cancelled": True, "state": "done", "branch_id": branch.id, "picking_id": self.delivery.id}
        self._assert_write_refused(request, guarded)
        request.with_user(self.clerk).action_request()
        self.assertEqual(request.state, "requested")
        self._assert_write_refused(request, dict(guarded, picking_id=False, technician_id=self.tech_b.id))
        with self.assertRaises(UserError):
            request.line_ids.with_user(self.clerk).write({"quantity": 9.0})
        self.assertEqual(request.line_ids.quantity, 2.0)
        with self.assertRaises(AccessError):
            self.env["aftersales.parts.request"].with_user(self.tech_a.user_id).create(
                {"technician_id": self.tech_a.id, "cancelled": True}
            )
        # the actions still do it
        request.with_user(self.roles["technician"]).action_cancel()
        self.assertEqual(request.state, "cancel")

    def test_visit_part_write_matrix(self):
        """What the visit's flow records on its parts is the flow's."""
        old_board = self.env["stock.lot"].create({"name": "CB-INT-1", "product_id": self.board.id})
        self._validate(self._request(2.0).picking_id)
        visit = self._start_visit([])
        visit.part_ids = [
            Command.create({"product_id": self.pump.id, "quantity": 1.0}),
            Command.create({"product_id": self.board.id, "lot_id": old_board.id, "removed": True}),
        ]
        # a dispatcher who also handles the stock closes the visit: its flow records the parts' documents
        closer = new_test_user(
            self.env, login="as_int_closer", name="Cole Closer", groups=f"{DISPATCHER},stock.group_stock_user"
        )
        self._finish_visit(visit.with_user(closer))
        self.assertEqual(visit.state, "done")
        used = visit.part_ids.filtered(lambda part: not part.removed)
        removed = visit.part_ids - used
        self.assertTrue(used.move_id and used.visit_line_id and removed.move_id)
        scrap = self.env["stock.scrap"].create(
            {"product_id": self.pump.id, "scrap_qty": 1.0, "location_id": self.warehouse.lot_stock_id.id}
        )
        self._assert_write_refused(used, {"visit_line_id": False, "move_id": False})
        self._assert_write_refused(
            removed,
            {
                "scrap_id": scrap.id,
                "repair_picking_id": self.delivery.id,
                "defective_state": "scrapped",
                "move_id": used.move_id.id,
            },
        )
        # the clerk receives the removed board and scraps it through the action
        self._validate(removed.move_id.picking_id.with_user(self.clerk))
        removed.with_user(self.clerk).action_aftersales_scrap()
        self.assertEqual(removed.defective_state, "scrapped")

    def test_links_to_returns_by_hand(self):
        """Receipts and credit notes join a return through its actions only: a stock user or an accountant
        linking theirs by hand would make goods count as received, or claims as credited."""
        rma = self._rma([(self.box_move, 1.0, {})])
        with self.assertRaisesRegex(AccessError, "by the return's own actions"):
            self.delivery.with_user(self.clerk).write({"aftersales_rma_id": rma.id})
        with self.assertRaisesRegex(AccessError, "by the return's own actions"):
            self.delivery.with_user(self.clerk).write({"aftersales_rma_line_id": rma.line_ids.id})
        self.assertFalse(self.delivery.aftersales_rma_id or self.delivery.aftersales_rma_line_id)
        # nor through Odoo's return of the delivery, given the return as the returns' own receipts are
        wizard = (
            self.env["stock.return.picking"]
            .with_user(self.clerk)
            .with_context(active_model="stock.picking", active_id=self.delivery.id, active_ids=self.delivery.ids)
            .create({"picking_id": self.delivery.id, "aftersales_rma_id": rma.id})
        )
        wizard.product_return_moves[:1].quantity = 1.0
        with self.assertRaisesRegex(AccessError, "by the return's own actions"):
            wizard.action_create_returns()
        self.assertFalse(rma.sudo().return_picking_ids.filtered(lambda picking: picking.create_uid == self.clerk))
        with self.assertRaisesRegex(AccessError, "not changed by hand"):
            self.box_move.with_user(self.clerk).write({"aftersales_rma_line_id": rma.line_ids.id})
        self.assertFalse(self.box_move.aftersales_rma_line_id)
        with self.assertRaisesRegex(AccessError, "not by hand"):
            self.invoice.with_user(self.accountant).write({"aftersales_rma_id": rma.id})
        with self.assertRaisesRegex(AccessError, "not by hand"):
            self.env["account.move"].with_user(self.accountant).create(
                {"move_type": "out_refund", "partner_id": self.customer.id, "aftersales_rma_id": rma.id}
            )
        self.assertFalse(rma.sudo().refund_ids)
        # their other fields stay theirs
        self.delivery.with_user(self.clerk).write({"origin": "Checked"})
        self.assertEqual(self.delivery.origin, "Checked")

    # ------------------------------------------------------------------
    # (b) the reported holes
    # ------------------------------------------------------------------

    def test_agent_cannot_refund_goods_that_never_came_back(self):
        agent = self.roles["agent"]
        rma = self._rma([(self.box_move, 1.0, {"resolution": "replacement"})])
        rma.with_user(self.rma_user).action_approve()
        line = rma.line_ids.with_user(agent)
        for values in (
            {"qty_received": 1.0},
            {"resolution": "refund"},
            {"decision": "stock", "decision_applied": True},
        ):
            with self.subTest(values=values), self.assertRaisesRegex(AccessError, "only be changed through|fixed"):
                line.write(values)
        self.assertEqual((line.qty_received, line.resolution, line.decision_applied), (0.0, "replacement", False))
        with self.assertRaisesRegex(UserError, "no received units left to refund"):
            self._refund(rma, agent)
        self.assertFalse(rma.sudo().refund_ids)

    def test_agent_cannot_raise_the_refund_above_the_approval(self):
        """Approved under the limit, a return stays there: its quantities and lines are fixed."""
        self.company.aftersales_rma_approval_amount = 150.0
        agent = self.roles["agent"]
        rma = self._rma([(self.box_move, 1.0, {})])
        rma.with_user(agent).action_approve()
        with self.assertRaisesRegex(AccessError, "fixed when the return was approved"):
            rma.line_ids.with_user(agent).write({"quantity": 4.0})
        with self.assertRaisesRegex(AccessError, "no longer drafts"):
            rma.with_user(agent).write(
                {
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": self.box.id,
                                "move_id": self.box_move.id,
                                "invoice_line_id": self.invoice_box_line.id,
                                "quantity": 3.0,
                                "reason_id": self.reason.id,
                            }
                        )
                    ]
                }
            )
        self.assertEqual(rma.line_ids.quantity, 1.0)
        self.assertEqual(rma.amount_refund, 115.0)
        self.assertEqual(rma.return_picking_ids.move_ids.product_uom_qty, 1.0)

    def test_agent_cannot_refund_twice(self):
        agent = self.roles["agent"]
        rma = self._received_rma(2.0)
        self._refund(rma, agent)
        self.assertEqual(rma.line_ids.qty_refunded, 2.0)
        with self.assertRaisesRegex(AccessError, "only be changed through"):
            rma.line_ids.with_user(agent).write({"qty_refunded": 0.0})
        with self.assertRaisesRegex(UserError, "no received units left to refund"):
            self._refund(rma, agent)
        self.assertEqual(len(rma.sudo().refund_ids), 1)

    def test_credit_notes_made_by_hand_count(self):
        """The invoice was credited by hand (Odoo's reversal) for 4 of its 5 boxes: a return refunds 1, not 2."""
        reversal = self.invoice._reverse_moves([{"ref": "Goodwill"}])
        box_credit = reversal.invoice_line_ids.filtered(lambda aml: aml.product_id == self.box)
        reversal.write(
            {
                "invoice_line_ids": [Command.update(box_credit.id, {"quantity": 4.0})]
                + [Command.delete(aml.id) for aml in reversal.invoice_line_ids - box_credit]
            }
        )
        rma = self._rma([(self.box_move, 2.0, {})])
        # refused at the approval, before the goods come back for a refund nobody owes
        with self.assertRaises(UserError) as caught:
            rma.with_user(self.rma_user).action_approve()
        self.assertIn("were already refunded", str(caught.exception))
        self.assertEqual(rma.state, "draft")
        self.assertFalse(rma.sudo().return_picking_ids)
        reversal.button_cancel()
        rma.with_user(self.rma_user).action_approve()
        self._validate(rma.sudo().return_picking_ids.with_user(self.clerk))
        self._refund(rma, self.accountant)
        self.assertEqual(rma.sudo().refund_ids.invoice_line_ids.quantity, 2.0)

    def test_credited_amount_stays_within_the_invoice(self):
        """A goodwill credit note made by hand for 1 box at 500: refunding 2 more boxes would credit more
        than the invoice is worth."""
        reversal = self.invoice._reverse_moves([{"ref": "Goodwill"}])
        box_credit = reversal.invoice_line_ids.filtered(lambda aml: aml.product_id == self.box)
        reversal.write(
            {
                "invoice_line_ids": [Command.update(box_credit.id, {"quantity": 1.0, "price_unit": 500.0})]
                + [Command.delete(aml.id) for aml in reversal.invoice_line_ids - box_credit]
            }
        )
        rma = self._rma([(self.box_move, 2.0, {})])
        # (Odoo's assertRaises rolls back what the refused action did, as the RPC call's transaction)
        with self.assertRaises(UserError) as caught:
            rma.with_user(self.rma_user).action_approve()
        self.assertIn("nothing is left to refund", str(caught.exception))
        self.assertEqual(rma.state, "draft")
        self.assertFalse(rma.sudo().refund_ids)

    def test_clerk_cannot_flip_a_customer_return(self):
        clerk = self.clerk
        rma = self._rma([(self.box_move, 1.0, {})])
        with self.assertRaisesRegex(AccessError, "chosen when it is created"):
            rma.with_user(clerk).write({"direction": "supplier"})
        self.assertEqual(rma.direction, "customer")
        with self.assertRaises(AccessError):
            rma.with_user(clerk).action_cancel()
        self.assertEqual(rma.state, "draft")
        # nor the other way round, whoever tries
        supplier_rma = (
            self.env["aftersales.rma"]
            .with_user(clerk)
            .create({"direction": "supplier", "partner_id": self.other_customer.id})
        )
        for user in (clerk, self.roles["manager"]):
            with self.subTest(user=user.login), self.assertRaisesRegex(AccessError, "chosen when it is created"):
                supplier_rma.with_user(user).write({"direction": "customer"})
        self.assertEqual(supplier_rma.direction, "supplier")
        supplier_rma.with_user(clerk).action_cancel()
        self.assertEqual(supplier_rma.state, "cancelled")

    def test_refunded_return_is_locked(self):
        rma = self._received_rma()
        rma.line_ids.with_user(self.clerk).write({"condition": "good"})
        self._refund(rma, self.accountant)
        other_reason = self.env["aftersales.rma.reason"].create({"name": "Changed mind"})
        for role in ("agent", "manager", "clerk"):
            user = self.roles[role]
            with self.subTest(role=role), self.assertRaisesRegex(AccessError, "refunded or closed"):
                rma.line_ids.with_user(user).write({"reason_id": other_reason.id})
            with self.subTest(role=role), self.assertRaisesRegex(AccessError, "refunded or closed"):
                rma.with_user(user).write({"date": "2026-01-01", "branch_id": False})
            # the manager may delete lines, but not those of a processed return
            with self.subTest(role=role), self.assertRaises(UserError if role == "manager" else AccessError):
                rma.line_ids.with_user(user).unlink()
        self.assertEqual(rma.line_ids.reason_id, self.reason)
        # notes and the inspection of a unit refunded before it still go on
        rma.with_user(self.rma_user).write({"description": "<p>Refunded on the phone.</p>"})
        line = rma.line_ids.with_user(self.clerk)
        line.write({"decision": "stock"})
        line.action_inspect()
        self.assertTrue(line.decision_applied)
        with self.assertRaisesRegex(AccessError, "decision is applied"):
            line.write({"decision": "scrap"})
        rma.with_user(self.rma_user).action_done()
        self.assertEqual(rma.state, "done")

    def test_responsible_is_a_real_user(self):
        """Follow-up work goes to the responsible, the team leader, the branch manager, the company's
        after-sales manager; never to OdooBot; and when nobody is there, the return says so."""
        note = "Review it."
        Rma = self.env["aftersales.rma"]
        # created by OdooBot: no responsible; the team leader reviews it (and becomes its responsible)
        rma = Rma.create({"partner_id": self.customer.id, "ticket_id": self._ticket().id})
        self.assertFalse(rma.user_id)
        rma._schedule_review(note)
        self.assertEqual(rma.activity_ids.user_id, self.manager)
        self.assertEqual(rma.user_id, self.manager)
        # OdooBot set as responsible counts for nobody; then the branch manager, then a company manager
        ticketless = Rma.create({"partner_id": self.customer.id, "user_id": self.env.ref("base.user_root").id})
        self.team.user_id = False
        branch = self.env["aftersales.branch"].create(
            {"name": "North", "code": "NRT", "manager_id": self.roles["dispatcher"].id}
        )
        ticketless.branch_id = branch
        self.assertEqual(ticketless._responsible(), self.roles["dispatcher"])
        branch.manager_id = False
        fallback = ticketless._responsible()
        self.assertTrue(fallback.has_group(MANAGER))
        self.assertFalse(fallback.share)
        self.assertNotEqual(fallback, self.env.ref("base.user_root"))
        # a company without anybody
        company = self.env["res.company"].create({"name": "Empty Co"})
        self.assertFalse(company._aftersales_responsible_user(assignee=self.env.ref("base.user_root")))
        lonely = Rma.create({"partner_id": self.other_customer.id, "company_id": company.id})
        lonely._schedule_review(note)
        self.assertFalse(lonely.activity_ids)
        self.assertFalse(lonely.user_id)
        self.assertIn("Nobody can be asked", lonely.message_ids[0].body)

    def test_parts_request_approval_goes_to_a_real_user(self):
        request = self.env["aftersales.parts.request"].create(
            {"technician_id": self.tech_a.id, "line_ids": [Command.create({"product_id": self.pump.id})]}
        )
        request._ask_approval()
        user = request.activity_ids.user_id
        self.assertEqual(len(user), 1)
        self.assertTrue(user.has_group(MANAGER))
        self.assertNotEqual(user, self.env.ref("base.user_root"))

    def test_parts_request_lines_follow_the_branches(self):
        north = self.env["aftersales.branch"].create({"name": "North", "code": "NRT"})
        south = self.env["aftersales.branch"].create({"name": "South", "code": "STH"})
        self.tech_a.branch_id = north
        self.tech_b.branch_id = south
        north_clerk = new_test_user(self.env, login="as_int_north_clerk", name="Nora North", groups=CLERK)
        north.user_ids = north_clerk
        Request = self.env["aftersales.parts.request"]
        own, other = Request.create(
            [
                {"technician_id": tech.id, "line_ids": [Command.create({"product_id": self.pump.id})]}
                for tech in (self.tech_a, self.tech_b)
            ]
        )
        Line = self.env["aftersales.parts.request.line"].with_user(north_clerk)
        self.assertEqual(Line.search([("id", "in", (own | other).line_ids.ids)]), own.line_ids)
        with self.assertRaises(AccessError):
            other.line_ids.with_user(north_clerk).read(["quantity"])
        with self.assertRaises(AccessError):
            other.line_ids.with_user(north_clerk).write({"quantity": 5.0})
        self.assertEqual(other.line_ids.quantity, 1.0)
        own.line_ids.with_user(north_clerk).write({"quantity": 3.0})
        self.assertEqual(own.line_ids.quantity, 3.0)

    # ------------------------------------------------------------------
    # (c, d) the roles do their job through the actions
    # ------------------------------------------------------------------

    def test_clerk_journey(self):
        """The parts clerk (nothing but that group) receives a return an agent approved, and inspects it."""
        rma = self._rma([(self.box_move, 1.0, {})])
        rma.with_user(self.roles["agent"]).action_approve()
        receipt = rma.with_user(self.clerk).return_picking_ids
        self.assertEqual(len(receipt), 1)
        self._validate(receipt)
        self.assertEqual(rma.state, "received")
        self.assertEqual(rma.line_ids.qty_received, 1.0)
        form = Form(rma.with_user(self.clerk))
        with form.inspection_line_ids.edit(0) as line_form:
            line_form.condition = "good"
            line_form.decision = "stock"
        form.save()
        line = rma.line_ids.with_user(self.clerk)
        line.action_inspect()
        self.assertTrue(line.decision_applied)
        with self.assertRaises(AccessError):
            rma.with_user(self.clerk)._refund()

    def test_accountant_journey(self):
        """The accountant (nothing but that group) approves above the limit, refunds, and posts the credit note."""
        self.company.aftersales_rma_approval_amount = 150.0
        rma = self._rma([(self.box_move, 2.0, {})])
        with self.assertRaisesRegex(UserError, "manager or accountant"):
            rma.with_user(self.roles["agent"]).action_approve()
        rma.with_user(self.accountant).action_approve()
        self.assertEqual(rma.state, "approved")
        self._validate(rma.with_user(self.clerk).return_picking_ids)
        self._refund(rma, self.accountant)
        refund = rma.with_user(self.accountant).refund_ids
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.reversed_entry_id, self.invoice)
        self.assertEqual(refund.amount_untaxed, 200.0)
        refund.action_post()
        self.assertEqual(refund.state, "posted")
        self.assertEqual(rma.line_ids.qty_refunded, 2.0)
