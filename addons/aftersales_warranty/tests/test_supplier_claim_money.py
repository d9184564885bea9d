from datetime import date

from odoo import Command, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .test_coverage import VISIT_START, CoverageCommon


@tagged("post_install", "-at_install")
class TestSupplierClaimMoney(CoverageCommon):
    """Supplier claims worth money per the supplier's agreement, credited by vendor credit notes or bill
    deductions, and the manufacturer settlement that reads them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="as_claim_accountant",
            name="Carla Credit",
            groups="aftersales_service.aftersales_service_group_accountant",
        )
        cls.technician = cls.tech_a.user_id
        cls.maker = cls.env["res.partner"].create(
            {
                "name": "Motor Works",
                "is_company": True,
                "aftersales_claim_labour_rate": 40.0,
                "aftersales_claim_travel_fee": 25.0,
                "aftersales_claim_parts_at_cost": True,
            }
        )
        cls.call_centre_maker = cls.env["res.partner"].create(
            {"name": "Drum Brands", "is_company": True, "aftersales_claim_labour_rate": 30.0}
        )
        cls.lot.write({"aftersales_supplier_id": cls.maker.id, "aftersales_supplier_warranty_end": date(2027, 12, 31)})
        cls.Claim = cls.env["aftersales.supplier.claim"]
        cls.Settlement = cls.env["aftersales.supplier.settlement.report"]

    def _repaired_claim(self):
        """A repair at the customer's home: the defective part is scrapped there, nothing goes back."""
        visit = self._do_visit(self._visit())
        claim = self.Claim.search([("visit_id", "=", visit.id)])
        self.assertEqual(len(claim), 1, "the repair proposes a claim on the unit's supplier")
        return claim

    def _sent_claim(self):
        """The agent completes the amounts of the proposed claim and sends it."""
        claim = self._repaired_claim()
        with Form(claim.with_user(self.agent)) as form, form.line_ids.new() as line:
            line.line_type = "part"
            line.name = "Drain pump, scrapped on site"
            line.quantity = 1.0
            line.price_unit = 15.0
        claim.with_user(self.agent).action_send()
        self.assertEqual(claim.state, "sent")
        self.assertEqual(claim.amount_claimed, 100.0)
        self.assertEqual(claim.credit_state, "claimed")
        return claim

    def _settlement(self, claim):
        return self.Settlement.with_user(self.accountant).search([("claim_id", "=", claim.id)])

    def test_claim_amounts_from_the_visit_and_agreement(self):
        claim = self._repaired_claim()
        self.assertEqual(claim.partner_id, self.maker)
        labour, travel = claim.line_ids.sorted("id")
        self.assertEqual((labour.line_type, labour.quantity, labour.price_unit), ("labour", 1.5, 40.0))
        self.assertEqual(labour.price_subtotal, 60.0, "1.5 hours worked at the agreed 40")
        self.assertEqual((travel.line_type, travel.price_subtotal), ("travel", 25.0))
        self.assertEqual(claim.amount_claimed, 85.0)
        self.assertEqual(claim.amount_due, 85.0)
        self.assertEqual(claim.credit_state, "to_claim")
        self.assertEqual(claim.currency_id, self.company.currency_id)
        # a draft is the agent's to adjust
        with Form(claim.with_user(self.agent)) as form, form.line_ids.edit(0) as line:
            line.quantity = 2.0
        self.assertEqual(claim.amount_claimed, 105.0)

    def test_credit_note_for_a_repair_at_home(self):
        """The accountant turns the claim into a vendor credit note, adjusts nothing, posts it: credited."""
        claim = self._sent_claim()
        as_accountant = claim.with_user(self.accountant)
        # the accountant credits the claim, and is not offered to accept, reject or cancel it
        self.assertFalse(as_accountant.can_write)
        with self.assertRaises(AccessError):
            as_accountant.action_accept()
        self.assertEqual(claim.state, "sent")
        action = as_accountant.action_create_credit_note()
        note = claim.credit_note_ids
        self.assertEqual(action["res_id"], note.id)
        self.assertEqual(note.move_type, "in_refund")
        self.assertEqual(note.state, "draft")
        self.assertEqual(note.partner_id, self.maker)
        self.assertEqual(len(note.invoice_line_ids), 3, "one line per claimed amount")
        self.assertEqual(note.amount_untaxed, 100.0)
        self.assertEqual(claim.amount_credited, 0.0, "a draft credits nothing")
        with self.assertRaises(UserError) as cm:
            as_accountant.action_create_credit_note()
        self.assertIn("post or cancel it first", str(cm.exception))

        note.with_user(self.accountant).action_post()
        self.assertEqual(note.state, "posted")
        self.assertEqual(claim.amount_credited, 100.0)
        self.assertEqual(claim.amount_due, 0.0)
        self.assertEqual(claim.credit_state, "credited")
        self.assertEqual(claim.state, "accepted", "the supplier's credit accepts the claim")

        row = self._settlement(claim)
        self.assertEqual(len(row), 1)
        self.assertEqual(row.manufacturer_id, self.maker)
        self.assertEqual((row.amount_claimed, row.amount_credited, row.amount_due), (100.0, 100.0, 0.0))
        totals = self.Settlement.with_user(self.accountant)._read_group(
            [("manufacturer_id", "=", self.maker.id)],
            ["date:month"],
            ["claim_count:sum", "amount_claimed:sum", "amount_credited:sum", "amount_due:sum"],
        )
        self.assertEqual(len(totals), 1)
        self.assertEqual(totals[0][1:], (1, 100.0, 100.0, 0.0))

        with self.assertRaises(UserError) as cm:
            as_accountant.action_create_credit_note()
        self.assertIn("fully credited", str(cm.exception))

        # the credit note cancelled: the claim is due again
        note.with_user(self.accountant).button_draft()
        note.with_user(self.accountant).button_cancel()
        self.assertEqual(claim.amount_credited, 0.0)
        self.assertEqual(claim.amount_due, 100.0)

    def test_partial_credit_then_bill_deduction(self):
        claim = self._sent_claim()
        claim.with_user(self.accountant).action_create_credit_note()
        note = claim.credit_note_ids.with_user(self.accountant)
        # the maker pays labour and travel only: the accountant sets the part's line to nothing
        note.invoice_line_ids.filtered(lambda line: line.name.startswith("Drain pump")).price_unit = 0.0
        note.action_post()
        self.assertEqual(claim.amount_credited, 85.0)
        self.assertEqual(claim.amount_due, 15.0)
        self.assertEqual(claim.credit_state, "partial")
        row = self._settlement(claim)
        self.assertEqual((row.amount_claimed, row.amount_credited, row.amount_due), (100.0, 85.0, 15.0))

        # the rest is deducted from the maker's next bill
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.maker.id,
                "invoice_date": date(2026, 6, 30),
                "invoice_line_ids": [
                    Command.create({"name": "Spare motors", "quantity": 2, "price_unit": 200.0, "tax_ids": []})
                ],
            }
        )
        claim.with_user(self.accountant).action_deduct_from_bill()
        deduction = claim.deduction_line_ids
        self.assertEqual(deduction.move_id, bill)
        self.assertEqual(deduction.price_unit, -15.0)
        self.assertEqual(bill.amount_untaxed, 385.0)
        self.assertEqual(claim.amount_due, 15.0, "due until the bill is posted")
        bill.with_user(self.accountant).action_post()
        self.assertEqual(claim.amount_credited, 100.0)
        self.assertEqual(claim.amount_due, 0.0)
        self.assertEqual(claim.credit_state, "credited")
        self.assertEqual(claim.credit_note_count, 2)

    def test_second_credit_note_credits_the_balance(self):
        """After a partial credit, the next credit note credits exactly what is due, never a cent more."""
        claim = self._sent_claim()
        as_accountant = claim.with_user(self.accountant)
        as_accountant.action_create_credit_note()
        first = claim.credit_note_ids.with_user(self.accountant)
        first.invoice_line_ids[:1].price_unit -= 10.0 / 3.0
        first.action_post()
        due = claim.amount_due
        self.assertTrue(due > 0)
        as_accountant.action_create_credit_note()
        second = claim.credit_note_ids - first
        self.assertEqual(len(second.invoice_line_ids), 1)
        self.assertAlmostEqual(second.amount_untaxed, due, places=2)
        second.with_user(self.accountant).action_post()
        self.assertEqual(claim.amount_due, 0.0)
        self.assertEqual(claim.amount_credited, claim.amount_claimed)
        self.assertEqual(claim.credit_state, "credited")

    def test_no_draft_bill_to_deduct_from(self):
        claim = self._sent_claim()
        with self.assertRaises(UserError) as cm:
            claim.with_user(self.accountant).action_deduct_from_bill()
        self.assertIn("has no draft vendor bill", str(cm.exception))
        self.assertFalse(claim.deduction_line_ids)

    def test_sent_claim_amounts_are_guarded(self):
        claim = self._sent_claim()
        line = claim.line_ids[:1]
        for user in (self.agent, self.technician):
            for model, record, vals in (
                ("aftersales.supplier.claim", claim, {"amount_claimed": 1.0}),
                ("aftersales.supplier.claim", claim, {"amount_due": 0.0}),
                ("aftersales.supplier.claim", claim, {"line_ids": [Command.update(line.id, {"price_unit": 999.0})]}),
                ("aftersales.supplier.claim.line", line, {"price_unit": 999.0}),
            ):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    # as the web client calls it
                    api.call_kw(self.env[model].with_user(user), "write", [record.ids, vals], {})
            with self.subTest(user=user.login, op="unlink"), self.assertRaises(AccessError):
                line.with_user(user).unlink()
            with self.subTest(user=user.login, op="create"), self.assertRaises(AccessError):
                self.env["aftersales.supplier.claim.line"].with_user(user).create(
                    {"claim_id": claim.id, "name": "More", "price_unit": 50.0}
                )
        self.assertEqual(claim.amount_claimed, 100.0)
        self.assertEqual(line.price_unit, 40.0)
        # neither agents nor technicians credit claims
        for user in (self.agent, self.technician):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                claim.with_user(user).action_create_credit_note()
        self.assertFalse(claim.credit_note_ids)
        # nor does an accountant link a vendor document to a claim by hand
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.accountant).create(
                {"move_type": "in_refund", "partner_id": self.maker.id, "aftersales_supplier_claim_id": claim.id}
            )

    def test_draft_claim_is_not_credited(self):
        claim = self._repaired_claim()
        with self.assertRaises(UserError) as cm:
            claim.with_user(self.accountant).action_create_credit_note()
        self.assertIn("current status", str(cm.exception))
        self.assertFalse(claim.credit_note_ids)

    def test_only_repairs_claim(self):
        installation = self._visit(visit_type_id=self.env.ref("aftersales_service.visit_type_installation").id)
        self.assertFalse(self.Claim._propose(self.lot, ticket=self.ticket, visit=installation))
        maintenance = self._do_visit(
            self._visit(visit_type_id=self.env.ref("aftersales_service.visit_type_maintenance").id)
        )
        self.assertEqual(maintenance.state, "done")
        self.assertFalse(self.Claim.search([("lot_id", "=", self.lot.id)]), "maintenance is not claimed")
        repair = self._do_visit(self._visit(), start=VISIT_START.replace(hour=14))
        self.assertEqual(self.Claim.search([("lot_id", "=", self.lot.id)]).visit_id, repair)

    def test_manufacturer_job(self):
        """A job from the maker's call centre is claimed from that maker, whatever the unit's warranty."""
        self.lot.write({"aftersales_supplier_id": False, "aftersales_supplier_warranty_end": False})
        with Form(self.ticket.with_user(self.agent)) as form:
            form.job_origin = "manufacturer"
            form.manufacturer_id = self.call_centre_maker
        self._do_visit(self._visit())
        claim = self.Claim.search([("ticket_id", "=", self.ticket.id)])
        self.assertEqual(claim.partner_id, self.call_centre_maker)
        self.assertTrue(claim.manufacturer_job)
        self.assertEqual(claim.amount_claimed, 45.0, "1.5 hours at its agreed 30, no travel fee agreed")
        rows = self.Settlement.with_user(self.manager).search([("manufacturer_id", "=", self.call_centre_maker.id)])
        self.assertEqual(sum(rows.mapped("job_count")), 1)
        self.assertEqual(sum(rows.mapped("claim_count")), 1)
        self.assertEqual(sum(rows.mapped("amount_due")), 45.0)
        # an agent does not read the settlement
        with self.assertRaises(AccessError):
            self.Settlement.with_user(self.agent).search([])

    def test_manufacturer_job_needs_the_manufacturer(self):
        with self.assertRaises(ValidationError) as cm:
            self.ticket.with_user(self.agent).write({"job_origin": "manufacturer"})
        self.assertIn("say which manufacturer", str(cm.exception))
        self.assertEqual(self.ticket.job_origin, "direct")
