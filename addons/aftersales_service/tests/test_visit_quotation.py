from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.http import Request
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import SIGNATURE
from .common_fees import AftersalesFeesCommon

VISIT_START = datetime(2026, 6, 9, 10, 0)


class QuotationCommon(AftersalesFeesCommon):
    """An agent and a dispatcher with sales rights, the customer on the portal, and a scheduled
    visit of Tara Tech that the agent created, with labour and a call-out fee."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_agent = new_test_user(
            cls.env,
            login="as_quote_agent",
            name="Quinn Quote",
            email="quinn@example.com",
            groups="aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman",
        )
        cls.dispatcher = new_test_user(
            cls.env,
            login="as_quote_dispatcher",
            name="Dina Dispatch",
            groups="aftersales_service.aftersales_service_group_dispatcher,sales_team.group_sale_salesman",
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="as_quote_portal",
            name="Wendy Portal",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )
        # the customer signs the quotation online and pays later
        cls.company.write({"portal_confirmation_sign": True, "portal_confirmation_pay": False})
        cls.ticket.partner_id = cls.customer

    def _scheduled_visit(self, technician=None, lines=None, start=VISIT_START):
        Visit = self.env["aftersales.visit"].with_user(self.sales_agent)
        visit = Visit.create(
            {
                "ticket_id": self.ticket.id,
                "visit_type_id": self.type_repair_visit.id,
                "technician_id": (technician or self.tech_a).id,
                "scheduled_start": start,
                "line_ids": [
                    Command.create(vals)
                    for vals in (
                        lines
                        if lines is not None
                        else [
                            {"line_type": "labour", "quantity": 1.5},
                            {"line_type": "fee"},
                        ]
                    )
                ],
            }
        )
        visit.action_schedule()
        return visit.with_env(self.env)

    def _decline(self, order):
        """The agent cancels the quotation the customer refused, through Odoo's cancel window."""
        action = order.with_user(self.sales_agent).action_cancel()
        if isinstance(action, dict):
            wizard = Form(self.env[action["res_model"]].with_user(self.sales_agent).with_context(**action["context"]))
            wizard.save().action_cancel()
        self.assertEqual(order.state, "cancel")

    def _finish(self, visit, user, extra_lines=()):
        visit = visit.with_user(user)
        with freeze_time(VISIT_START):
            visit.action_start()
        if extra_lines:
            visit.write({"line_ids": [Command.create(vals) for vals in extra_lines]})
        visit.write({"work_report": "<p>Done.</p>", "signature": SIGNATURE, "signed_by": "Wendy Washer"})
        with freeze_time(VISIT_START + timedelta(hours=1, minutes=30)):
            visit.action_done()
        return visit.with_env(self.env)


