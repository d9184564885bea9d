import base64
from datetime import datetime

from odoo import Command, http
from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import SIGNATURE
from .common_fees import AftersalesFeesCommon
from .common_partner import AftersalesPartnerCommon

TUESDAY_10 = datetime(2026, 6, 9, 10, 0)  # inside the technicians' hours
CONFIDENTIAL = base64.b64encode(b"the salaries of the whole company")


@tagged("post_install", "-at_install")
class TestIntegrityVisitLeftovers(AftersalesFeesCommon, AftersalesPartnerCommon, HttpCase):
    """The last holes of the visits: photos are the visit's own pictures, a partner's job is answered by
    the partner only, and planning visits is the dispatchers' work; each role on records others created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tech_user = cls.tech_a.user_id
        cls.helper_user = cls.tech_b.user_id
        cls.other_dispatcher = new_test_user(
            cls.env,
            login="ivl_dispatcher",
            name="Dan Dispatch",
            groups="aftersales_service.aftersales_service_group_dispatcher",
        )
        # a document with a confidential file that the agent and the technician may read too
        cls.secret = cls.env["ir.attachment"].create(
            {
                "name": "salaries.png",
                "datas": CONFIDENTIAL,
                "res_model": "aftersales.ticket",
                "res_id": cls.ticket.id,
            }
        )
        cls.other_visit = cls.env["aftersales.visit"].create(
            {"ticket_id": cls.ticket.id, "visit_type_id": cls.type_repair_visit.id}
        )
        cls.other_visit_photo = cls.env["ir.attachment"].create(
            {
                "name": "other-visit.png",
                "datas": SIGNATURE,
                "res_model": "aftersales.visit",
                "res_id": cls.other_visit.id,
            }
        )

    def _started_visit(self):
        """A visit of tech A (tech B helping), planned and started by the superuser."""
        visit = self._visit(
            technician_id=self.tech_a.id, helper_ids=[Command.set(self.tech_b.ids)], scheduled_start=TUESDAY_10
        )
        visit.action_schedule()
        visit.action_start()
        return visit

    def _upload(self, user, name, res_id=0):
        """A picture uploaded by ``user`` as the form's many2many_binary widget does: on the visit, or
        on no record yet (``res_id`` 0) when the visit is new."""
        return (
            self.env["ir.attachment"]
            .with_user(user)
            .create({"name": name, "datas": SIGNATURE, "res_model": "aftersales.visit", "res_id": res_id})
        )

    def _assert_photo_refused(self, visit, user, attachment, exception=AccessError):
        before = visit.sudo().photo_ids
        document = attachment.sudo().read(["res_model", "res_id"])
        with self.assertRaises(exception, msg=f"{user.login} linking {attachment.name} to {visit.name}"):
            visit.with_user(user).write({"photo_ids": [Command.link(attachment.id)]})
        visit.invalidate_recordset()
        attachment.invalidate_recordset()
        self.assertEqual(visit.sudo().photo_ids, before)
        self.assertEqual(attachment.sudo().read(["res_model", "res_id"]), document)

    # ------------------------------------------------------------------
    # 1. Photos
    # ------------------------------------------------------------------

    def test_photos_refuse_other_documents_files(self):
        visit = self._started_visit()
        users = {"technician": self.tech_user, "helper": self.helper_user, "agent": self.agent}
        for role, user in users.items():
            with self.subTest(role=role):
                # readable, but another document's file, or another visit's photo
                self.assertTrue(self.secret.with_user(user).has_access("read"))
                self._assert_photo_refused(visit, user, self.secret)
                self._assert_photo_refused(visit, user, self.other_visit_photo)
                # a file another user uploaded and did not attach yet
                stray = self._upload(self.dispatcher, f"stray-{role}.png")
                self._assert_photo_refused(visit, user, stray)
                # a file they may not read at all, nor see the name of
                private = self.env["ir.attachment"].create({"name": "private.png", "datas": SIGNATURE})
                self._assert_photo_refused(visit, user, private)
                with self.assertRaises(AccessError):
                    visit.with_user(user).write({"photo_ids": [Command.link(999999999)]})
        # Command.set and Command.create cannot bring them in either
        with self.assertRaisesRegex(AccessError, "belong to another document"):
            visit.with_user(self.agent).write({"photo_ids": [Command.set(self.secret.ids)]})
        with self.assertRaises(AccessError):
            visit.with_user(self.agent).write(
                {
                    "photo_ids": [
                        Command.create(
                            {
                                "name": "moved.png",
                                "datas": SIGNATURE,
                                "res_model": "aftersales.ticket",
                                "res_id": self.ticket.id,
                            }
                        )
                    ]
                }
            )
        # nor the creation of a visit
        with self.assertRaisesRegex(AccessError, "belong to another document"):
            self.env["aftersales.visit"].with_user(self.agent).create(
                {
                    "ticket_id": self.ticket.id,
                    "visit_type_id": self.type_repair_visit.id,
                    "photo_ids": [Command.link(self.secret.id)],
                }
            )
        self.assertFalse(visit.sudo().photo_ids)
        self.assertEqual((self.secret.res_model, self.secret.res_id), ("aftersales.ticket", self.ticket.id))

    def test_photos_uploaded_for_the_visit_are_attached(self):
        visit = self._started_visit()
        # the form of a saved visit uploads on the visit itself
        on_visit = self._upload(self.tech_user, "plate.png", res_id=visit.id)
        # a picture uploaded before the visit is saved: attached to no record yet
        unattached = self._upload(self.helper_user, "pump.png")
        self.assertFalse(unattached.res_id)
        visit.with_user(self.tech_user).write({"photo_ids": [Command.link(on_visit.id)]})
        visit.with_user(self.helper_user).write({"photo_ids": [Command.link(unattached.id)]})
        self.assertEqual(visit.photo_ids, on_visit | unattached)
        self.assertEqual((unattached.res_model, unattached.res_id), ("aftersales.visit", visit.id))
        # Command.create attaches the new picture too
        visit.with_user(self.tech_user).write({"photo_ids": [Command.create({"name": "seal.png", "raw": b"x"})]})
        created = visit.photo_ids - on_visit - unattached
        self.assertEqual((created.res_model, created.res_id), ("aftersales.visit", visit.id))
        # a new visit: the agent's own upload, attached once the visit exists
        upload = self._upload(self.agent, "label.png")
        with Form(self.env["aftersales.visit"].with_user(self.agent)) as visit_form:
            visit_form.ticket_id = self.ticket
            visit_form.visit_type_id = self.type_repair_visit
            visit_form.photo_ids.add(upload)
        new_visit = visit_form.record
        self.assertEqual(new_visit.photo_ids, upload)
        self.assertEqual((upload.res_model, upload.res_id), ("aftersales.visit", new_visit.id))
        # a photo belongs to one visit
        self._assert_photo_refused(visit, self.agent, upload)

    def test_report_and_portal_show_the_visits_own_photos_only(self):
        job = self._job()
        own = self.env["ir.attachment"].create(
            {"name": "own-photo.png", "datas": SIGNATURE, "res_model": "aftersales.visit", "res_id": job.id}
        )
        # linked before the fix (or by the superuser): shown nowhere
        job.photo_ids = [Command.link(own.id), Command.link(self.secret.id)]
        self.assertEqual(job._attached_photos(), own)
        report = self.env.ref("aftersales_service.action_report_visit_service")
        html = report._render_qweb_html(report.report_name, job.ids)[0].decode()
        self.assertIn("own-photo.png", html)
        self.assertNotIn("salaries.png", html)
        self.assertNotIn(CONFIDENTIAL.decode(), html)
        job.with_user(self.partner_user).sudo()._partner_accept()
        self.authenticate(self.partner_user.login, self.partner_user.login)
        page = self.url_open(f"/my/jobs/{job.id}").text
        self.assertIn(f"/web/image/{own.id}?access_token=", page)
        self.assertNotIn(f"/web/image/{self.secret.id}", page)
        self.assertNotIn("salaries.png", page)
        self.assertFalse(self.secret.access_token, "no token given to the confidential file")

    # ------------------------------------------------------------------
    # 2. A partner's job is answered by the partner
    # ------------------------------------------------------------------

    def test_only_the_partner_answers_its_job(self):
        job = self._job()
        self.assertEqual(job.partner_job_state, "offered")
        others = {
            "agent": self.agent,
            "dispatcher": self.dispatcher,
            "other dispatcher": self.other_dispatcher,
            "technician": self.tech_user,
            "manager": self.manager,
            "other partner": self.other_partner_user,
        }
        for role, user in others.items():
            for method, args in (("_partner_accept", ()), ("_partner_decline", ("No",))):
                with self.subTest(role=role, method=method):
                    # sudo grants nothing: the controller calls them in sudo, after its check
                    with self.assertRaisesRegex(AccessError, "Only the service partner"):
                        getattr(job.with_user(user).sudo(), method)(*args)
        job.invalidate_recordset()
        self.assertEqual((job.partner_job_state, job.state), ("offered", "draft"))
        self.assertFalse(job.partner_decline_reason)
        # the public names are gone: nothing to call over JSON-RPC
        self.assertFalse(hasattr(job, "action_aftersales_partner_accept"))
        self.assertFalse(hasattr(job, "action_aftersales_partner_decline"))
        # the partner's own user accepts; then nobody else records the work on its behalf
        job.with_user(self.partner_user).sudo()._partner_accept()
        self.assertEqual((job.partner_job_state, job.state), ("accepted", "confirmed"))
        for role, user in others.items():
            with self.subTest(role=role, method="record"), self.assertRaisesRegex(AccessError, "Only the service"):
                job.with_user(user).sudo()._partner_record_work(report="<p>Fake</p>", hours=9.0, finish=True)
        job.invalidate_recordset()
        self.assertEqual((job.partner_job_state, job.state, job.time_spent), ("accepted", "confirmed", 0.0))

    def test_partner_answers_on_the_portal(self):
        job, declined = self._job(), self._job()
        self.authenticate(self.partner_user.login, self.partner_user.login)
        csrf = http.Request.csrf_token(self)
        response = self.url_open(f"/my/jobs/{job.id}/accept", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(job.partner_job_state, "accepted")
        response = self.url_open(f"/my/jobs/{declined.id}/decline", data={"csrf_token": csrf, "reason": "Booked"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual((declined.partner_job_state, declined.partner_decline_reason), ("declined", "Booked"))

    # ------------------------------------------------------------------
    # 3. Planning is the dispatchers' work
    # ------------------------------------------------------------------

    def test_only_dispatchers_plan_visits(self):
        visit = self._visit(scheduled_start=TUESDAY_10)
        undated = self._visit()
        for role, user in {"agent": self.agent, "technician": self.tech_user}.items():
            with self.subTest(role=role):
                with self.assertRaisesRegex(AccessError, "work of the dispatchers"):
                    visit.with_user(user).action_auto_assign()
                with self.assertRaisesRegex(AccessError, "work of the dispatchers"):
                    (visit | undated).with_user(user).action_plan_day()
                with self.assertRaisesRegex(AccessError, "work of the dispatchers"):
                    (visit | undated).with_user(user)._plan_days(day=TUESDAY_10.date())
        with self.assertRaises(AccessError):
            self.env["aftersales.visit.plan"].with_user(self.agent).create({"date": TUESDAY_10.date()})
        self.assertFalse((visit | undated).technician_id)
        self.assertEqual(set((visit | undated).mapped("state")), {"draft"})
        self.assertFalse(visit.message_ids.filtered(lambda m: "automatically" in (m.body or "")))
        # a dispatcher plans the visits an agent's ticket asked for
        visit.with_user(self.other_dispatcher).action_auto_assign()
        self.assertIn(visit.technician_id, self.tech_a | self.tech_b)
        action = undated.with_user(self.other_dispatcher).action_plan_day()
        wizard = (
            self.env["aftersales.visit.plan"]
            .with_user(self.other_dispatcher)
            .with_context(**action["context"])
            .create({"date": TUESDAY_10.date()})
        )
        wizard.action_plan()
        self.assertEqual(undated.state, "scheduled")
        self.assertTrue(undated.technician_id)
