import base64
from datetime import datetime, timedelta

from odoo import Command, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import SIGNATURE
from .common_fees import AftersalesFeesCommon
from .common_partner import AftersalesPartnerCommon

PNG = base64.b64decode(SIGNATURE)

START = datetime(2026, 6, 9, 10, 0)


class ChecklistCommon(AftersalesFeesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_user = new_test_user(
            cls.env,
            login="as_checklist_agent",
            name="Cora Agent",
            groups="aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman",
        )
        cls.dispatcher = new_test_user(
            cls.env,
            login="as_checklist_dispatcher",
            name="Dina Dispatcher",
            groups="aftersales_service.aftersales_service_group_dispatcher,sales_team.group_sale_salesman",
        )
        cls.tech_user = cls.tech_a.user_id
        cls.other_tech_user = cls.tech_b.user_id
        cls.type_checked = cls.env["aftersales.visit.type"].create(
            {
                "name": "Checked Repair",
                "kind": "repair",
                "labour_product_id": cls.labour_product.id,
                "step_ids": [
                    Command.create({"sequence": 1, "name": "Check the drain pump", "required": True}),
                    Command.create({"sequence": 2, "name": "Water pressure (bar)", "answer_kind": "number"}),
                    Command.create({"sequence": 3, "name": "Fault found", "answer_kind": "text", "required": True}),
                    Command.create({"sequence": 4, "name": "Serial plate", "answer_kind": "photo"}),
                    Command.create({"sequence": 5, "name": "Old step", "active": False}),
                ],
            }
        )

    def _checked_visit(self, started=True, start=START):
        """A visit of the checked type, created by the agent, for Tara; started by her."""
        with Form(self.env["aftersales.visit"].with_user(self.agent_user)) as form:
            form.ticket_id = self.ticket.with_user(self.agent_user)
            form.visit_type_id = self.type_checked
        visit = form.record.with_env(self.env)
        visit.write({"technician_id": self.tech_a.id, "scheduled_start": start})
        visit.action_schedule()
        if started:
            visit.with_user(self.tech_user).action_start()
        return visit

    def _step(self, visit, name):
        return visit.step_ids.filtered(lambda step: step.name == name)


@tagged("post_install", "-at_install")
class TestVisitChecklist(ChecklistCommon):
    def test_steps_copied_on_create_and_on_type_change(self):
        visit = self._checked_visit(started=False)
        self.assertRecordValues(
            visit.step_ids,
            [
                {"name": "Check the drain pump", "required": True, "answer_kind": "tick", "done": False},
                {"name": "Water pressure (bar)", "required": False, "answer_kind": "number", "done": False},
                {"name": "Fault found", "required": True, "answer_kind": "text", "done": False},
                {"name": "Serial plate", "required": False, "answer_kind": "photo", "done": False},
            ],
        )
        self.assertEqual(visit.step_progress, "0/4 steps")
        # not started: the visit follows its new type, as the agent changes it
        with Form(visit.with_user(self.agent_user)) as form:
            form.visit_type_id = self.type_repair_visit
        self.assertEqual(visit.step_ids.mapped("name"), self.type_repair_visit.step_ids.mapped("name"))
        self.assertEqual(visit.step_ids.type_step_id, self.type_repair_visit.step_ids)
        visit.with_user(self.agent_user).visit_type_id = self.type_checked
        self.assertEqual(len(visit.step_ids), 4)
        steps = visit.step_ids
        visit.with_user(self.agent_user).write({"visit_type_id": self.type_checked.id})
        self.assertEqual(visit.step_ids, steps, "the same type keeps the same steps")
        # started and answered: the checklist stays what the technician answered
        visit.with_user(self.tech_user).action_start()
        step = self._step(visit, "Check the drain pump")
        step.with_user(self.tech_user).done = True
        visit.with_user(self.agent_user).visit_type_id = self.type_repair_visit
        self.assertEqual(len(visit.step_ids), 4)
        self.assertTrue(step.exists().done)

    def test_technician_answers_own_visit_in_progress(self):
        visit = self._checked_visit(started=False)
        as_tech = visit.with_user(self.tech_user)
        with self.assertRaisesRegex(UserError, "start the visit first"):
            self._step(as_tech, "Check the drain pump").done = True
        as_tech.action_start()
        with Form(as_tech) as form:
            with form.step_ids.edit(0) as line:
                line.done = True
            with form.step_ids.edit(1) as line:
                line.value_number = 2.5
            with form.step_ids.edit(2) as line:
                line.value_text = "Pump blocked by a coin"
            with form.step_ids.edit(3) as line:
                line.photo = SIGNATURE.decode()
        self.assertRecordValues(
            visit.step_ids,
            [
                {"done": True, "value_number": 0.0, "value_text": False, "answered_by_id": self.tech_user.id},
                {"done": True, "value_number": 2.5, "value_text": False, "answered_by_id": self.tech_user.id},
                {
                    "done": True,
                    "value_number": 0.0,
                    "value_text": "Pump blocked by a coin",
                    "answered_by_id": self.tech_user.id,
                },
                {"done": True, "value_number": 0.0, "value_text": False, "answered_by_id": self.tech_user.id},
            ],
        )
        self.assertTrue(all(visit.step_ids.mapped("answered_on")))
        self.assertEqual(visit.step_progress, "4/4 steps")
        # unticking takes the answer back
        self._step(as_tech, "Check the drain pump").done = False
        self.assertRecordValues(self._step(visit, "Check the drain pump"), [{"done": False, "answered_by_id": False}])

    def test_other_technician_and_closed_visits_refused(self):
        visit = self._checked_visit()
        step = self._step(visit, "Check the drain pump")
        with self.assertRaises(AccessError):
            step.with_user(self.other_tech_user).write({"done": True})
        with self.assertRaises(AccessError):
            step.with_user(self.other_tech_user).read(["name"])
        self.assertFalse(
            self.env["aftersales.visit.step"].with_user(self.other_tech_user).search([("visit_id", "=", visit.id)])
        )
        with self.assertRaises(AccessError):
            self.env["aftersales.visit.step"].with_user(self.tech_user).create(
                {"visit_id": visit.id, "name": "My own step"}
            )
        with self.assertRaises(AccessError):
            step.with_user(self.tech_user).unlink()
        # done: locked for the technician and for the dispatcher alike
        self._finish(visit)
        for user in (self.tech_user, self.dispatcher):
            with self.subTest(user=user.login), self.assertRaisesRegex(UserError, "Correct action"):
                step.with_user(user).write({"done": False})
        self.assertTrue(step.done)
        # cancelled: nothing to answer any more
        other = self._checked_visit(start=START + timedelta(hours=3))
        other.with_user(self.tech_user).action_cancel()
        with self.assertRaisesRegex(UserError, "cancelled"):
            self._step(other, "Check the drain pump").with_user(self.tech_user).done = True

    def test_definition_not_editable(self):
        visit = self._checked_visit()
        step = self._step(visit, "Check the drain pump").with_user(self.tech_user)
        for vals in ({"required": False}, {"name": "Skip it"}, {"answer_kind": "text"}, {"visit_id": False}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                step.write(vals)
        with self.assertRaises(AccessError):
            step.with_user(self.dispatcher).write({"required": False})
        with self.assertRaises(AccessError):
            step.write({"answered_by_id": self.other_tech_user.id})
        self.assertTrue(step.required)

    def test_answer_must_match_the_kind(self):
        visit = self._checked_visit()
        as_tech = visit.with_user(self.tech_user)
        tick = self._step(as_tech, "Check the drain pump")
        number = self._step(as_tech, "Water pressure (bar)")
        text = self._step(as_tech, "Fault found")
        photo = self._step(as_tech, "Serial plate")
        for step, vals, message in (
            (number, {"value_text": "high"}, "answered with a number"),
            (number, {"done": True}, "answered with a number"),
            (number, {"value_number": "high"}, "takes a number"),
            (number, {"value_number": float("nan")}, "takes a number"),
            (tick, {"value_number": 3}, "with a tick only"),
            (text, {"photo": SIGNATURE}, "answered with a text"),
            (photo, {"value_text": "see the picture"}, "answered with a photo"),
            (photo, {"done": True}, "answered with a photo"),
        ):
            with self.subTest(step=step.name, vals=vals), self.assertRaisesRegex(ValidationError, message):
                step.write(vals)
        self.assertFalse(any(visit.step_ids.mapped("done")), "nothing was answered")
        # a zero is a reading too
        number.value_number = 0
        self.assertTrue(number.done)

    def test_done_refused_until_required_steps_answered(self):
        visit = self._checked_visit()
        as_tech = visit.with_user(self.tech_user)
        as_tech.write({"work_report": "<p>Done.</p>", "signature": SIGNATURE, "signed_by": "Wendy Washer"})
        with self.assertRaises(UserError) as caught:
            as_tech.action_done()
        message = str(caught.exception)
        self.assertIn(visit.name, message)
        self.assertIn("Check the drain pump", message)
        self.assertIn("Fault found", message)
        self.assertNotIn("Water pressure", message, "only the required steps are asked for")
        self.assertEqual(visit.state, "in_progress")
        self._step(as_tech, "Check the drain pump").done = True
        with self.assertRaisesRegex(UserError, "Fault found"):
            as_tech.action_done()
        self._step(as_tech, "Fault found").value_text = "Coin in the pump"
        as_tech.action_done()
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.step_progress, "2/4 steps")

    def test_service_report_shows_the_answers(self):
        visit = self._checked_visit()
        as_tech = visit.with_user(self.tech_user)
        self._step(as_tech, "Check the drain pump").done = True
        self._step(as_tech, "Water pressure (bar)").value_number = 2.75
        self._step(as_tech, "Fault found").value_text = "Coin in the pump"
        self._step(as_tech, "Serial plate").photo = SIGNATURE
        self._finish(visit)
        report = self.env.ref("aftersales_service.action_report_visit_service")
        html, __ = report._render_qweb_html(report.report_name, visit.ids)
        html = html.decode()
        for text in ("Checklist", "Check the drain pump", "Water pressure (bar)", "2.75", "Coin in the pump"):
            self.assertIn(text, html)
        self.assertIn('alt="Serial plate"', html, "the photo of the step is in the report")
        self.assertIn("\u2713", html, "a tick for the steps done")
        self.assertNotIn("Old step", html, "an archived step of the type is not copied")

    def test_manager_configures_the_steps(self):
        with Form(self.type_checked.with_user(self.manager)) as form:
            with form.step_ids.new() as line:
                line.name = "Leave the site clean"
                line.required = True
        self.assertEqual(self.type_checked.step_ids[-1:].name, "Leave the site clean")
        visit = self._checked_visit(started=False)
        self.assertIn("Leave the site clean", visit.step_ids.filtered("required").mapped("name"))
        for user in (self.tech_user, self.agent_user, self.dispatcher):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.type_checked.step_ids[:1].with_user(user).write({"required": False})

    def test_accountant_reads_the_answers_only(self):
        visit = self._checked_visit()
        self._step(visit.with_user(self.tech_user), "Fault found").value_text = "Coin in the pump"
        accountant = new_test_user(
            self.env, login="as_checklist_accountant", groups="aftersales_service.aftersales_service_group_accountant"
        )
        step = self._step(visit, "Fault found").with_user(accountant)
        self.assertEqual(step.value_text, "Coin in the pump")
        with self.assertRaises(AccessError):
            step.write({"value_text": "Nothing"})
        self.assertEqual(self._step(visit, "Fault found").value_text, "Coin in the pump")

    def test_progress_in_list(self):
        visit = self._checked_visit()
        self._step(visit.with_user(self.tech_user), "Check the drain pump").done = True
        rows = (
            self.env["aftersales.visit"]
            .with_user(self.tech_user)
            .search_read([("id", "=", visit.id)], ["step_progress", "step_count", "step_done_count"])
        )
        self.assertEqual(rows[0]["step_progress"], "1/4 steps")
        self.assertEqual((rows[0]["step_count"], rows[0]["step_done_count"]), (4, 1))

    def test_dispatcher_corrects_the_answers_of_a_done_visit(self):
        visit = self._checked_visit()
        self._finish(visit)
        fault = self._step(visit, "Fault found")
        action = visit.with_user(self.dispatcher).action_correct()
        wizard_form = Form(self.env[action["res_model"]].with_user(self.dispatcher).with_context(**action["context"]))
        self.assertEqual(len(wizard_form.step_ids), 4)
        with wizard_form.step_ids.edit(2) as line:
            self.assertEqual(line.value_text, "Checked")
            line.value_text = "Coin in the drain pump"
        with wizard_form.step_ids.edit(1) as line:
            line.value_number = 3.0
        wizard_form.reason = "The technician wrote the fault on paper"
        wizard_form.save().action_confirm()
        self.assertRecordValues(fault, [{"value_text": "Coin in the drain pump", "answered_by_id": self.dispatcher.id}])
        self.assertRecordValues(self._step(visit, "Water pressure (bar)"), [{"value_number": 3.0, "done": True}])
        self.assertEqual(visit.state, "done")
        self.assertTrue(visit.message_ids.filtered(lambda m: "Coin in the drain pump" in (m.body or "")))
        entry = self.env["aftersales.audit.log"].search(
            [("action", "=", "visit_corrected"), ("res_id", "=", visit.id)], limit=1
        )
        self.assertIn("Fault found: Checked", entry.old_value)
        self.assertIn("Fault found: Coin in the drain pump", entry.new_value)
        # the technician does not correct a done visit
        with self.assertRaises(AccessError):
            visit.with_user(self.tech_user).action_correct()

    def _finish(self, visit):
        as_tech = visit.with_user(self.tech_user)
        for step in as_tech.step_ids.filtered(lambda s: s.required and not s.done):
            if step.answer_kind == "tick":
                step.done = True
            else:
                step.value_text = "Checked"
        as_tech.write({"work_report": "<p>Done.</p>", "signature": SIGNATURE, "signed_by": "Wendy Washer"})
        as_tech.action_done()


@tagged("post_install", "-at_install")
class TestVisitChecklistRpc(ChecklistCommon, HttpCase):
    def _write(self, step, vals):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw/aftersales.visit.step/write",
            {"model": "aftersales.visit.step", "method": "write", "args": [step.ids, vals], "kwargs": {}},
        )

    @mute_logger("odoo.http")
    def test_technician_over_json_rpc(self):
        visit = self._checked_visit()
        step = self._step(visit, "Check the drain pump")
        self.authenticate(self.tech_user.login, self.tech_user.login)
        with self.assertRaises(JsonRpcException) as caught:
            self._write(step, {"required": False})
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError")
        self.assertTrue(step.required)
        self.assertTrue(self._write(step, {"done": True}))
        self.assertTrue(step.done)
        # another technician's step: refused
        self.authenticate(self.other_tech_user.login, self.other_tech_user.login)
        with self.assertRaises(JsonRpcException):
            self._write(step, {"done": False})
        self.assertTrue(step.done)


