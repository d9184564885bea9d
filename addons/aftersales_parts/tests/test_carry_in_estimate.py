from odoo.exceptions import AccessError, UserError
from odoo.http import Request
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from .common_workshop import CarryInCommon


@tagged("post_install", "-at_install")
class TestCarryInEstimate(CarryInCommon, HttpCase):
    """The diagnosis and the estimate of the workshop job, accepted on the portal or at the counter,
    or refused."""

    def _sent_estimate(self):
        self._cover_parts()
        carry_in = self._prepare_estimate(self._receive())
        carry_in.with_user(self.lia.user_id).action_send_estimate()
        return carry_in

    def test_estimate_with_parts_and_labour(self):
        self._cover_parts()
        carry_in = self._prepare_estimate(self._receive())
        visit = carry_in.visit_id
        # the parts of a workshop job come from the centre's stock, not from a van
        self.assertEqual(visit.part_ids.location_id, self.warehouse.lot_stock_id)
        carry_in.with_user(self.lia.user_id).action_send_estimate()
        self.assertEqual(carry_in.state, "waiting_approval")
        self.assertTrue(carry_in.diagnosed_date)
        labour = visit.line_ids.filtered(lambda line: line.line_type == "labour")
        parts = visit.line_ids.filtered(lambda line: line.line_type == "part")
        self.assertEqual(parts.product_id, self.pump | self.seal, "the estimate includes the parts")
        self.assertEqual(set(parts.mapped("coverage")), {"warranty"})
        self.assertEqual(parts.mapped("price_subtotal"), [0.0, 0.0])
        self.assertEqual(labour.coverage, "billable")
        order = visit.quotation_id
        self.assertEqual(carry_in.quotation_id, order)
        self.assertEqual(order.state, "sent")
        self.assertEqual(order.order_line.aftersales_visit_line_id, labour, "the customer is asked for the labour")
        self.assertEqual(order.amount_untaxed, 120.0, "1.5 hours at the customer's 80")
        self.assertFalse(carry_in.repair_id)

    def test_estimate_with_paid_parts(self):
        """Without warranty the parts are on the quotation too, and billed once only."""
        carry_in = self._prepare_estimate(self._receive())
        carry_in.with_user(self.counter).action_send_estimate()
        order = carry_in.visit_id.quotation_id
        self.assertEqual(order.order_line.product_id, self.labour_product | self.pump | self.seal)
        self.assertEqual(order.amount_untaxed, 120.0 + 45.0 + 25.0)

    def test_estimate_needs_a_diagnosis(self):
        carry_in = self._receive()
        carry_in.visit_id.with_user(self.lia.user_id).write(
            {"line_ids": [(0, 0, {"line_type": "labour", "quantity": 1.0})]}
        )
        with self.assertRaisesRegex(UserError, "Write the diagnosis"):
            carry_in.with_user(self.lia.user_id).action_send_estimate()
        # another technician's unit is not his to estimate
        carry_in.diagnosis = "<p>Pump.</p>"
        with self.assertRaises(AccessError):
            carry_in.with_user(self.marco.user_id).action_send_estimate()

    def test_nothing_to_pay_is_approved_at_once(self):
        self._cover_parts()
        carry_in = self._receive()
        carry_in.with_user(self.lia.user_id).diagnosis = "<p>Worn pump.</p>"
        carry_in.visit_id.with_user(self.lia.user_id).write(
            {"part_ids": [(0, 0, {"product_id": self.pump.id, "quantity": 1.0})]}
        )
        carry_in.with_user(self.lia.user_id).action_send_estimate()
        self.assertEqual(carry_in.state, "in_repair")
        self.assertFalse(carry_in.visit_id.quotation_id)
        self.assertTrue(carry_in.approved_date)
        self.assertEqual(carry_in.repair_id.state, "confirmed")

    def test_accepted_on_the_portal(self):
        carry_in = self._sent_estimate()
        order = carry_in.visit_id.quotation_id
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/orders/{order.id}")
        self.assertEqual(response.status_code, 200)
        result = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {"access_token": order.access_token, "name": "Wendy Washer", "signature": SIGNATURE.decode()},
        )
        self.assertNotIn("error", result)
        self.assertEqual(order.state, "sale")
        self.assertEqual(carry_in.state, "in_repair")
        self.assertTrue(carry_in.approved_date)
        repair = carry_in.repair_id
        self.assertRecordValues(
            repair,
            [
                {
                    "aftersales_carry_in_id": carry_in.id,
                    "aftersales_ticket_id": self.ticket.id,
                    "product_id": self.product.id,
                    "lot_id": self.lot.id,
                    "partner_id": self.customer.id,
                    "state": "confirmed",
                    "user_id": self.lia.user_id.id,
                }
            ],
        )

    def test_accepted_at_the_counter(self):
        carry_in = self._sent_estimate()
        # the technician does not accept for the customer
        with self.assertRaises(AccessError):
            carry_in.with_user(self.lia.user_id).action_accept_estimate()
        carry_in.with_user(self.counter).action_accept_estimate()
        self.assertEqual(carry_in.visit_id.quotation_state, "accepted")
        self.assertEqual(carry_in.state, "in_repair")
        self.assertTrue(carry_in.repair_id)
        with self.assertRaisesRegex(UserError, "not possible"):
            carry_in.with_user(self.counter).action_accept_estimate()

    def test_refused_at_the_counter(self):
        self.company.aftersales_diagnosis_fee_product_id = self.diagnosis_product
        carry_in = self._sent_estimate()
        order = carry_in.visit_id.quotation_id
        with self.assertRaises(AccessError):
            carry_in.with_user(self.lia.user_id).action_refuse_estimate()
        action = carry_in.with_user(self.counter).action_refuse_estimate()
        wizard = Form(self.env[action["res_model"]].with_user(self.counter).with_context(**action["context"]))
        wizard.reason = "Too expensive"
        wizard.save().action_refuse()
        self.assertRecordValues(
            carry_in, [{"state": "ready", "refused": True, "refuse_reason": "Too expensive", "repair_id": False}]
        )
        self.assertTrue(carry_in.ready_date)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(carry_in.visit_id.state, "cancel")
        fee_order = self.ticket.fee_order_id
        fee_line = fee_order.order_line.filtered(lambda line: line.product_id == self.diagnosis_product)
        self.assertEqual(fee_line.price_subtotal, 25.0)
        self.assertEqual(fee_order.state, "sale")

    def test_refused_without_fee(self):
        carry_in = self._sent_estimate()
        carry_in.with_user(self.counter)._check_counter_agent("Refusing")
        self.env["aftersales.carry.in.refuse"].with_user(self.counter).create(
            {"carry_in_ids": carry_in.ids, "reason": "Repair elsewhere"}
        ).action_refuse()
        self.assertEqual(carry_in.state, "ready")
        self.assertFalse(self.ticket.fee_order_id, "no diagnosis fee set: nothing billed")

    def test_declined_on_the_portal(self):
        carry_in = self._sent_estimate()
        order = carry_in.visit_id.quotation_id
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(
            f"/my/orders/{order.id}/decline",
            data={
                "access_token": order.access_token,
                "decline_message": "Too expensive",
                "csrf_token": Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(order.state, "cancel")
        self.assertRecordValues(carry_in, [{"state": "ready", "refused": True}])
        self.assertEqual(carry_in.visit_id.state, "cancel")

    def test_rpc_writes_refused(self):
        carry_in = self._sent_estimate()
        for user in (self.counter, self.lia.user_id):
            with self.assertRaises(AccessError):
                carry_in.with_user(user).write({"state": "in_repair"})
        repair = self.env["repair.order"].create({"product_id": self.pump.id, "partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            carry_in.with_user(self.counter).write({"repair_id": repair.id})
        with self.assertRaises(AccessError):
            repair.with_user(self.clerk).write({"aftersales_carry_in_id": carry_in.id})
        self.assertEqual(carry_in.state, "waiting_approval")
