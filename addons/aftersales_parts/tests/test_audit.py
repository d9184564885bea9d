from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import PartsCommon, RmaCommon


@tagged("post_install", "-at_install")
class TestRmaAudit(RmaCommon):
    """Refunds and approvals above the limit go to the audit log; decisions on lines to the chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technician = new_test_user(
            cls.env,
            login="as_rma_technician",
            name="Theo Tech",
            groups="aftersales_service.aftersales_service_group_technician",
        )

    def _entries(self, action, record):
        return self.env["aftersales.audit.log"].search(
            [("action", "=", action), ("res_model", "=", record._name), ("res_id", "=", record.id)]
        )

    def _received_rma(self, quantity=2.0):
        rma = self._rma([(self.box_move, quantity, {})])
        rma.with_user(self.rma_user).action_approve()
        self._validate(rma.sudo().return_picking_ids.with_user(self.stock_user))
        self.assertEqual(rma.state, "received")
        return rma

    def test_refund_before_inspection_is_logged(self):
        rma = self._received_rma()
        rma.with_user(self.rma_user)._refund("Customer in a hurry")
        entry = self._entries("rma_refund_uninspected", rma)
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.user_id, entry.reason), (self.rma_user, "Customer in a hurry"))
        self.assertEqual(entry.old_value, self.invoice.name)
        refund = rma.sudo().refund_ids
        self.assertIn(f"{rma.currency_id.round(refund.amount_total)}", entry.new_value)
        self.assertFalse(self._entries("rma_refund", rma))

    def test_one_message_for_the_changes_of_all_lines(self):
        rma = self._rma([(self.box_move, 1.0, {}), (self.kettle_move, 1.0, {})])
        self.assertEqual(len(rma.line_ids), 2)
        before = rma.message_ids
        rma.line_ids.write({"condition": "damaged"})
        note = rma.message_ids - before
        self.assertEqual(len(note), 1)
        self.assertEqual(note.body.count("Damaged"), 2)

    def test_entries_stay_when_the_addon_goes(self):
        ondelete = self.env["aftersales.audit.log"]._fields["action"].ondelete
        for action in ("rma_approved_over_limit", "rma_refund", "rma_refund_uninspected", "rma_vendor_refund"):
            self.assertEqual(ondelete[action], "set other")

    def test_refund_before_inspection_needs_a_reason(self):
        rma = self._received_rma()
        with self.assertRaisesRegex(UserError, "refunded before its inspection"):
            rma.with_user(self.rma_user)._refund()
        with self.assertRaisesRegex(UserError, "refunded before its inspection"):
            rma.with_user(self.rma_user)._refund("  ")
        self.assertFalse(rma.sudo().refund_ids)
        self.assertFalse(self._entries("rma_refund_uninspected", rma))

    def test_refund_button_asks_why_before_inspection(self):
        rma = self._received_rma()
        action = rma.with_user(self.rma_user).action_refund_ask()
        self.assertEqual(action["res_model"], "aftersales.audit.reason")
        self.assertFalse(rma.sudo().refund_ids)
        with self.assertRaises(AccessError):
            rma.with_user(self.technician).action_refund_ask()
        wizard = (
            self.env["aftersales.audit.reason"]
            .with_user(self.rma_user)
            .with_context(**action["context"])
            .create({"reason": "Unit visibly broken on the photos"})
        )
        wizard.action_confirm()
        self.assertTrue(rma.sudo().refund_ids)
        entry = self._entries("rma_refund_uninspected", rma)
        self.assertEqual((entry.user_id, entry.reason), (self.rma_user, "Unit visibly broken on the photos"))

    def test_refund_after_inspection_is_logged(self):
        rma = self._received_rma()
        rma.line_ids.write({"condition": "good", "decision": "stock"})
        rma.line_ids.with_user(self.rma_user).action_inspect()
        self.assertTrue(rma.with_user(self.rma_user).has_units_to_refund, "the Refund button is shown")
        action = rma.with_user(self.rma_user).action_refund_ask()  # inspected: no reason to give
        entry = self._entries("rma_refund", rma)
        self.assertEqual((len(entry), entry.user_id), (1, self.rma_user))
        # the button opens the one credit note, and is gone once every received unit is refunded
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", rma.sudo().refund_ids.id))
        rma.invalidate_recordset()
        self.assertFalse(rma.with_user(self.rma_user).has_units_to_refund)
        with self.assertRaisesRegex(UserError, "no received units left to refund"):
            rma.with_user(self.rma_user).action_refund_ask()

    def test_approval_above_the_limit_is_logged(self):
        self.company.aftersales_rma_approval_amount = 150.0
        small = self._rma([(self.box_move, 1.0, {})])
        small.with_user(self.manager).action_approve()
        self.assertFalse(self._entries("rma_approved_over_limit", small))
        rma = self._rma([(self.box_move, 2.0, {})])
        rma.with_user(self.manager)._approve("Key account")
        entry = self._entries("rma_approved_over_limit", rma)
        self.assertEqual((len(entry), entry.user_id, entry.reason), (1, self.manager, "Key account"))

    def test_line_decisions_go_to_the_chatter(self):
        rma = self._received_rma()
        rma.line_ids.with_user(self.rma_user).write({"condition": "damaged", "decision": "scrap"})
        bodies = " ".join(rma.message_ids.mapped("body"))
        self.assertIn("Damaged", bodies)
        self.assertIn("Scrap", bodies)

    def test_key_fields_are_tracked(self):
        rma = self._rma([(self.box_move, 1.0, {})])
        self._flush_tracking()
        rma.with_user(self.rma_user).date = "2020-01-01"
        self._flush_tracking()
        rma = rma.sudo()
        rma.invalidate_recordset(["message_ids"])
        self.assertIn("date", rma.message_ids.tracking_value_ids.field_id.mapped("name"))

    # ------------------------------------------------------------------
    # Access checks before the superuser steps
    # ------------------------------------------------------------------

    def test_readers_cannot_run_the_actions(self):
        """Technicians, clerks and accountants read returns; only after-sales users act on them."""
        rma = self._received_rma()
        rma.line_ids.write({"condition": "defective", "decision": "scrap"})
        for user in (self.technician, self.stock_user):
            with self.assertRaises(AccessError):
                rma.line_ids.with_user(user).action_inspect()
            with self.assertRaises(AccessError):
                rma.line_ids.with_user(user).action_replace()
            with self.assertRaises(AccessError):
                rma.line_ids.with_user(user).action_send_back()
        self.assertFalse(rma.line_ids.decision_applied)
        self.assertFalse(rma.line_ids.scrap_id)
        draft = self._rma([(self.box_move, 1.0, {})])
        with self.assertRaises(AccessError):
            draft.with_user(self.technician).action_cancel()
        with self.assertRaises(AccessError):
            draft.with_user(self.technician)._reject("Not ours")
        self.assertEqual(draft.state, "draft")
        portal = new_test_user(self.env, login="as_rma_portal", groups="base.group_portal")
        for method in ("action_view_receipts", "action_view_refunds", "action_view_repair_orders"):
            with self.assertRaises(AccessError):
                getattr(draft.with_user(portal), method)()


@tagged("post_install", "-at_install")
class TestPartsAccess(PartsCommon):
    """Parts requests, vans, defective parts and commission periods check the user's rights first."""

    def test_other_technician_cannot_request_or_cancel(self):
        request = self.env["aftersales.parts.request"].create(
            {
                "technician_id": self.tech_a.id,
                "line_ids": [Command.create({"product_id": self.pump.id, "quantity": 1.0})],
            }
        )
        other = self.tech_b.user_id
        with self.assertRaises(AccessError):
            request.with_user(other).action_request()
        with self.assertRaises(AccessError):
            request.with_user(other).action_cancel()
        self.assertFalse(request.picking_id)
        request.with_user(self.tech_a.user_id).action_request()
        self.assertTrue(request.picking_id)

    def test_technician_cannot_create_a_van(self):
        with self.assertRaises(AccessError):
            self.tech_b.with_user(self.tech_b.user_id).action_aftersales_create_van_location()
        self.assertFalse(self.tech_b.van_location_id)

    def test_technician_cannot_recompute_commissions(self):
        period = self.env["aftersales.commission.period"].create(
            {"name": "June", "date_from": "2026-06-01", "date_to": "2026-06-30"}
        )
        with self.assertRaises(AccessError):
            period.with_user(self.tech_a.user_id).action_compute()
        period.with_user(self.manager).action_compute()

    def test_other_technician_cannot_scrap_a_defective_part(self):
        lot = self.env["stock.lot"].create({"name": "CB-AUDIT-1", "product_id": self.board.id})
        visit = self._start_visit([])
        visit.part_ids = [Command.create({"product_id": self.board.id, "lot_id": lot.id, "removed": True})]
        self._finish_visit(visit)
        part = visit.part_ids
        self._validate(part.move_id.picking_id)
        self.assertEqual(part.defective_state, "received")
        with self.assertRaises(AccessError):
            part.with_user(self.tech_b.user_id).action_aftersales_scrap()
        self.assertFalse(part.scrap_id)

    def test_technician_cannot_dispose_of_defective_parts(self):
        """Even their own removed parts: scrapping, putting back and returning them is the agents' and clerks'."""
        lot = self.env["stock.lot"].create({"name": "CB-AUDIT-2", "product_id": self.board.id})
        visit = self._start_visit([])
        visit.part_ids = [Command.create({"product_id": self.board.id, "lot_id": lot.id, "removed": True})]
        self._finish_visit(visit)
        part = visit.part_ids
        self._validate(part.move_id.picking_id)
        own = part.with_user(visit.technician_id.user_id)
        for action in (
            "action_aftersales_scrap",
            "action_aftersales_repair",
            "action_aftersales_claim_supplier",
            "action_aftersales_return_to_supplier",
        ):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(own, action)()
        self.assertFalse(part.scrap_id or part.repair_picking_id)
        self.assertEqual(part.defective_state, "received")
        part.with_user(self.manager).action_aftersales_repair()
        self.assertEqual(part.defective_state, "repaired")
