from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common_penalty import AftersalesPenaltyCommon


@tagged("post_install", "-at_install")
class TestPartnerPenalty(AftersalesPenaltyCommon):
    def test_late_rework_low_csat_penalised_and_deducted_on_the_bill(self):
        """A late job, a re-worked job and a low-CSAT job each give their penalty; an on-time job none; the
        vendor bill deducts them and its total is the statement's."""
        late = self._late_job()
        rated = self._done_job(datetime(2026, 3, 11, 9, 0), datetime(2026, 3, 11, 10, 0))
        self._rate(rated, 2.0)
        happy = self._done_job(datetime(2026, 3, 12, 9, 0), datetime(2026, 3, 12, 10, 0))
        self._rate(happy, 4.0)
        lot = self.env["stock.lot"].create({"name": "WM7-RW01", "product_id": self.product.id})
        reworked = self._done_job(datetime(2026, 3, 13, 9, 0), datetime(2026, 3, 13, 10, 0), lot=lot)
        revisit = self._done_job(
            datetime(2026, 3, 20, 9, 0), datetime(2026, 3, 20, 10, 0), visit_type=self.repair_type, lot=lot
        )
        settlement = self._march()
        settlement.action_compute_lines()
        # by hand: the checks are paid 80.00, the repair 50.00 (the rate for any job): 370.00;
        # late: 10% of 80.00; low CSAT: 15.00 fixed; re-work (the partner's own rule): 25% of 80.00
        self.assertEqual(
            self._penalties(settlement),
            {(late, "late"): -8.0, (rated, "low_csat"): -15.0, (reworked, "rework"): -20.0},
        )
        self.assertEqual(settlement.job_count, 5)
        self.assertEqual(settlement.penalty_total, -43.0)
        self.assertEqual(settlement.amount_total, 327.0)
        rework_line = settlement.line_ids.filtered(lambda line: line.penalty_reason == "rework")
        self.assertIn(revisit.name, rework_line.name)
        self.assertEqual((rework_line.penalty_id, rework_line.penalty_amount), (self.penalty_rework, 20.0))

        # computing again gives the same lines, once
        settlement.action_compute_lines()
        self.assertEqual(len(settlement.line_ids), 8)
        self.assertFalse(happy in settlement.line_ids.filtered(lambda line: line.line_type == "penalty").visit_id)

        settlement.with_user(self.dispatcher).action_confirm()
        settlement.with_user(self.dispatcher).action_create_bill()
        bill = settlement.move_id
        self.assertEqual(bill.amount_untaxed, settlement.amount_total)
        self.assertEqual(bill.amount_untaxed, 327.0)
        deducted = bill.invoice_line_ids.filtered(lambda line: line.price_subtotal < 0)
        self.assertEqual(sorted(deducted.mapped("price_subtotal")), [-20.0, -15.0, -8.0])
        self.assertEqual(deducted.aftersales_settlement_line_id.mapped("line_type"), ["penalty"] * 3)

    def test_partner_rules_replace_the_defaults_and_late_arrival(self):
        """The partner's own late rule (on arrival, fixed) replaces the company's default late rule; a job
        arrived within the grace is not late."""
        self.env["aftersales.partner.penalty"].with_user(self.manager).create(
            {
                "partner_id": self.service_point.id,
                "reason": "late",
                "late_basis": "arrival",
                "late_hours": 2.0,
                "amount": 12.5,
            }
        )
        resolve_late = self._late_job()
        arrived_late = self._done_job(datetime(2026, 3, 10, 14, 0), datetime(2026, 3, 10, 15, 0))
        arrived_late.scheduled_start = datetime(2026, 3, 10, 8, 0)
        in_grace = self._done_job(datetime(2026, 3, 11, 9, 30), datetime(2026, 3, 11, 10, 0))
        in_grace.scheduled_start = datetime(2026, 3, 11, 8, 0)
        rules = self.env["aftersales.partner.penalty"]._rules_for(self.service_point, self.company)
        self.assertNotIn(self.penalty_late, rules, "the partner's late rule replaces the default")
        self.assertIn(
            self.penalty_late,
            self.env["aftersales.partner.penalty"]._rules_for(self.other_point, self.company),
            "the other partner has no late rule: the default applies",
        )
        settlement = self._march()
        settlement.action_compute_lines()
        # 6 hours late, 2 of grace: 12.50; the job done after the SLA deadline arrived before its planned start
        self.assertEqual(self._penalties(settlement), {(arrived_late, "late"): -12.5})
        self.assertNotIn(resolve_late, settlement.line_ids.filtered("penalty_id").visit_id)

    def test_penalties_never_take_the_statement_below_zero(self):
        """Penalties are capped at what the statement pays: its total, and its bill, are never below zero."""
        self.penalty_late.with_user(self.manager).write({"amount_type": "fixed", "amount": 500.0})
        late = self._late_job()
        settlement = self._march()
        settlement.action_compute_lines()
        penalty = settlement.line_ids.filtered(lambda line: line.line_type == "penalty")
        self.assertEqual((penalty.visit_id, penalty.price_subtotal, penalty.penalty_amount), (late, -80.0, 500.0))
        self.assertIn("capped", penalty.name)
        self.assertEqual(settlement.amount_total, 0.0)
        settlement.with_user(self.dispatcher).action_confirm()
        settlement.with_user(self.dispatcher).action_create_bill()
        self.assertEqual(settlement.move_id.amount_total, 0.0)

    def test_rework_found_after_the_statement_is_penalised_on_the_next(self):
        """A re-work that shows after the job's statement is deducted on the next statement, once."""
        lot = self.env["stock.lot"].create({"name": "WM7-RW02", "product_id": self.product.id})
        job = self._done_job(datetime(2026, 3, 25, 9, 0), datetime(2026, 3, 25, 10, 0), lot=lot)
        march = self._march()
        march.action_compute_lines()
        self.assertFalse(self._penalties(march))
        march.with_user(self.dispatcher).action_confirm()
        revisit = self._done_job(
            datetime(2026, 4, 5, 9, 0), datetime(2026, 4, 5, 10, 0), visit_type=self.repair_type, lot=lot
        )
        april = (
            self.env["aftersales.partner.settlement"]
            .with_user(self.dispatcher)
            .create({"partner_id": self.service_point.id, "date_from": date(2026, 4, 1), "date_to": date(2026, 4, 30)})
        )
        april.action_compute_lines()
        self.assertEqual(april.line_ids.visit_id, job | revisit)
        self.assertEqual(self._penalties(april), {(job, "rework"): -20.0})
        self.assertEqual(april.amount_total, 30.0)

    def test_penalty_fields_are_guarded_for_every_role(self):
        """Nobody changes a penalty, or makes one up, by a direct write: dispatcher, manager or portal user."""
        self._late_job()
        settlement = self._march()
        settlement.action_compute_lines()
        penalty = settlement.line_ids.filtered(lambda line: line.line_type == "penalty")
        job_line = settlement.line_ids.filtered(lambda line: line.line_type == "job")
        for user in (self.dispatcher, self.manager):
            for vals in (
                {"price_unit": 0.0},
                {"quantity": 0.0},
                {"penalty_waived": True},
                {"penalty_amount": 1.0},
                {"dispute_state": "accepted"},
                {"dispute_answer": "Fine"},
            ):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    penalty.with_user(user).write(vals)
            with self.assertRaises(AccessError):
                job_line.with_user(user).write({"line_type": "penalty"})
            with self.assertRaises(AccessError):
                settlement.with_user(user).write(
                    {
                        "line_ids": [
                            Command.create(
                                {
                                    "line_type": "penalty",
                                    "visit_id": job_line.visit_id.id,
                                    "penalty_id": self.penalty_csat.id,
                                    "penalty_reason": "low_csat",
                                    "name": "Made up",
                                    "price_unit": -50.0,
                                }
                            )
                        ]
                    }
                )
        with self.assertRaises(ValidationError):
            settlement.with_user(self.dispatcher).write(
                {"line_ids": [Command.create({"line_type": "penalty", "visit_id": job_line.visit_id.id, "name": "X"})]}
            )
        # a job line of a draft statement is still corrected by the dispatcher
        job_line.with_user(self.dispatcher).price_unit = 70.0
        self.assertEqual(penalty.price_subtotal, -8.0)
        settlement.with_user(self.dispatcher).action_confirm()
        with self.assertRaises(AccessError):
            penalty.with_user(self.partner_user).write({"dispute_state": "open", "dispute_reason": "No"})

    def test_only_managers_set_the_rules(self):
        with self.assertRaises(AccessError):
            self.env["aftersales.partner.penalty"].with_user(self.dispatcher).create({"reason": "late", "amount": 1})
        with self.assertRaises(AccessError):
            self.penalty_late.with_user(self.dispatcher).percent = 50.0
        with self.assertRaises(ValidationError):
            self.env["aftersales.partner.penalty"].with_user(self.manager).create({"reason": "low_csat", "amount": 3})
        with self.assertRaises(ValidationError):
            self.env["aftersales.partner.penalty"].with_user(self.manager).create(
                {"partner_id": self.customer.id, "reason": "late", "amount": 3}
            )
        with self.assertRaises(ValidationError):
            self.env["aftersales.partner.penalty"].with_user(self.manager).create(
                {"partner_id": self.other_point.id, "reason": "late", "amount_type": "percent", "percent": 120}
            )


