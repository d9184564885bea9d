import base64

from odoo import http
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .test_visit_appointment import AftersalesAppointmentCommon

REFUSED = (302, 303, 403, 404)


@tagged("post_install", "-at_install")
class TestPortalSecurity(AftersalesAppointmentCommon, HttpCase):
    """Every portal route of the tickets tried by another customer, by a visitor with a wrong
    or missing token, and with the owner's token; no POST without a valid CSRF token.

    Customer A is the shared customer (``portal_user``), customer B the other one.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket.description = "<p>Secret noise of customer A.</p>"
        cls.survey = cls.env.ref("aftersales_service.survey_csat")
        cls.answer = cls.survey.sudo()._create_answer(
            partner=cls.customer_contact,
            check_attempts=False,
            aftersales_ticket_id=cls.ticket.id,
            aftersales_comment="Comment only customer A may read",
        )
        cls.answer_url = f"/survey/start/{cls.survey.access_token}?answer_token={cls.answer.access_token}"

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _login_b(self):
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)

    def _public(self):
        self.authenticate(None, None)

    def _post(self, url, csrf=True, **data):
        if csrf is True:
            data["csrf_token"] = http.Request.csrf_token(self)
        elif csrf:
            data["csrf_token"] = csrf
        return self.url_open(url, data=data, allow_redirects=False)

    def _assert_refused(self, response, *secrets):
        self.assertIn(response.status_code, REFUSED, response.url)
        if response.status_code in (302, 303):
            location = response.headers["Location"]
            self.assertTrue("/my" in location or "/web/login" in location, location)
        for secret in secrets:
            self.assertNotIn(secret, response.text)

    def _a_secrets(self):
        return (self.ticket.reference, "Drum makes a grinding noise", "Secret noise of customer A.")

    def _book_url(self, visit, ticket=None):
        return f"/my/tickets/{(ticket or visit.ticket_id).id}/visits/{visit.id}/book"

    def _request_url(self, visit, ticket=None):
        return f"/my/tickets/{(ticket or visit.ticket_id).id}/visits/{visit.id}/request"

    def _assert_visit_untouched(self, visit):
        self.assertRecordValues(visit, [{"state": "draft", "technician_id": False, "scheduled_start": False}])
        self.assertFalse(visit.activity_ids, "no time request was recorded")

    # ------------------------------------------------------------------
    # Lists
    # ------------------------------------------------------------------

    def test_list_of_b_never_shows_tickets_of_a(self):
        self._login_b()
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["ticket_count"]})
        self.assertEqual(counters["ticket_count"], 1)
        for url in ("/my/tickets", "/my/tickets/page/2", "/my/tickets?filterby=open&sortby=reference", "/my/home"):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200)
                for secret in self._a_secrets():
                    self.assertNotIn(secret, response.text)
                self.assertNotIn(f"/my/tickets/{self.ticket.id}", response.text)
        # searching for A's ticket finds nothing (the search box shows the words searched for)
        for search in (self.ticket.reference, "grinding"):
            with self.subTest(search=search):
                response = self.url_open(f"/my/tickets?search={search}&filterby=all")
                self.assertIn("No service ticket matches your search.", response.text)
                self.assertNotIn(f"/my/tickets/{self.ticket.id}", response.text)
                self.assertNotIn("Drum makes a grinding noise", response.text)
        self.assertIn(self.other_ticket.reference, self.url_open("/my/tickets").text)

    def test_lists_and_forms_need_a_login(self):
        self._public()
        for url in ("/my/tickets", "/my/tickets/page/2", "/my/tickets/new"):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertIn(response.status_code, (302, 303))
                self.assertIn("/web/login", response.headers["Location"])

    # ------------------------------------------------------------------
    # One ticket
    # ------------------------------------------------------------------

    def test_ticket_page_of_a(self):
        url = f"/my/tickets/{self.ticket.id}"
        token = self.ticket._portal_ensure_token()
        self._login_b()
        self._assert_refused(self.url_open(url, allow_redirects=False), *self._a_secrets())
        response = self.url_open(url)
        self.assertFalse(response.url.endswith(url))
        for secret in self._a_secrets():
            self.assertNotIn(secret, response.text)
        self._assert_refused(self.url_open(f"{url}?access_token=wrong", allow_redirects=False), *self._a_secrets())

        self._public()
        for query in ("", "?access_token=", "?access_token=wrong", f"?access_token={token[:-1]}"):
            with self.subTest(query=query):
                self._assert_refused(self.url_open(url + query, allow_redirects=False), *self._a_secrets())

        # the owner's token opens it, as for any portal document
        response = self.url_open(f"{url}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Secret noise of customer A.", response.text)
        self.assertIn(self.ticket.reference, response.text)

    # ------------------------------------------------------------------
    # Visits: booking and asking for another time
    # ------------------------------------------------------------------

    def test_booking_a_visit_of_a(self):
        slot = self.visit._portal_slots()[0]
        token = self.ticket._portal_ensure_token()
        self._login_b()
        for url in (self._book_url(self.visit), self._book_url(self.visit, ticket=self.other_ticket)):
            with self.subTest(url=url):
                response = self._post(url, slot=slot["key"])
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Secret noise of customer A.", response.text)
        response = self._post(self._book_url(self.visit), slot=slot["key"], access_token="wrong")
        self.assertEqual(response.status_code, 404)
        self._assert_visit_untouched(self.visit)

        self._public()
        for access_token in (None, "", "wrong", token[:-1]):
            with self.subTest(access_token=access_token):
                values = {"slot": slot["key"]}
                if access_token is not None:
                    values["access_token"] = access_token
                response = self._post(self._book_url(self.visit), **values)
                self.assertEqual(response.status_code, 404)
        self._assert_visit_untouched(self.visit)

        # with A's token, the visitor books for A
        response = self._post(self._book_url(self.visit), slot=slot["key"], access_token=token)
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"access_token={token}", response.headers["Location"])
        self.assertIn("visit_message=booked", response.headers["Location"])
        self.assertRecordValues(self.visit, [{"state": "confirmed", "scheduled_start": slot["start"]}])

    def test_time_request_on_a_visit_of_a(self):
        token = self.ticket._portal_ensure_token()
        self._login_b()
        for url in (self._request_url(self.visit), self._request_url(self.visit, ticket=self.other_ticket)):
            with self.subTest(url=url):
                response = self._post(url, preferred="Monday", message="Intrusion")
                self.assertEqual(response.status_code, 404)
        self._public()
        for access_token in (None, "wrong"):
            values = {"preferred": "Monday", "message": "Intrusion"}
            if access_token:
                values["access_token"] = access_token
            self.assertEqual(self._post(self._request_url(self.visit), **values).status_code, 404)
        self._assert_visit_untouched(self.visit)
        self.assertFalse(self.visit.message_ids.filtered(lambda m: "Intrusion" in (m.body or "")))

        response = self._post(self._request_url(self.visit), preferred="Friday", access_token=token)
        self.assertEqual(response.status_code, 303)
        self.assertIn("visit_message=requested", response.headers["Location"])
        note = self.visit.message_ids.filtered(lambda m: "Friday" in (m.body or ""))
        self.assertEqual(note.author_id, self.customer_contact, "the visitor with the token speaks for A")

    # ------------------------------------------------------------------
    # Comments (the portal chatter) and attachments
    # ------------------------------------------------------------------

    def _post_comment(self, body, **params):
        return self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "aftersales.ticket",
                "thread_id": self.ticket.id,
                "post_data": {"body": body, "message_type": "comment", "subtype_xmlid": "mail.mt_comment"},
                **params,
            },
        )

    def _comments(self, text):
        return self.ticket.message_ids.filtered(lambda m: text in (m.body or ""))

    def test_comment_on_ticket_of_a(self):
        token = self.ticket._portal_ensure_token()
        self._login_b()
        with self.assertRaises(JsonRpcException):
            self._post_comment("Intrusion by B")
        with self.assertRaises(JsonRpcException):
            self._post_comment("Intrusion by B", token="wrong")
        self._public()
        with self.assertRaises(JsonRpcException):
            self._post_comment("Intrusion by a visitor")
        with self.assertRaises(JsonRpcException):
            self._post_comment("Intrusion by a visitor", token=token[:-1])
        self.assertFalse(self._comments("Intrusion"))
        # the ticket's token lets the visitor comment, as for any portal document
        self._post_comment("Sent with the link of the e-mail", token=token)
        self.assertEqual(len(self._comments("Sent with the link of the e-mail")), 1)

    def test_chatter_attachments(self):
        """The portal chatter's files go through Odoo's upload route: only on a ticket the user may
        read, and markup is never stored as something a browser would render."""

        def upload(ticket, name, content):
            return self.url_open(
                "/mail/attachment/upload",
                data={
                    "thread_id": ticket.id,
                    "thread_model": "aftersales.ticket",
                    "csrf_token": http.Request.csrf_token(self),
                },
                files={"ufile": (name, content, "application/pdf")},
                allow_redirects=False,
            )

        self._login_b()
        response = upload(self.ticket, "intrusion.pdf", b"%PDF-1.4 intrusion")
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.env["ir.attachment"].search([("name", "=", "intrusion.pdf")]))

        self.authenticate(self.portal_user.login, self.portal_user.login)
        markup = b"<html><script>alert(1)</script></html>"
        self.assertEqual(upload(self.ticket, "page.html", markup).status_code, 200)
        attachment = self.env["ir.attachment"].search([("name", "=", "page.html")])
        self.assertEqual(len(attachment), 1)
        self.assertEqual(attachment.mimetype, "text/plain", "HTML from a customer is served as text")
        self.assertEqual(base64.b64decode(attachment.datas), markup)
        # the type follows the content, not the name: markup named .pdf is served as text, never as a page
        self.assertEqual(upload(self.ticket, "invoice.pdf", markup).status_code, 200)
        attachment = self.env["ir.attachment"].search([("name", "=", "invoice.pdf")])
        self.assertEqual(attachment.mimetype, "text/plain")

    # ------------------------------------------------------------------
    # New ticket
    # ------------------------------------------------------------------

    def test_new_ticket_for_a_unit_of_a(self):
        self._login_b()
        count = self.env["aftersales.ticket"].search_count([])
        response = self.url_open("/my/tickets/new")
        self.assertNotIn(self.lot.name, response.text)
        for values, message in (
            ({"lot_id": str(self.lot.id)}, "This serial number is not among the units delivered to you."),
            ({"product_id": str(self.product.id)}, "This product is not among the ones you bought from us."),
        ):
            response = self._post("/my/tickets/new", name="Stolen", **values)
            self.assertEqual(response.status_code, 200)
            self.assertIn(message, response.text)
            self.assertNotIn(self.lot.name, response.text)
        self.assertEqual(self.env["aftersales.ticket"].search_count([]), count)

        self._public()
        response = self._post("/my/tickets/new", name="Anonymous", lot_id=str(self.lot.id))
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        self.assertEqual(self.env["aftersales.ticket"].search_count([]), count)

    # ------------------------------------------------------------------
    # Satisfaction surveys
    # ------------------------------------------------------------------

    def test_survey_answer_of_a(self):
        self._login_b()
        # B's own pages never carry A's personal link
        for url in ("/my/tickets", f"/my/tickets/{self.other_ticket.id}", "/my/home"):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200)
                self.assertNotIn(self.answer.access_token, response.text)
                self.assertNotIn("Comment only customer A may read", response.text)
        # A's personal link does not open for B
        response = self.url_open(self.answer_url)
        self.assertIn("Survey Access Error", response.text)
        self.assertNotIn(self.answer.access_token, response.text)
        self.assertNotIn(self.customer_contact.name, response.text)
        self.assertEqual(self.answer.state, "new")
        self.assertFalse(self.answer.user_input_line_ids)
        # nor does the survey open without a personal link (it is sent to each customer)
        Answer = self.env["survey.user_input"]
        count = Answer.search_count([("survey_id", "=", self.survey.id)])
        response = self.url_open(f"/survey/start/{self.survey.access_token}")
        self.assertNotIn(self.answer.access_token, response.text)
        self.assertEqual(Answer.search_count([("survey_id", "=", self.survey.id)]), count, "no answer was started")

        # A's ticket page shows no answer, even to A
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/tickets/{self.ticket.id}")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Comment only customer A may read", response.text)

    # ------------------------------------------------------------------
    # CSRF
    # ------------------------------------------------------------------

    def test_every_post_needs_a_valid_csrf_token(self):
        slot = self.visit._portal_slots()[0]
        self.authenticate(self.portal_user.login, self.portal_user.login)
        count = self.env["aftersales.ticket"].search_count([])
        posts = (
            ("/my/tickets/new", {"name": "Forged", "lot_id": str(self.lot.id)}),
            (self._book_url(self.visit), {"slot": slot["key"]}),
            (self._request_url(self.visit), {"preferred": "Forged Monday"}),
        )
        for url, values in posts:
            for csrf in (False, "forged", http.Request.csrf_token(self) + "x"):
                with self.subTest(url=url, csrf=csrf), self.assertLogs("odoo.http", "WARNING") as logs:
                    response = self._post(url, csrf=csrf, **values)
                self.assertEqual(response.status_code, 400, "Session expired (invalid CSRF token)")
                self.assertTrue(any("CSRF" in line for line in logs.output))
        self.assertEqual(self.env["aftersales.ticket"].search_count([]), count, "no ticket was opened")
        self._assert_visit_untouched(self.visit)
        self.assertFalse(self.visit.message_ids.filtered(lambda m: "Forged Monday" in (m.body or "")))
