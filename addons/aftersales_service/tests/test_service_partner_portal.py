import base64

from odoo import http
from odoo.tests import HttpCase, tagged

from .common import SIGNATURE
from .common_partner import AftersalesPartnerCommon

PNG = base64.b64decode(SIGNATURE)


@tagged("post_install", "-at_install")
class TestServicePartnerPortal(AftersalesPartnerCommon, HttpCase):
    """The service partners' portal, through real HTTP requests with the partner's user."""

    def _post(self, url, data=None, files=None, token=True):
        data = dict(data or {})
        if token:
            data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open(url, data=data, files=files)

    def _login(self, user=None):
        user = user or self.partner_user
        self.authenticate(user.login, user.login)

    def test_jobs_list_and_page(self):
        job = self._job()
        other = self._job(partner=self.other_point)
        self._login()
        response = self.url_open("/my/home")
        self.assertEqual(response.status_code, 200)
        response = self.url_open("/my/jobs")
        self.assertEqual(response.status_code, 200)
        self.assertIn(job.name, response.text)
        self.assertNotIn(other.name, response.text)
        response = self.url_open(f"/my/jobs/{job.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_job_accept", response.text)
        self.assertIn('name="csrf_token"', response.text)

    def test_other_partners_job_is_not_found_on_every_route(self):
        other = self._job(partner=self.other_point)
        customer_visit = self._job()
        self._login()
        for url in (f"/my/jobs/{other.id}", "/my/jobs/999999999"):
            self.assertEqual(self.url_open(url).status_code, 404)
        for action in ("accept", "decline", "work"):
            response = self._post(f"/my/jobs/{other.id}/{action}", {"reason": "No", "work_report": "No"})
            self.assertEqual(response.status_code, 404, action)
        self.assertEqual(other.partner_job_state, "offered")
        # the customer of a ticket sees its visits on the ticket, never as jobs
        customer_user = self.env["res.users"].create(
            {
                "name": "Wendy Portal",
                "login": "as_portal_wendy",
                "password": "as_portal_wendy",
                "partner_id": self.env["res.partner"].create({"name": "Wendy", "parent_id": self.customer.id}).id,
                "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        self.authenticate(customer_user.login, "as_portal_wendy")
        self.assertEqual(self.url_open(f"/my/jobs/{customer_visit.id}").status_code, 404)
        self.assertEqual(self._post(f"/my/jobs/{customer_visit.id}/accept").status_code, 404)
        # and the other partner's statements
        self._do_job(other)
        settlement = self._settlement(partner_id=self.other_point.id)
        settlement.action_compute_lines()
        settlement.action_confirm()
        self._login()
        self.assertEqual(self.url_open(f"/my/settlements/{settlement.id}").status_code, 404)
        self.assertEqual(self.url_open(f"/my/settlements/{settlement.id}?report_type=html").status_code, 404)
        self.assertNotIn(settlement.name, self.url_open("/my/settlements").text)

    def test_post_without_or_with_bad_csrf_token_is_refused(self):
        job = self._job()
        self._login()
        with self.assertLogs("odoo.http", level="WARNING"):
            response = self._post(f"/my/jobs/{job.id}/accept", {"accept": "1"}, token=False)
        self.assertEqual(response.status_code, 400)
        with self.assertLogs("odoo.http", level="WARNING"):
            response = self._post(f"/my/jobs/{job.id}/accept", {"csrf_token": "bad"}, token=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(job.partner_job_state, "offered")

    def test_decline_needs_a_reason(self):
        job = self._job()
        self._login()
        response = self._post(f"/my/jobs/{job.id}/decline", {"reason": " "})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Say why the job is declined.", response.text)
        self.assertEqual(job.partner_job_state, "offered")
        response = self._post(f"/my/jobs/{job.id}/decline", {"reason": "Too far for us"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("You declined the job: our dispatcher is told.", response.text)
        self.assertEqual(job.partner_job_state, "declined")
        # the declined job leaves the partner's portal
        self.assertEqual(self.url_open(f"/my/jobs/{job.id}").status_code, 404)
        self.assertNotIn(job.name, self.url_open("/my/jobs?filterby=all").text)
        self.assertEqual(job.activity_ids.user_id, self.dispatcher)

    def test_wrong_uploads_and_hours_are_refused(self):
        job = self._job()
        job._partner_accept()
        self._login()
        response = self._post(
            f"/my/jobs/{job.id}/work",
            {"work_report": "Done", "time_spent": "1"},
            files=[("photos", ("notes.txt", b"not a picture at all", "image/png"))],
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("The file notes.txt is not accepted: send a picture.", response.text)
        big = PNG + b"\0" * (10 * 1024 * 1024)
        response = self._post(
            f"/my/jobs/{job.id}/work", {"work_report": "Done"}, files=[("photos", ("big.png", big, "image/png"))]
        )
        self.assertIn("The file big.png is larger than 10 MB.", response.text)
        # the hours bill the customer: only a duration of a job is taken
        for hours in ("an hour", "nan", "inf", "-inf", "1e9", "25", "-1", "1:75"):
            response = self._post(f"/my/jobs/{job.id}/work", {"work_report": "Done", "time_spent": hours})
            self.assertIn("Give the time spent in hours, such as 1.5 or 1:30, at most 24 hours.", response.text)
            self.assertFalse(job.time_spent, hours)
        self.assertFalse(job.photo_ids)
        self.assertEqual(job.state, "confirmed", "nothing recorded")

    def test_service_point_month(self):
        """A service point logs in, accepts a job, records its work and photos, and at month end
        finds its statement turned into a vendor bill."""
        job = self._job()
        self._login()
        response = self._post(f"/my/jobs/{job.id}/accept")
        self.assertEqual(response.status_code, 200)
        self.assertIn("You accepted the job", response.text)
        self.assertEqual(job.partner_job_state, "accepted")
        response = self._post(
            f"/my/jobs/{job.id}/work",
            {"work_report": "Pump replaced\nDrain tested", "time_spent": "1:30", "finish": "1"},
            files=[("photos", ("plate.png", PNG, "image/png"))],
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("The job is reported done: our dispatcher validates it.", response.text)
        self.assertEqual((job.state, job.partner_job_state), ("in_progress", "done"))
        self.assertAlmostEqual(job.time_spent, 1.5)
        self.assertIn("Pump replaced", job.work_report)
        self.assertEqual(job.photo_ids.mapped("name"), ["plate.png"])
        # the partner cannot record more once it reported the job done
        response = self._post(f"/my/jobs/{job.id}/work", {"work_report": "More", "time_spent": "20"})
        self.assertIn("Accept the job before recording the work.", response.text)
        self.assertAlmostEqual(job.time_spent, 1.5)
        # the dispatcher validates the job: the customer is billed
        self.assertFalse(job.line_ids.sale_line_ids)
        job.with_user(self.dispatcher).action_done()
        self.assertEqual(job.state, "done")

        # month end: the scheduled action prepares the statement, the dispatcher bills it
        first, last = self._this_month()
        settlements = self.env["aftersales.partner.settlement"]._prepare_period(first, last)
        settlement = settlements.filtered(lambda s: s.partner_id == self.service_point)
        self.assertEqual(settlement.line_ids.visit_id, job)
        settlement.with_user(self.dispatcher).action_confirm()
        settlement.with_user(self.dispatcher).action_create_bill()
        self.assertEqual(settlement.move_id.move_type, "in_invoice")
        self.assertEqual(settlement.move_id.amount_untaxed, 80.0)

        response = self.url_open("/my/settlements")
        self.assertIn(settlement.name, response.text)
        response = self.url_open(f"/my/settlements/{settlement.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(job.name, response.text)
        self.assertIn("Billed by the vendor bill", response.text)
        response = self.url_open(f"/my/settlements/{settlement.id}?report_type=html")
        self.assertEqual(response.status_code, 200)
        self.assertIn(settlement.name, response.text)