@tagged("post_install", "-at_install")
class TestPartnerDispute(AftersalesPenaltyCommon):
    """The partner's disputes, answered by the dispatcher (the portal's HTTP flow is in the portal tests)."""

    def _confirmed_march(self):
        self.late = self._late_job()
        self.rated = self._done_job(datetime(2026, 3, 11, 9, 0), datetime(2026, 3, 11, 10, 0))
        self._rate(self.rated, 1.0)
        settlement = self._march()
        settlement.action_compute_lines()
        settlement.with_user(self.dispatcher).action_confirm()
        return settlement

    def _line(self, settlement, visit, line_type="penalty"):
        return settlement.line_ids.filtered(lambda line: line.visit_id == visit and line.line_type == line_type)

    def _dispute(self, line, reason, user=None):
        # as the portal does: the portal user, after the access check of the statement
        return line.with_user(user or self.partner_user).sudo()._partner_dispute(reason)

    def _answer(self, line, decision, answer, price=None, user=None):
        action = line.with_user(user or self.dispatcher).action_answer_dispute()
        with Form(
            self.env[action["res_model"]].with_user(user or self.dispatcher).with_context(**action["context"])
        ) as form:
            form.decision = decision
            if price is not None:
                form.price_unit = price
            form.answer = answer
        return form.record.action_confirm()

    def test_accepted_dispute_waives_the_penalty_rejected_keeps_it(self):
        settlement = self._confirmed_march()
        late_penalty, csat_penalty = self._line(settlement, self.late), self._line(settlement, self.rated)
        self.assertEqual(settlement.amount_total, 160.0 - 8.0 - 15.0)
        self._dispute(late_penalty, "The customer moved the appointment twice.")
        self._dispute(csat_penalty, "The customer was angry about the price, not our work.")
        self.assertEqual(late_penalty.dispute_state, "open")
        self.assertEqual(late_penalty.dispute_user_id, self.partner_user)
        self.assertEqual(settlement.dispute_open_count, 2)
        # the dispatcher (who made the statement) is asked to answer; the chatter says it
        self.assertEqual(settlement.activity_ids.user_id, self.dispatcher)
        self.assertIn("moved the appointment", settlement.message_ids[1].body + settlement.message_ids[0].body)

        with self.assertRaisesRegex(UserError, "answer the disputes"):
            settlement.with_user(self.dispatcher).action_create_bill()
        self.assertEqual(settlement.state, "confirmed")
        # an agent does not answer; an empty answer is refused and changes nothing
        with self.assertRaises(AccessError):
            late_penalty.with_user(self.agent)._answer_dispute("accepted", "ok")
        with self.assertRaises(UserError):
            late_penalty.with_user(self.dispatcher)._answer_dispute("accepted", "  ")
        self.assertEqual((late_penalty.dispute_state, late_penalty.price_subtotal), ("open", -8.0))

        self._answer(late_penalty, "accepted", "Agreed: the customer moved it.")
        self.assertEqual((late_penalty.dispute_state, late_penalty.price_subtotal), ("accepted", 0.0))
        self.assertTrue(late_penalty.penalty_waived)
        self.assertEqual(late_penalty.penalty_amount, 8.0, "what the rule deducted is kept")
        audit = self.env["aftersales.audit.log"].search(
            [("res_model", "=", late_penalty._name), ("res_id", "=", late_penalty.id)]
        )
        self.assertEqual(
            (audit.action, audit.user_id, audit.reason),
            ("settlement_dispute_accepted", self.dispatcher, "Agreed: the customer moved it."),
        )
        answer_mail = settlement.message_ids[0]
        self.assertIn(self.service_point, answer_mail.partner_ids)
        self.assertIn(self.partner_user.partner_id, answer_mail.partner_ids)
        self.assertIn("accepted", answer_mail.body)
        with self.assertRaisesRegex(UserError, "answer the disputes"):
            settlement.with_user(self.dispatcher).action_create_bill()

        self._answer(csat_penalty, "rejected", "The survey rates the visit, not the price.")
        self.assertEqual((csat_penalty.dispute_state, csat_penalty.price_subtotal), ("rejected", -15.0))
        self.assertFalse(settlement.activity_ids, "every dispute is answered: the to-do is done")
        with self.assertRaises(UserError):
            self._answer(csat_penalty, "accepted", "Changed my mind")

        # computing a draft again keeps the answers
        settlement.with_user(self.dispatcher).action_reset_draft()
        settlement.with_user(self.dispatcher).action_compute_lines()
        late_penalty = self._line(settlement, self.late)
        self.assertEqual((late_penalty.dispute_state, late_penalty.price_subtotal), ("accepted", 0.0))
        self.assertEqual(self._line(settlement, self.rated).dispute_state, "rejected")
        settlement.with_user(self.dispatcher).action_confirm()

        settlement.with_user(self.dispatcher).action_create_bill()
        bill = settlement.move_id
        self.assertEqual(bill.amount_untaxed, settlement.amount_total)
        self.assertEqual(bill.amount_untaxed, 145.0, "the waived penalty is no longer deducted")
        self.assertEqual(
            bill.invoice_line_ids.filtered(lambda line: line.price_subtotal < 0).aftersales_settlement_line_id,
            self._line(settlement, self.rated),
        )

    def test_job_line_corrected_by_an_accepted_dispute(self):
        settlement = self._confirmed_march()
        job_line = self._line(settlement, self.late, "job")
        self._dispute(job_line, "We agreed 95.00 for this one.")
        with self.assertRaises(UserError):
            self._answer(job_line, "accepted", "Right", price=-5.0)
        self.assertEqual(job_line.price_subtotal, 80.0)
        self._answer(job_line, "accepted", "Right, 95.00 as agreed by phone.", price=95.0)
        self.assertEqual(job_line.price_subtotal, 95.0)
        self.assertEqual(settlement.amount_total, 95.0 + 80.0 - 8.0 - 15.0)

    def test_wrong_disputes_are_refused(self):
        settlement = self._confirmed_march()
        line = self._line(settlement, self.late)
        with self.assertRaisesRegex(UserError, "Say why"):
            self._dispute(line, " ")
        with self.assertRaises(AccessError):
            self._dispute(line, "Not ours but we try", user=self.other_partner_user)
        self.assertFalse(line.dispute_state)
        self._dispute(line, "Late because of the customer")
        with self.assertRaisesRegex(UserError, "already disputed"):
            self._dispute(line, "Again")
        self._answer(line, "rejected", "No")
        settlement.with_user(self.dispatcher).action_create_bill()
        # once billed, no dispute
        with self.assertRaisesRegex(UserError, "is billed"):
            self._dispute(self._line(settlement, self.rated), "Too late?")
        self.assertFalse(self._line(settlement, self.rated).dispute_state)
