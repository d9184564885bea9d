from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import RmaCommon

AGENT = "aftersales_service.aftersales_service_group_user"
ACCOUNTANT = "aftersales_service.aftersales_service_group_accountant"
MANAGER = "aftersales_service.aftersales_service_group_manager"
CLERK = "aftersales_parts.aftersales_parts_group_clerk"
FINANCE_ACTIVITY = "aftersales_parts.mail_activity_type_rma_finance_approval"


class RmaApprovalCommon(RmaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # customer service approves the returns that Rita Returns records
        cls.cs_agent = new_test_user(cls.env, login="as_cs_agent", name="Carl Service", groups=AGENT)
        cls.accountant = new_test_user(
            cls.env, login="as_rma_finance", name="Fay Finance", email="fay@example.com", groups=ACCOUNTANT
        )

    def _entries(self, action, rma):
        return self.env["aftersales.audit.log"].search(
            [("action", "=", action), ("res_model", "=", rma._name), ("res_id", "=", rma.id)]
        )

    def _receive(self, rma):
        receipt = rma.sudo().return_picking_ids
        self._validate(receipt.with_user(self.stock_user))
        self.assertEqual(rma.state, "received")
        return receipt

    def _customer_messages(self, rma, template_xmlid):
        """The messages of ``rma`` sent with the template ``template_xmlid``."""
        subject = self.env.ref(template_xmlid)._render_field("subject", rma.ids)[rma.id]
        return rma.message_ids.filtered(lambda message: message.subject == subject)


@tagged("post_install", "-at_install")
class TestRmaStagedApproval(RmaApprovalCommon):
    """Customer service approves the returns; finance approves the refunds above the threshold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"aftersales_rma_staged_approval": True, "aftersales_rma_approval_amount": 150.0})

    def test_refund_above_threshold_waits_for_finance(self):
        rma = self._rma([(self.box_move, 2.0, {})])
        self.assertAlmostEqual(rma.amount_refund, 230.0)
        rma.with_user(self.cs_agent).action_approve()
        self.assertEqual(rma.state, "to_approve")
        self.assertEqual(rma.cs_approved_by_id, self.cs_agent)
        self.assertTrue(rma.cs_approved_date)
        self.assertFalse(rma.finance_approved_by_id)
        self.assertFalse(rma.sudo().return_picking_ids, "the goods come back once finance approved")
        self.assertFalse(rma.date_approved)
        activity = rma.activity_ids
        self.assertEqual(activity.activity_type_id, self.env.ref(FINANCE_ACTIVITY))
        self._assert_finance(activity.user_id, not_user=self.cs_agent)
        self.assertEqual(self._entries("rma_cs_approved", rma).user_id, self.cs_agent)
        self.assertIn("Carl Service", " ".join(rma.message_ids.mapped("body")))
        self.assertFalse(self._customer_messages(rma, "aftersales_parts.mail_template_rma_approved"))
        # the agent cannot take the finance step, neither from the form nor by writing the fields
        with self.assertRaises(AccessError) as caught:
            rma.with_user(self.cs_agent).action_approve()
        self.assertIn("accountant or manager", str(caught.exception))
        self.assertEqual(rma.state, "to_approve")

        rma.with_user(self.accountant).action_approve()
        self.assertEqual(rma.state, "approved")
        self.assertEqual(rma.finance_approved_by_id, self.accountant)
        self.assertTrue(rma.finance_approved_date)
        self.assertEqual(rma.cs_approved_by_id, self.cs_agent)
        self.assertTrue(rma.date_approved)
        self.assertEqual(rma.sudo().return_picking_ids.move_ids.product_uom_qty, 2.0)
        self.assertFalse(rma.activity_ids, "the finance activity is done")
        entry = self._entries("rma_finance_approved", rma)
        self.assertEqual(entry.user_id, self.accountant)
        self.assertIn("230", entry.new_value)
        self.assertIn("Fay Finance", " ".join(rma.message_ids.mapped("body")))
        self.assertTrue(self._customer_messages(rma, "aftersales_parts.mail_template_rma_approved"))
        self._receive(rma)

    def _assert_finance(self, user, not_user):
        self.assertEqual(len(user), 1)
        self.assertNotEqual(user, not_user)
        self.assertTrue(user.has_group(ACCOUNTANT) or user.has_group(MANAGER))

    def test_refund_below_threshold_in_one_step(self):
        rma = self._rma([(self.box_move, 1.0, {})])
        rma.with_user(self.cs_agent).action_approve()
        self.assertEqual(rma.state, "approved")
        self.assertEqual(rma.cs_approved_by_id, self.cs_agent)
        self.assertFalse(rma.finance_approved_by_id)
        self.assertTrue(rma.sudo().return_picking_ids)
        self.assertFalse(rma.activity_ids)
        self.assertTrue(self._entries("rma_cs_approved", rma))
        self.assertFalse(self._entries("rma_finance_approved", rma))

    def test_one_person_does_not_take_both_steps(self):
        rma = self._rma([(self.box_move, 2.0, {})])
        rma.with_user(self.accountant).action_approve()
        self.assertEqual(rma.state, "to_approve")
        with self.assertRaises(UserError) as caught:
            rma.with_user(self.accountant).action_approve()
        self.assertIn("another after-sales accountant or a manager", str(caught.exception))
        self.assertEqual(rma.state, "to_approve")
        self.assertFalse(rma.finance_approved_by_id)
        # finance is asked, someone else than who approved first
        self._assert_finance(rma.activity_ids.user_id, not_user=self.accountant)
        # a manager may take both steps
        other = self._rma([(self.box_move, 2.0, {})])
        other.with_user(self.manager).action_approve()
        self.assertEqual(other.state, "to_approve")
        other.with_user(self.manager).action_approve()
        self.assertEqual(other.state, "approved")
        self.assertEqual(other.cs_approved_by_id, self.manager)
        self.assertEqual(other.finance_approved_by_id, self.manager)

    def test_finance_rejects_the_refund(self):
        rma = self._rma([(self.box_move, 2.0, {})])
        rma.with_user(self.cs_agent).action_approve()
        action = rma.with_user(self.accountant).action_reject()
        with Form.from_action(rma.with_user(self.accountant).env, action) as wizard:
            wizard.reason = "The boxes were used for a season"
        wizard.record.action_reject()
        self.assertEqual(rma.state, "rejected")
        self.assertEqual(rma.reject_reason, "The boxes were used for a season")
        self.assertFalse(rma.activity_ids)
        self.assertFalse(rma.sudo().return_picking_ids)
        message = self._customer_messages(rma, "aftersales_parts.mail_template_rma_rejected")
        self.assertEqual(len(message), 1)
        self.assertIn("The boxes were used for a season", message.body)
        # reset, the return is approved again from the first step
        rma.with_user(self.rma_user).action_draft()
        self.assertFalse(rma.cs_approved_by_id)
        self.assertFalse(rma.cs_approved_date)

    def test_customer_service_rejects_at_either_step(self):
        draft = self._rma([(self.box_move, 1.0, {})])
        draft.with_user(self.cs_agent)._reject("Bought elsewhere")
        self.assertEqual(draft.state, "rejected")
        waiting = self._rma([(self.box_move, 2.0, {})])
        waiting.with_user(self.cs_agent).action_approve()
        waiting.with_user(self.cs_agent)._reject("The customer withdrew it")
        self.assertEqual(waiting.state, "rejected")
        # the parts clerk neither approves nor rejects refunds
        clerk = new_test_user(
            self.env,
            login="as_approval_clerk",
            name="Pia Parts",
            groups=CLERK,
        )
        third = self._rma([(self.box_move, 2.0, {})])
        third.with_user(self.cs_agent).action_approve()
        with self.assertRaises(AccessError):
            third.with_user(clerk)._reject("Not mine to say")
        self.assertEqual(third.state, "to_approve")

    def test_approval_fields_refused_to_rpc(self):
        rma = self._rma([(self.box_move, 2.0, {})])
        rma.with_user(self.cs_agent).action_approve()
        as_agent = rma.with_user(self.cs_agent)
        for vals in (
            {"finance_approved_by_id": self.cs_agent.id},
            {"finance_approved_date": fields.Datetime.now()},
            {"cs_approved_by_id": self.rma_user.id},
            {"state": "approved"},
        ):
            with self.assertRaises(AccessError):
                as_agent.write(vals)
        self.assertEqual(rma.state, "to_approve")
        self.assertFalse(rma.finance_approved_by_id)
        self.assertEqual(rma.cs_approved_by_id, self.cs_agent)
        with self.assertRaises(AccessError):
            self._rma([(self.box_move, 1.0, {})], finance_approved_by_id=self.rma_user.id)

    def test_waiting_returns_hold_their_quantities(self):
        rma = self._rma([(self.box_move, 4.0, {})])
        rma.with_user(self.cs_agent).action_approve()
        self.assertEqual(rma.state, "to_approve")
        with self.assertRaises(ValidationError):
            self._rma([(self.box_move, 2.0, {})])


@tagged("post_install", "-at_install")
class TestRmaCustomerMail(RmaApprovalCommon):
    """The customer is told by e-mail, with the link to the return on the portal, at each step."""

    def _check_mail(self, rma, template_xmlid):
        message = self._customer_messages(rma, template_xmlid)
        self.assertEqual(len(message), 1, template_xmlid)
        self.assertIn(f"/my/rmas/{rma.id}?access_token=", message.body)
        self.assertIn(self.customer, message.partner_ids)
        # e-mailed to the customer (the e-mail itself is sent and deleted at once)
        notified = message.sudo().notification_ids.filtered(lambda notif: notif.notification_type == "email")
        self.assertIn(self.customer, notified.res_partner_id)
        return message

    def test_customer_told_of_each_step(self):
        rma = self._rma([(self.box_move, 1.0, {})])
        rma.with_user(self.cs_agent).action_approve()
        self._check_mail(rma, "aftersales_parts.mail_template_rma_approved")
        self._receive(rma)
        self._check_mail(rma, "aftersales_parts.mail_template_rma_received")
        rma.with_user(self.rma_user)._refund("Refund agreed")
        refund = rma.sudo().refund_ids
        self.assertEqual(refund.state, "draft")
        self.assertFalse(
            self._customer_messages(rma, "aftersales_parts.mail_template_rma_refunded"),
            "not told while the credit note is a draft",
        )
        refund.with_user(self.accountant).action_post()
        message = self._check_mail(rma, "aftersales_parts.mail_template_rma_refunded")
        self.assertAlmostEqual(refund.amount_total, 115.0)
        self.assertIn("115.00", message.body)
        # the link lets the customer open the return on the portal
        self.assertTrue(rma.access_token)

    def test_warehouse_user_without_email_receives(self):
        """A warehouse user without an e-mail address validates the receipt: the customer is told all the
        same, from the return's responsible or the company."""
        self.stock_user.partner_id.email = False
        rma = self._rma([(self.box_move, 1.0, {})])
        rma.with_user(self.cs_agent).action_approve()
        self._receive(rma)
        message = self._check_mail(rma, "aftersales_parts.mail_template_rma_received")
        self.assertTrue(message.author_id.email)
        self.assertNotEqual(message.author_id, self.stock_user.partner_id)

    def test_customer_told_of_the_rejection(self):
        rma = self._rma([(self.box_move, 1.0, {})])
        rma.with_user(self.cs_agent)._reject("Outside the warranty")
        message = self._check_mail(rma, "aftersales_parts.mail_template_rma_rejected")
        self.assertIn("Outside the warranty", message.body)

    def test_customer_without_email(self):
        self.customer.email = False
        rma = self._rma([(self.box_move, 1.0, {})])
        rma.with_user(self.cs_agent).action_approve()
        self.assertEqual(rma.state, "approved")
        self.assertFalse(self._customer_messages(rma, "aftersales_parts.mail_template_rma_approved"))
        self.assertIn("has no e-mail address", rma.message_ids[0].body)
        self._receive(rma)
        self.assertIn("has no e-mail address", rma.message_ids[0].body)

    def test_company_sends_no_mail(self):
        self.company.aftersales_rma_notify_customer = False
        rma = self._rma([(self.box_move, 1.0, {})])
        rma.with_user(self.cs_agent).action_approve()
        self.assertFalse(self._customer_messages(rma, "aftersales_parts.mail_template_rma_approved"))
        self.assertFalse(rma.message_ids.filtered(lambda message: "e-mail" in (message.body or "")))