@tagged("post_install", "-at_install")
class TestVisitQuotation(QuotationCommon):
    def test_agent_sends_a_quotation(self):
        visit = self._scheduled_visit()
        with Form(visit.with_user(self.sales_agent)) as form:
            with form.line_ids.new() as line:
                line.line_type = "travel_zone"
                line.product_id = self.zone_product
        visit.with_user(self.sales_agent).action_send_quotation()
        order = visit.quotation_id
        self.assertRecordValues(
            order,
            [
                {
                    "partner_id": self.customer.id,
                    "pricelist_id": self.pricelist.id,
                    "state": "sent",
                    "require_signature": True,
                    "require_payment": False,
                    "amount_untaxed": 1.5 * 80 + 30 + 40,
                }
            ],
        )
        self.assertEqual(order.order_line.aftersales_visit_line_id, visit.line_ids)
        self.assertEqual(visit.quotation_state, "sent")
        self.assertEqual(visit.with_user(self.tech_a.user_id).line_ids.mapped("quoted"), [True, True, True])
        self.assertEqual(visit.fee_amount, 190.0)
        # sent with Odoo's own quotation e-mail, to the customer
        mail = order.message_ids.filtered(lambda m: m.message_type == "comment" and self.customer in m.partner_ids)
        self.assertTrue(mail)
        self.assertIn(order.name, mail[0].subject)
        # the order is linked to the visit and to the ticket
        self.assertEqual(order.aftersales_visit_ids, visit)
        self.assertIn(order, self.ticket.visit_ids.fee_order_ids)
        # the quoted lines are on the order: they change there, no longer on the visit
        with self.assertRaises(AccessError):
            visit.line_ids[0].with_user(self.sales_agent).price_unit = 1.0
        with self.assertRaises(UserError):
            visit.line_ids[0].with_user(self.sales_agent).unlink()
        # the work waits for the customer's answer
        with self.assertRaisesRegex(UserError, "has not accepted the quotation"):
            visit.with_user(self.tech_a.user_id).action_start()
        self.assertEqual(visit.state, "scheduled")

    def test_accepted_quotation_is_the_service_order(self):
        visit = self._scheduled_visit()
        visit.with_user(self.sales_agent).action_send_quotation()
        order = visit.quotation_id
        order.with_user(self.portal_user).sudo().write(
            {"signature": SIGNATURE, "signed_by": "Wendy Washer", "signed_on": datetime.now()}
        )
        order.sudo()._validate_order()
        self.assertEqual(visit.quotation_state, "accepted")
        # a fee added on site goes onto the accepted order; no second order
        visit = self._finish(visit, self.tech_a.user_id, extra_lines=[{"line_type": "travel_zone"}])
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.fee_order_ids, order)
        self.assertEqual(len(order.order_line), 3)
        self.assertEqual(order.order_line.aftersales_visit_line_id, visit.line_ids)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.amount_untaxed, 1.5 * 80 + 30 + 40)
        self.assertFalse(self.ticket.fee_order_id, "no service order was opened beside the quotation")

    def _cancel_visit(self, visit, user):
        action = visit.with_user(user).action_open_cancel()
        wizard = Form(self.env[action["res_model"]].with_user(user).with_context(**action["context"]))
        wizard.reason = "The customer sold the machine"
        wizard.save().action_confirm()

    def test_cancelled_visit_takes_its_offer_along(self):
        """A waiting quotation is cancelled with its visit; an accepted one stops the cancellation."""
        visit = self._scheduled_visit()
        visit.with_user(self.sales_agent).action_send_quotation()
        self._cancel_visit(visit, self.sales_agent)
        self.assertEqual(visit.state, "cancel")
        self.assertEqual(visit.quotation_id.state, "cancel", "the customer can no longer accept it")

        visit = self._scheduled_visit(start=VISIT_START + timedelta(days=1))
        visit.with_user(self.sales_agent).action_send_quotation()
        order = visit.quotation_id
        order.sudo().write({"signature": SIGNATURE, "signed_by": "Wendy Washer", "signed_on": datetime.now()})
        order.sudo()._validate_order()
        with self.assertRaisesRegex(UserError, "cancel the order in Sales first"):
            self._cancel_visit(visit, self.sales_agent)
        self.assertEqual((visit.state, order.state), ("scheduled", "sale"))
        self._decline(order)
        self._cancel_visit(visit, self.sales_agent)
        self.assertEqual(visit.state, "cancel")

    def test_nothing_to_pay(self):
        visit = self._scheduled_visit(lines=[])
        with self.assertRaisesRegex(UserError, "nothing to pay"):
            visit.with_user(self.sales_agent).action_send_quotation()
        visit.with_user(self.sales_agent).write(
            {"line_ids": [Command.create({"line_type": "fee", "goodwill": True, "goodwill_reason": "Loyal customer"})]}
        )
        with self.assertRaisesRegex(UserError, "nothing to pay"):
            visit.with_user(self.sales_agent).action_send_quotation()
        self.assertFalse(visit.quotation_state)

    def test_sending_twice_and_after_the_start(self):
        visit = self._scheduled_visit()
        visit.with_user(self.sales_agent).action_send_quotation()
        with self.assertRaisesRegex(UserError, "already sent"):
            visit.with_user(self.sales_agent).action_send_quotation()
        self.assertEqual(self.env["sale.order"].search_count([("order_line.aftersales_visit_id", "=", visit.id)]), 1)
        started = self._scheduled_visit(start=VISIT_START + timedelta(hours=3))
        with freeze_time(VISIT_START + timedelta(hours=3)):
            started.with_user(self.tech_a.user_id).action_start()
        with self.assertRaisesRegex(UserError, "before the work"):
            started.with_user(self.sales_agent).action_send_quotation()

    def test_technician_sends_for_own_visit_only(self):
        technician = self.tech_a.user_id
        self.assertFalse(technician.has_group("sales_team.group_sale_salesman"))
        visit = self._scheduled_visit()
        visit.with_user(technician).action_send_quotation()
        self.assertEqual(visit.quotation_state, "sent")
        self.assertEqual(visit.with_user(technician).quotation_state, "sent")
        other = self._scheduled_visit(technician=self.tech_b)
        with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_rule"):
            other.with_user(technician).action_send_quotation()
        self.assertFalse(other.quotation_state)
        # the technician neither sees the order nor points the visit to another one
        with self.assertRaises(AccessError):
            visit.with_user(technician).read(["quotation_id"])
        with self.assertRaises(AccessError):
            visit.with_user(technician).write({"quotation_id": self.sale_order.id})

    def test_quotation_link_is_bookkeeping(self):
        visit = self._scheduled_visit()
        for user in (self.sales_agent, self.dispatcher):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                visit.with_user(user).write({"quotation_id": self.sale_order.id})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                visit.with_user(user).write({"quotation_waived_reason": "Because"})
        self.assertFalse(visit.quotation_id)

    def test_declined_quotation(self):
        visit = self._scheduled_visit()
        visit.with_user(self.sales_agent).action_send_quotation()
        first = visit.quotation_id
        self._decline(first)
        self.assertEqual(visit.quotation_state, "declined")
        with self.assertRaisesRegex(UserError, "declined the quotation"):
            visit.with_user(self.tech_a.user_id).action_start()
        # an agent does not decide alone; a dispatcher lets it start, with a reason
        with self.assertRaises(AccessError):
            visit.with_user(self.sales_agent)._waive_quotation("Customer agreed by phone")
        with self.assertRaisesRegex(UserError, "Say why"):
            visit.with_user(self.dispatcher)._waive_quotation(" ")
        action = visit.with_user(self.dispatcher).action_start_without_quotation()
        wizard = Form(self.env[action["res_model"]].with_user(self.dispatcher).with_context(**action["context"]))
        wizard.reason = "Customer agreed by phone"
        wizard.save().action_confirm()
        self.assertEqual(visit.quotation_waived_reason, "Customer agreed by phone")
        log = self.env["aftersales.audit.log"].search([("action", "=", "quotation_waived"), ("res_id", "=", visit.id)])
        self.assertEqual(log.user_id, self.dispatcher)
        # the fees are billed on the service order, the cancelled quotation stays as it is
        visit = self._finish(visit, self.tech_a.user_id)
        self.assertEqual(first.state, "cancel")
        order = self.ticket.fee_order_id
        self.assertTrue(order)
        self.assertEqual(order.order_line.aftersales_visit_line_id, visit.line_ids)
        self.assertEqual(order.amount_untaxed, 1.5 * 80 + 30)

    def test_new_quotation_after_a_declined_one(self):
        visit = self._scheduled_visit()
        visit.with_user(self.sales_agent).action_send_quotation()
        first = visit.quotation_id
        self._decline(first)
        self.assertFalse(any(visit.line_ids.mapped("quoted")), "the lines of a cancelled quotation are free again")
        visit.with_user(self.sales_agent).action_send_quotation()
        self.assertNotEqual(visit.quotation_id, first)
        self.assertEqual(visit.quotation_state, "sent")
        self.assertEqual(visit.quotation_id.order_line.aftersales_visit_line_id, visit.line_ids)


