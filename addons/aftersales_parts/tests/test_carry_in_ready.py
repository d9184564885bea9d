from datetime import datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_carry_in import CarryInCommon


@tagged("post_install", "-at_install")
class TestCarryInReady(CarryInCommon):
    def _ready_messages(self, carry_in):
        return carry_in.message_ids.filtered(lambda message: "is ready" in (message.subject or ""))

    def test_done_job_without_inspection_makes_the_unit_ready(self):
        carry_in = self._ready_carry_in()
        self.assertEqual(carry_in.state, "ready", "no required inspection check: ready once the job is done")
        self.assertTrue(carry_in.ready_date)
        notice = self._ready_messages(carry_in)
        self.assertEqual(len(notice), 1, "the customer is told once")
        self.assertIn(self.customer, notice.partner_ids)
        self.assertIn(f"/my/repairs/{carry_in.id}", notice.body)
        self.assertIn("Monday to Friday, 9-18", notice.body)
        self.assertIn("repaired and ready", notice.body)

    def test_required_inspection_waits_for_its_answer(self):
        carry_in = self._receive(self._carry_in())
        check = self.env["aftersales.carry.in.step"].create(
            {"carry_in_id": carry_in.id, "phase": "inspection", "name": "Test ride", "required": True}
        )
        self._workshop_job(carry_in)
        self.assertEqual(carry_in.state, "in_repair", "the final inspection is not answered yet")
        as_technician = carry_in.with_user(self.technician_user)
        with self.assertRaisesRegex(UserError, "Test ride"):
            as_technician.action_mark_ready()
        check.with_user(self.technician_user).done = True
        as_technician.action_mark_ready()
        self.assertEqual(carry_in.state, "ready")
        self.assertEqual(len(self._ready_messages(carry_in)), 1)

    def test_agent_marks_ready_once_the_job_and_repair_are_done(self):
        carry_in = self._receive(self._carry_in())
        as_agent = carry_in.with_user(self.agent)
        with self.assertRaisesRegex(UserError, "not possible"):
            as_agent.action_mark_ready()
        check = self.env["aftersales.carry.in.step"].create(
            {"carry_in_id": carry_in.id, "phase": "inspection", "name": "Leak test", "required": True}
        )
        visit = self._workshop_job(carry_in, finish=False)
        with self.assertRaisesRegex(UserError, "not done"):
            as_agent.action_mark_ready()
        repair = self._repair(carry_in, [(self.pump, 1.0)], done=False)
        self._finish_job(visit)
        self.assertEqual(carry_in.state, "in_repair", "a required check waits for the agent")
        with self.assertRaisesRegex(UserError, "not done"):
            as_agent.action_mark_ready()
        repair.action_validate()
        repair.action_repair_start()
        repair.move_ids.picked = True
        repair.action_repair_end()
        with self.assertRaisesRegex(UserError, "Leak test"):
            as_agent.action_mark_ready()
        check.with_user(self.agent).done = True
        as_agent.action_mark_ready()
        self.assertEqual(carry_in.state, "ready")

    def test_other_technician_cannot_mark_ready(self):
        carry_in = self._receive(self._carry_in())
        self.env["aftersales.carry.in.step"].create(
            {"carry_in_id": carry_in.id, "phase": "inspection", "name": "Leak test", "required": True, "done": True}
        )
        self._workshop_job(carry_in)
        with self.assertRaises(AccessError):
            carry_in.with_user(self.tech_b.user_id).action_mark_ready()
        with self.assertRaises(AccessError):
            carry_in.with_user(self.technician_user).write({"state": "ready"})
        with self.assertRaises(AccessError):
            carry_in.with_user(self.agent).write({"ready_date": "2026-06-09 12:00:00"})
        self.assertEqual(carry_in.state, "in_repair")

    def test_refused_estimate_notice_says_unrepaired(self):
        carry_in = self._receive(self._carry_in())
        carry_in._set_stage("waiting_approval", refused=True)
        carry_in._set_stage("ready", ready_date="2026-06-09 12:00:00")
        carry_in._notify_ready()
        notice = self._ready_messages(carry_in)
        self.assertIn("returned unrepaired", notice.body)
        self.assertNotIn("repaired and ready", notice.body)

    def test_company_switch_and_customer_without_email(self):
        self.company.aftersales_notify_carry_in_ready = False
        carry_in = self._ready_carry_in()
        self.assertFalse(self._ready_messages(carry_in), "the company does not send the notice")
        self.company.aftersales_notify_carry_in_ready = True
        self.customer.email = False
        other = self._receive(self._carry_in(lot=self._sell_and_deliver(self.customer, self.product, "WM7-0002")[1]))
        self._workshop_job(other, start=datetime(2026, 6, 10, 10, 0))
        self.assertEqual(other.state, "ready")
        self.assertFalse(self._ready_messages(other))
        self.assertIn("no e-mail address", other.message_ids[0].body)
