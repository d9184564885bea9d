from datetime import datetime

from odoo import http
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common_penalty import AftersalesPenaltyCommon


@tagged("post_install", "-at_install")
class TestPartnerDisputePortal(AftersalesPenaltyCommon, HttpCase):
    """The service partner disputes a penalty over HTTP; the dispatcher answers in the backend."""

    def setUp(self):
        super().setUp()
        self.late = self._late_job()
        self.rated = self._done_job(datetime(2026, 3, 11, 9, 0), datetime(2026, 3, 11, 10, 0))
        self._rate(self.rated, 2.0)
        self.settlement = self._march()
        self.settlement.action_compute_lines()
        self.settlement.with_user(self.dispatcher).action_confirm()
        penalties = self.settlement.line_ids.filtered(lambda line: line.line_type == "penalty")
        self.late_penalty = penalties.filtered(lambda line: line.visit_id == self.late)
        self.csat_penalty = penalties.filtered(lambda line: line.visit_id == self.rated)

    def _post(self, url, data=None):
        data = dict(data or {})
        data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open(url, data=data)

    def _dispute_url(self, line, settlement=None):
        return f"/my/settlements/{(settlement or self.settlement).id}/lines/{line.id}/dispute"

    def test_partner_disputes_a_penalty_the_dispatcher_waives_it(self):
        self.authenticate(self.partner_user.login, self.partner_user.login)
        page = self.url_open(f"/my/settlements/{self.settlement.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self._dispute_url(self.late_penalty), page.text)
        self.assertIn(self.late_penalty.name, page.text)

        # no reason: refused, nothing changes
        response = self._post(self._dispute_url(self.late_penalty), {"reason": "  "})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Say why you dispute this line.", response.text)
        self.assertFalse(self.late_penalty.dispute_state)

        response = self._post(self._dispute_url(self.late_penalty), {"reason": "The customer was not home."})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your dispute is sent", response.text)
        self.assertIn("The customer was not home.", response.text)
        self.assertEqual(self.late_penalty.dispute_state, "open")
        self.assertEqual(self.late_penalty.dispute_user_id, self.partner_user)
        self.assertEqual(self.settlement.activity_ids.user_id, self.dispatcher)

        # the dispatcher cannot bill while disputed; accepts; the bill no longer deducts the penalty
        with self.assertRaisesRegex(UserError, "answer the disputes"):
            self.settlement.with_user(self.dispatcher).action_create_bill()
        self.late_penalty.with_user(self.dispatcher)._answer_dispute("accepted", "Right, our mistake.")
        page = self.url_open(f"/my/settlements/{self.settlement.id}")
        self.assertIn("Right, our mistake.", page.text)
        self.settlement.with_user(self.dispatcher).action_create_bill()
        bill = self.settlement.move_id
        self.assertEqual(bill.amount_untaxed, self.settlement.amount_total)
        self.assertEqual(bill.amount_untaxed, 160.0 - 15.0)

        # once billed, no dispute
        response = self._post(self._dispute_url(self.csat_penalty), {"reason": "And this one?"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("is billed", response.text)
        self.assertFalse(self.csat_penalty.dispute_state)
        self.assertNotIn(self._dispute_url(self.csat_penalty), response.text)

    def test_rejected_dispute_keeps_the_penalty(self):
        self.authenticate(self.partner_user.login, self.partner_user.login)
        self._post(self._dispute_url(self.csat_penalty), {"reason": "The customer rates the price."})
        self.assertEqual(self.csat_penalty.dispute_state, "open")
        self.csat_penalty.with_user(self.dispatcher)._answer_dispute("rejected", "The survey rates the visit.")
        page = self.url_open(f"/my/settlements/{self.settlement.id}")
        self.assertIn("The survey rates the visit.", page.text)
        self.assertNotIn(self._dispute_url(self.csat_penalty), page.text, "answered: no second dispute")
        self.settlement.with_user(self.dispatcher).action_create_bill()
        self.assertEqual(self.settlement.move_id.amount_untaxed, 160.0 - 8.0 - 15.0)

    def test_another_partner_cannot_dispute(self):
        other_job = self._done_job(
            datetime(2026, 3, 12, 9, 0),
            datetime(2026, 3, 12, 10, 0),
            partner=self.other_point,
            request_date=datetime(2026, 3, 2, 8, 0),
        )
        self.env["aftersales.partner.rate"].create({"partner_id": self.other_point.id, "amount": 40.0})
        other = self._march(partner=self.other_point)
        other.action_compute_lines()
        other.with_user(self.dispatcher).action_confirm()
        self.assertTrue(other.line_ids.filtered(lambda line: line.visit_id == other_job and line.penalty_id))
        self.authenticate(self.other_partner_user.login, self.other_partner_user.login)
        # neither on the service point's statement, nor by passing its line through their own statement
        for url in (self._dispute_url(self.late_penalty), self._dispute_url(self.late_penalty, settlement=other)):
            response = self._post(url, {"reason": "Let me try"})
            self.assertEqual(response.status_code, 404)
        self.assertFalse(self.late_penalty.dispute_state)
        self.assertNotIn(self._dispute_url(self.late_penalty), self.url_open(f"/my/settlements/{other.id}").text)
        # not logged in: to the login page, nothing changes
        self.authenticate(None, None)
        response = self._post(self._dispute_url(self.late_penalty), {"reason": "Anonymous"})
        self.assertNotIn("Your dispute is sent", response.text)
        self.assertFalse(self.late_penalty.dispute_state)