@tagged("post_install", "-at_install")
class TestVisitQuotationPortal(QuotationCommon, HttpCase):
    """The customer answers the quotation on Odoo's own portal."""

    def test_customer_signs_on_the_portal(self):
        visit = self._scheduled_visit()
        visit.with_user(self.sales_agent).action_send_quotation()
        order = visit.quotation_id
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/orders/{order.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(order.name, response.text)
        result = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {"access_token": order.access_token, "name": "Wendy Washer", "signature": SIGNATURE.decode()},
        )
        self.assertNotIn("error", result)
        self.assertEqual(order.state, "sale")
        self.assertEqual(visit.quotation_state, "accepted")
        visit = self._finish(visit, self.tech_a.user_id)
        self.assertEqual(visit.fee_order_ids, order)
        self.assertEqual(len(order.order_line), 2)

    def test_customer_signs_when_nothing_is_there_to_pay_with(self):
        """The company asks for online payment but has no payment provider: the quotation is sent
        to be signed instead, so that the customer is never left with nothing to accept."""
        self.company.write({"portal_confirmation_sign": False, "portal_confirmation_pay": True})
        self.env["payment.provider"].search([("company_id", "=", self.company.id)]).write({"state": "disabled"})
        visit = self._scheduled_visit()
        visit.with_user(self.sales_agent).action_send_quotation()
        order = visit.quotation_id
        self.assertRecordValues(order, [{"state": "sent", "require_payment": False, "require_signature": True}])
        self.authenticate(self.portal_user.login, self.portal_user.login)
        result = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {"access_token": order.access_token, "name": "Wendy Washer", "signature": SIGNATURE.decode()},
        )
        self.assertNotIn("error", result)
        self.assertEqual(visit.quotation_state, "accepted")

    def test_customer_declines_on_the_portal(self):
        visit = self._scheduled_visit()
        visit.with_user(self.sales_agent).action_send_quotation()
        order = visit.quotation_id
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
        self.assertEqual(visit.quotation_state, "declined")
        with self.assertRaisesRegex(UserError, "declined the quotation"):
            visit.with_user(self.tech_a.user_id).action_start()