@tagged("post_install", "-at_install")
class TestVisitChecklistPartnerPortal(AftersalesPartnerCommon, HttpCase):
    """A service partner answers the checklist of a job on the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.visit_type.write(
            {
                "step_ids": [
                    Command.create({"sequence": 1, "name": "Drain tested", "required": True}),
                    Command.create({"sequence": 2, "name": "Water pressure (bar)", "answer_kind": "number"}),
                    Command.create({"sequence": 3, "name": "Plate", "answer_kind": "photo"}),
                ]
            }
        )

    def _post_work(self, job, data, files=None):
        data = dict(data, csrf_token=http.Request.csrf_token(self), checklist="1")
        return self.url_open(f"/my/jobs/{job.id}/work", data=data, files=files)

    def test_partner_answers_the_checklist(self):
        job = self._job()
        job._partner_accept()
        steps = {step.name: step for step in job.step_ids}
        self.authenticate(self.partner_user.login, self.partner_user.login)
        page = self.url_open(f"/my/jobs/{job.id}").text
        self.assertIn("Drain tested", page)
        self.assertIn(f'name="step_{steps["Drain tested"].id}"', page)
        # a required step not answered: the job is not reported done
        response = self._post_work(job, {"work_report": "Pump replaced", "finish": "1"})
        self.assertIn("Drain tested", response.text)
        self.assertNotEqual(job.partner_job_state, "done")
        # a wrong number: refused, nothing recorded
        response = self._post_work(
            job, {"work_report": "Pump replaced", f"step_{steps['Water pressure (bar)'].id}": "high"}
        )
        self.assertIn("Give a number for the step Water pressure (bar).", response.text)
        self.assertFalse(steps["Water pressure (bar)"].done)
        response = self._post_work(
            job,
            {
                "work_report": "Pump replaced",
                f"step_{steps['Drain tested'].id}": "1",
                f"step_{steps['Water pressure (bar)'].id}": "2,5",
                "finish": "1",
            },
            files=[(f"step_{steps['Plate'].id}", ("plate.png", PNG, "image/png"))],
        )
        self.assertIn("The job is reported done", response.text)
        self.assertRecordValues(
            job.step_ids,
            [
                {"done": True, "value_number": 0.0, "answered_by_id": self.partner_user.id},
                {"done": True, "value_number": 2.5, "answered_by_id": self.partner_user.id},
                {"done": True, "value_number": 0.0, "answered_by_id": self.partner_user.id},
            ],
        )
        self.assertEqual(job.partner_job_state, "done")
        job.with_user(self.dispatcher).action_done()
        self.assertEqual(job.state, "done")
        self.assertIn("2.5", self.url_open(f"/my/jobs/{job.id}").text)
