from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools.misc import format_date

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from .common_reception import CarryInReceptionCommon


@tagged("post_install", "-at_install")
class TestCarryInReceipt(CarryInReceptionCommon):
    def _sign(self, carry_in, user=None, name=None):
        action = carry_in.with_user(user or self.counter).action_sign_intake()
        with Form(
            self.env[action["res_model"]].with_user(user or self.counter).with_context(**action["context"])
        ) as form:
            form.signature = SIGNATURE
            if name:
                form.signed_by = name
        return form.record.action_sign()

    def test_receipt_as_the_agent(self):
        carry_in = self._received()
        with self.assertRaises(AccessError):
            carry_in.write({"intake_signature": SIGNATURE})
        self._sign(carry_in)
        self.assertEqual(carry_in.intake_signed_by, self.customer.name)
        self.assertTrue(carry_in.intake_signature)
        action = carry_in.action_print_receipt()
        self.assertEqual(action["report_name"], "aftersales_parts.report_carry_in_receipt")
        html = (
            self.env["ir.actions.report"]
            .with_user(self.counter)
            ._render_qweb_html("aftersales_parts.action_report_carry_in_receipt", carry_in.ids)[0]
            .decode()
        )
        for text in (
            carry_in.name,
            self.bike_ticket.reference,
            "MC-0001",
            "Two scratches on the tank",
            "Left side, 3 cm",
            "12500",
            format_date(self.env, carry_in.expected_date),
            "remains the customer's property",
            self.customer.name,
        ):
            self.assertIn(text, html)

    def test_receipt_checks_without_note(self):
        """A check answered without a note prints an empty note, not the template's sample text."""
        carry_in = self._received()
        html = (
            self.env["ir.actions.report"]
            .with_user(self.counter)
            ._render_qweb_html("aftersales_parts.action_report_carry_in_receipt", carry_in.ids)[0]
            .decode()
        )
        self.assertGreater(len(carry_in.intake_step_ids.filtered(lambda step: not step.note)), 1)
        # only the scratches' note, once
        self.assertEqual(html.count("Left side"), 1)

    def test_receipt_only_once_received(self):
        carry_in = self._new_carry_in()
        with self.assertRaisesRegex(UserError, "Printing the receipt is not possible"):
            carry_in.action_print_receipt()

    def test_signatures_at_their_stage(self):
        carry_in = self._received()
        # the hand-over is signed once the unit is ready
        with self.assertRaisesRegex(UserError, "Signing the hand-over is not possible"):
            carry_in._record_signature("handover", SIGNATURE, "Wendy")
        # a technician takes no signature
        carry_in.sudo().visit_id = self._visit(ticket=self.bike_ticket, technician_id=self.tech_a.id)
        with self.assertRaisesRegex(AccessError, "by an after-sales agent"):
            carry_in.with_user(self.tech_user)._record_signature("intake", SIGNATURE, "Wendy")
        with self.assertRaisesRegex(UserError, "signs and gives their name"):
            carry_in._record_signature("intake", False, "Wendy")
        self._sign(carry_in, name="Walter Washer")
        self.assertEqual(carry_in.intake_signed_by, "Walter Washer")
        with self.assertRaisesRegex(UserError, "already signed the intake"):
            carry_in.action_sign_intake()
        carry_in.sudo().state = "ready"
        carry_in._record_signature("handover", SIGNATURE, "Wendy Washer")
        self.assertEqual(carry_in.handover_signed_by, "Wendy Washer")

    def test_stay_in_the_units_history(self):
        carry_in = self._received()
        Event = self.env["aftersales.unit.event"]
        events = Event.search([("lot_id", "=", self.bike_lot.id)])
        received = events.filtered(lambda event: event.kind == "carry_in_received")
        self.assertEqual(len(received), 1)
        self.assertEqual((received.res_model, received.res_id), ("aftersales.carry.in", carry_in.id))
        self.assertEqual(received.date, carry_in.received_date)
        self.assertEqual(received.partner_id, self.customer)
        # the reception picking is the stay, not a return of a sale
        self.assertFalse(events.filtered(lambda event: event.kind == "return"))
        self.assertFalse(events.filtered(lambda event: event.kind == "carry_in_collected"))
        carry_in.sudo().write({"state": "collected", "collected_date": "2026-06-13 10:00:00"})
        self.env.flush_all()
        collected = Event.search([("lot_id", "=", self.bike_lot.id), ("kind", "=", "carry_in_collected")])
        self.assertEqual((collected.res_model, collected.res_id), ("aftersales.carry.in", carry_in.id))
        self.assertEqual(str(collected.date), "2026-06-13 10:00:00")
