from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import PartsCommon


@tagged("post_install", "-at_install")
class TestSupplierClaimParts(PartsCommon):
    """A board replaced on a repair under its vendor's warranty: the claim asks for the new board at cost and
    the hours worked, and the vendor credits it without the old board going back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="as_scp_accountant",
            name="Ada Accounts",
            groups="aftersales_service.aftersales_service_group_accountant",
        )
        cls.vendor = cls.env["res.partner"].create(
            {
                "name": "Boards Inc.",
                "is_company": True,
                "aftersales_claim_labour_rate": 40.0,
                "aftersales_claim_parts_at_cost": True,
            }
        )
        cls.old_board = cls.env["stock.lot"].create(
            {
                "name": "CB-OLD-7",
                "product_id": cls.board.id,
                "company_id": cls.company.id,
                "aftersales_supplier_id": cls.vendor.id,
                "aftersales_supplier_warranty_end": date(2027, 1, 1),
            }
        )

    def _parts(self, visit):
        self._validate(self._request(1.0).picking_id)
        visit.part_ids = [
            Command.create({"product_id": self.pump.id, "quantity": 1.0}),
            Command.create({"product_id": self.board.id, "lot_id": self.old_board.id, "removed": True}),
        ]
        return visit

    def test_repair_claims_fitted_parts_and_hours(self):
        visit = self._finish_visit(self._parts(self._start_visit([])))
        removed = visit.part_ids.filtered("removed")
        claim = removed.claim_id
        self.assertEqual(claim.partner_id, self.vendor)
        self.assertEqual(claim.lot_id, self.old_board)
        part_line = claim.line_ids.filtered(lambda line: line.line_type == "part")
        self.assertEqual(part_line.product_id, self.pump, "the part fitted, not the defective one removed")
        self.assertEqual(part_line.price_subtotal, 18.0, "at cost")
        labour = claim.line_ids.filtered(lambda line: line.line_type == "labour")
        self.assertEqual(labour.price_subtotal, 60.0, "1.5 hours at the agreed 40")
        self.assertEqual(claim.amount_claimed, 78.0)

        claim.with_user(self.agent).action_send()
        claim.with_user(self.accountant).action_create_credit_note()
        claim.credit_note_ids.with_user(self.accountant).action_post()
        self.assertEqual(claim.state, "accepted")
        self.assertEqual((claim.amount_credited, claim.amount_due, claim.credit_state), (78.0, 0.0, "credited"))
        self.assertFalse(claim.rma_id, "nothing went back to the vendor")

    def test_installation_claims_nothing(self):
        visit = self._visit(visit_type_id=self.env.ref("aftersales_service.visit_type_installation").id)
        visit.write({"technician_id": self.tech_a.id, "scheduled_start": "2026-06-09 10:00:00"})
        self._parts(visit)
        removed = visit.part_ids.filtered("removed")
        with self.assertRaises(UserError) as cm:
            removed.with_user(self.agent).action_aftersales_claim_supplier()
        self.assertIn("only repairs are claimed", str(cm.exception))
        self.assertFalse(self.env["aftersales.supplier.claim"].search([("lot_id", "=", self.old_board.id)]))
