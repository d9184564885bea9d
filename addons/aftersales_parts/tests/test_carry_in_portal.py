from odoo import Command
from odoo.tests import HttpCase, tagged

from .common_carry_in import CarryInCommon


@tagged("post_install", "-at_install")
class TestCarryInPortal(CarryInCommon, HttpCase):
    def test_customer_follows_the_unit(self):
        carry_in = self._ready_carry_in(parts=[(self.pump, 1.0)])
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open("/my/home")
        self.assertEqual(response.status_code, 200)
        self.assertIn("/my/repairs", response.text)
        response = self.url_open("/my/repairs")
        self.assertEqual(response.status_code, 200)
        self.assertIn(carry_in.name, response.text)
        self.assertIn("Ready", response.text)
        response = self.url_open(f"/my/repairs/{carry_in.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(carry_in.name, response.text)
        self.assertIn("WM7-0001", response.text)
        self.assertIn("o_aftersales_carry_in_ready", response.text)
        self.assertIn("Monday to Friday, 9-18", response.text)

        self.policy.repair_warranty_duration = 90
        self.authenticate(None, None)
        self._sign_handover(carry_in, name="Wendy at the counter")
        carry_in.with_user(self.agent).action_hand_over()
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/repairs/{carry_in.id}")
        self.assertIn("o_aftersales_carry_in_handover", response.text)
        self.assertIn("Wendy at the counter", response.text)
        self.assertNotIn("o_aftersales_carry_in_ready", response.text)
        self.assertIn("o_aftersales_carry_in_part_warranties", response.text)
        self.assertIn(self.pump.name, response.text)

    def test_estimate_link_and_hand_over_record(self):
        carry_in = self._receive(self._carry_in())
        self.env["aftersales.carry.in.step"].create(
            {"carry_in_id": carry_in.id, "phase": "intake", "name": "Scratch on the lid", "done": True}
        )
        # Tara diagnoses the unit and sends the estimate of her labour: it waits for the customer
        carry_in.visit_id.write(
            {"technician_id": self.tech_a.id, "line_ids": [Command.create({"line_type": "labour", "quantity": 1.0})]}
        )
        carry_in.with_user(self.technician_user).diagnosis = "<p>Worn drum bearing.</p>"
        carry_in.with_user(self.technician_user).action_send_estimate()
        self.assertEqual(carry_in.state, "waiting_approval")
        quotation = carry_in.quotation_id
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/repairs/{carry_in.id}")
        self.assertIn("Scratch on the lid", response.text)
        self.assertIn(f"/my/orders/{quotation.id}", response.text)
        self.assertIn("Review and Accept", response.text)

    def test_other_customer_is_refused(self):
        carry_in = self._ready_carry_in()
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        response = self.url_open(f"/my/repairs/{carry_in.id}")
        self.assertEqual(response.status_code, 404)
        response = self.url_open("/my/repairs")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(carry_in.name, response.text)
        response = self.url_open("/my/repairs/999999")
        self.assertEqual(response.status_code, 404)
