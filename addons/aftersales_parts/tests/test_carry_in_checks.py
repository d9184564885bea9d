from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from .common_reception import CarryInReceptionCommon


@tagged("post_install", "-at_install")
class TestCarryInChecks(CarryInReceptionCommon):
    def test_checks_copied_from_category_and_parents(self):
        carry_in = self._new_carry_in()
        self.assertEqual(
            carry_in.intake_step_ids.mapped("name"), ["Mileage (km)", "Scratches", "Helmet left", "Photo of the unit"]
        )
        self.assertEqual(carry_in.inspection_step_ids.mapped("name"), ["Road test"])
        mileage = self._step(carry_in, "Mileage (km)")
        self.assertEqual(
            (mileage.check_id, mileage.answer_kind, mileage.required), (self.check_mileage, "number", True)
        )
        self.assertFalse(carry_in.step_ids.filtered("answered_on"))

    def test_checks_given_at_creation_are_kept(self):
        """A carry-in created with its checks already answered (an import, the demo data) keeps them: the
        checks of the category are copied only when none are given."""
        carry_in = self.env["aftersales.carry.in"].create(
            {
                "ticket_id": self.bike_ticket.id,
                "step_ids": [
                    Command.create(
                        {
                            "phase": "intake",
                            "name": "Scratches",
                            "answer_kind": "text",
                            "check_id": self.check_scratches.id,
                            "value_text": "Dent on the tank",
                        }
                    )
                ],
            }
        )
        self.assertEqual(carry_in.step_ids.mapped("value_text"), ["Dent on the tank"])

    def test_checks_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.check_scratches.with_context(lang="zh_CN").name = "划痕"
        self.customer.lang = "zh_CN"
        carry_in = self._new_carry_in()
        self.assertIn("划痕", carry_in.intake_step_ids.mapped("name"))

    def test_checks_follow_the_unit_at_the_counter(self):
        carry_in = self._new_carry_in()
        with Form(carry_in.with_user(self.counter)) as form:
            form.lot_id = self.env["stock.lot"]
            form.product_id = self.product
        self.assertEqual(carry_in.step_ids.mapped("name"), ["Drum turns freely"])
        # once a check is answered, a change of the unit keeps the answers
        with Form(carry_in.with_user(self.counter)) as form:
            with form.intake_step_ids.edit(0) as line:
                line.done = True
            form.product_id = self.motorcycle
        self.assertEqual(carry_in.step_ids.mapped("name"), ["Drum turns freely"])
        self.assertTrue(carry_in.step_ids.done)

    def test_agent_answers_the_intake_through_the_form(self):
        carry_in = self._new_carry_in()
        with self.assertRaisesRegex(UserError, "Mileage \\(km\\), Scratches"):
            carry_in._check_intake_done()
        self._answer_intake(carry_in)
        mileage, scratches = self._step(carry_in, "Mileage (km)"), self._step(carry_in, "Scratches")
        self.assertEqual(mileage.value_number, 12500)
        self.assertTrue(mileage.done)
        self.assertEqual(scratches.answered_by_id, self.counter)
        self.assertEqual(scratches.note, "Left side, 3 cm")
        self.assertEqual(scratches._answer_text(), "Two scratches on the tank")
        with Form(carry_in.with_user(self.counter)) as form:
            with form.intake_step_ids.edit(3) as line:
                line.photo = SIGNATURE
        self.assertTrue(self._step(carry_in, "Photo of the unit").answered_on)
        carry_in._check_intake_done()

    def test_wrong_kind_refused(self):
        carry_in = self._new_carry_in().with_user(self.counter)
        with self.assertRaisesRegex(ValidationError, "Mileage \\(km\\) of .* is answered with a number"):
            self._step(carry_in, "Mileage (km)").write({"value_text": "a lot"})
        with self.assertRaisesRegex(ValidationError, "Helmet left of .* is answered with a tick only"):
            self._step(carry_in, "Helmet left").write({"value_number": 2})
        with self.assertRaises(ValidationError):
            self._step(carry_in, "Mileage (km)").write({"value_number": "12500"})
        self.assertFalse(carry_in.step_ids.filtered("answered_on"))

    def test_definition_guarded(self):
        carry_in = self._new_carry_in()
        step = self._step(carry_in, "Scratches").with_user(self.counter)
        for vals in ({"name": "Nothing"}, {"required": False}, {"answer_kind": "tick"}, {"answered_by_id": 1}):
            with self.assertRaises(AccessError):
                step.write(vals)
        with self.assertRaises(AccessError):
            self.env["aftersales.carry.in.step"].with_user(self.counter).create(
                {"carry_in_id": carry_in.id, "name": "My own check"}
            )
        self.assertEqual(step.name, "Scratches")
        self.assertTrue(step.required)

    def test_intake_locked_after_reception(self):
        carry_in = self._answer_intake(self._new_carry_in())
        carry_in.action_receive()
        step = self._step(carry_in, "Scratches")
        with self.assertRaisesRegex(UserError, "is received: its intake check is what the customer signed"):
            step.write({"value_text": "No scratch at all"})
        # the form shows the signed intake read-only
        with Form(carry_in) as form, self.assertRaisesRegex(AssertionError, "not editable"):
            with form.intake_step_ids.edit(1) as line:
                line.note = "Changed afterwards"
        self.assertEqual(step.value_text, "Two scratches on the tank")

    def test_technician_cannot_answer_intake(self):
        carry_in = self._new_carry_in()
        job = self._visit(ticket=self.bike_ticket, technician_id=self.tech_a.id)
        carry_in.sudo().visit_id = job
        step = self._step(carry_in, "Helmet left").with_user(self.tech_user)
        with self.assertRaisesRegex(UserError, "filled at the counter by an after-sales agent"):
            step.write({"done": True})
        self.assertFalse(step.done)

    def test_final_inspection_in_repair(self):
        carry_in = self._answer_intake(self._new_carry_in())
        carry_in.action_receive()
        job = self._visit(ticket=self.bike_ticket, technician_id=self.tech_a.id)
        carry_in.sudo().visit_id = job
        road_test = self._step(carry_in, "Road test")
        # not before the repair
        with self.assertRaisesRegex(UserError, "answered while the unit is in repair"):
            road_test.with_user(self.tech_user).write({"done": True})
        with self.assertRaisesRegex(UserError, "Road test"):
            carry_in._check_inspection_done()
        carry_in.sudo().state = "in_repair"
        # another technician is not on the job: he does not even see the unit
        with self.assertRaises(AccessError):
            road_test.with_user(self.tech_b.user_id).write({"done": True})
        road_test.with_user(self.tech_user).write({"done": True, "note": "20 km, brakes fine"})
        self.assertEqual(road_test.answered_by_id, self.tech_user)
        carry_in._check_inspection_done()
        # and the intake check stays what the customer signed
        with self.assertRaises(UserError):
            self._step(carry_in, "Helmet left").with_user(self.counter).write({"done": False})
