import base64
import json
from datetime import datetime

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..tools.portal_upload import MAX_UPLOADS_PER_HOUR
from .common import SIGNATURE, AftersalesCommon

PNG = base64.b64decode(SIGNATURE)
HTML = b"<html><body><script>alert('hi')</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@tagged("post_install", "-at_install")
class TestIntegrityPortal(AftersalesCommon, HttpCase):
    """The portal as customer B uses it: the ticket form's onchange says nothing of customer A
    (the shared customer), uploads are typed by their content within an hourly cap, and B opens
    a ticket for a unit it bought and talks with the team."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.partner"].create(
            {"name": "Bob Dryers Ltd", "email": "office@bob-dryers.example.com", "is_company": True}
        )
        cls.contact_b = cls.env["res.partner"].create(
            {"name": "Bob Dryer", "email": "bob@bob-dryers.example.com", "parent_id": cls.company_b.id}
        )
        cls.portal_b = new_test_user(
            cls.env, login="as_portal_b_i13", groups="base.group_portal", partner_id=cls.contact_b.id
        )
        cls.order_b, cls.lot_b = cls._sell_and_deliver(cls.company_b, cls.other_product, "DR3-B0001")
        cls.ticket_a = cls._ticket_of(cls.customer, "Drum of A makes a grinding noise")

    @classmethod
    def _ticket_of(cls, partner, subject):
        return cls.env["aftersales.ticket"].create(
            {"name": subject, "partner_id": partner.id, "team_id": cls.team.id, "lot_id": cls.lot.id}
        )

    def _secrets_of_a(self):
        return (self.customer.name, self.customer.email, self.sale_order.name, self.sale_order.order_line.name)

    def _assert_nothing_of_a(self, result):
        text = json.dumps(result, default=str)
        for secret in self._secrets_of_a():
            self.assertNotIn(secret, text)

    def _spec(self):
        names = (
            "name",
            "partner_id",
            "commercial_partner_id",
            "email_from",
            "partner_phone",
            "product_id",
            "lot_id",
            "sale_order_id",
            "sale_line_id",
            "delivery_date",
        )
        Ticket = self.env["aftersales.ticket"]
        return {
            name: {"fields": {"display_name": {}}} if Ticket._fields[name].type == "many2one" else {} for name in names
        }

    def _leaky_values(self):
        return [
            ({"lot_id": self.lot.id}, ["lot_id"]),
            ({"sale_line_id": self.sale_order.order_line.id}, ["sale_line_id"]),
            ({"sale_order_id": self.sale_order.id}, ["sale_order_id"]),
            ({"partner_id": self.customer.id}, ["partner_id"]),
        ]

    # ------------------------------------------------------------------
    # Onchange of the forms
    # ------------------------------------------------------------------

    def test_onchange_of_ticket_form_shows_nothing_of_another_customer(self):
        Ticket = self.env["aftersales.ticket"].with_user(self.portal_b)
        for values, names in self._leaky_values():
            with self.subTest(values=values):
                result = Ticket.onchange(dict(values, name="Mine"), names, self._spec())
                self._assert_nothing_of_a(result)
                self.assertFalse(result["value"].get("partner_id"), "nothing filled in from A's records")
        # B's own contact still fills the form in
        result = Ticket.onchange({"partner_id": self.contact_b.id}, ["partner_id"], self._spec())
        self.assertEqual(result["value"]["email_from"], self.contact_b.email)

    def test_onchange_by_json_rpc_shows_nothing_of_another_customer(self):
        self.authenticate(self.portal_b.login, self.portal_b.login)
        for values, names in self._leaky_values():
            with self.subTest(values=values):
                try:
                    result = self.make_jsonrpc_request(
                        "/web/dataset/call_kw",
                        {
                            "model": "aftersales.ticket",
                            "method": "onchange",
                            "args": [[], dict(values, name="Mine"), names, self._spec()],
                            "kwargs": {},
                        },
                    )
                except JsonRpcException as error:
                    result = str(error)
                self._assert_nothing_of_a(result)

    # ------------------------------------------------------------------
    # Uploads
    # ------------------------------------------------------------------

    def _post_new_ticket(self, files, **data):
        data.update(
            csrf_token=http.Request.csrf_token(self),
            name=data.get("name", "Dryer stops after five minutes"),
            lot_id=self.lot_b.id,
        )
        return self.url_open("/my/tickets/new", data=data, files=files, allow_redirects=False)

    def _tickets_of_b(self):
        return self.env["aftersales.ticket"].search([("commercial_partner_id", "=", self.company_b.id)])

    def test_uploads_typed_by_their_content(self):
        self.authenticate(self.portal_b.login, self.portal_b.login)
        response = self._post_new_ticket([("photos", ("label.png", HTML, "image/png"))])
        self.assertEqual(response.status_code, 200)
        self.assertIn("is not accepted", response.text)
        self.assertFalse(self._tickets_of_b(), "nothing is kept of a refused request")
        response = self._post_new_ticket(
            [("photos", ("invoice.txt", PDF, "text/plain")), ("photos", ("fault.pdf", PNG, "application/pdf"))]
        )
        self.assertEqual(response.status_code, 303, response.text[:500])
        ticket = self._tickets_of_b()
        self.assertEqual(len(ticket), 1)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "aftersales.ticket"), ("res_id", "=", ticket.id)], order="id"
        )
        self.assertEqual(attachments.mapped("mimetype"), ["application/pdf", "image/png"])
        self.assertEqual(attachments.create_uid, self.portal_b)

    def test_uploads_capped_per_hour(self):
        self.env["ir.attachment"].with_user(self.portal_b).sudo().create(
            [
                {"name": f"earlier-{index}.png", "raw": PNG, "res_model": "res.partner", "res_id": self.contact_b.id}
                for index in range(MAX_UPLOADS_PER_HOUR - 1)
            ]
        )
        self.authenticate(self.portal_b.login, self.portal_b.login)
        response = self._post_new_ticket(
            [("photos", ("one.png", PNG, "image/png")), ("photos", ("two.png", PNG, "image/png"))]
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(f"at most {MAX_UPLOADS_PER_HOUR} files an hour", response.text)
        self.assertFalse(self._tickets_of_b())
        # within the cap, the request goes through
        response = self._post_new_ticket([("photos", ("one.png", PNG, "image/png"))])
        self.assertEqual(response.status_code, 303)
        self.assertEqual(len(self._tickets_of_b()), 1)

    def _chatter_upload(self, ticket, name, content):
        return self.url_open(
            "/mail/attachment/upload",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "thread_id": ticket.id,
                "thread_model": "aftersales.ticket",
            },
            files={"ufile": (name, content, "text/html")},
        )

    def test_chatter_uploads_typed_by_content_and_capped(self):
        ticket = self.env["aftersales.ticket"].create(
            {"name": "Noisy", "partner_id": self.contact_b.id, "team_id": self.team.id}
        )
        self.authenticate(self.portal_b.login, self.portal_b.login)
        response = self._chatter_upload(ticket, "label.html", PNG)
        self.assertEqual(response.status_code, 200, response.text[:300])
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "aftersales.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(attachment.mimetype, "image/png", "typed by its content, not by its name")
        self.env["ir.attachment"].with_user(self.portal_b).sudo().create(
            [
                {"name": f"earlier-{index}.png", "raw": PNG, "res_model": "res.partner", "res_id": self.contact_b.id}
                for index in range(MAX_UPLOADS_PER_HOUR)
            ]
        )
        with mute_logger("odoo.http"):
            response = self._chatter_upload(ticket, "more.png", PNG)
        self.assertIn(f"at most {MAX_UPLOADS_PER_HOUR} files an hour", response.text)
        self.assertEqual(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "aftersales.ticket"), ("res_id", "=", ticket.id)]
            ),
            1,
        )

    # ------------------------------------------------------------------
    # The customer's journey
    # ------------------------------------------------------------------

    def test_customer_opens_ticket_for_a_unit_bought_and_talks_with_the_team(self):
        self.authenticate(self.portal_b.login, self.portal_b.login)
        response = self.url_open("/my/tickets/new")
        self.assertIn(self.lot_b.name, response.text)
        self.assertNotIn(self.lot.name, response.text, "A's serial is not offered")
        response = self._post_new_ticket([], description="It stops and blinks E21.")
        self.assertEqual(response.status_code, 303)
        ticket = self._tickets_of_b()
        self.assertRecordValues(
            ticket,
            [{"lot_id": self.lot_b.id, "product_id": self.other_product.id, "sale_order_id": self.order_b.id}],
        )
        self.assertIn(self.contact_b, ticket.message_partner_ids)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "aftersales.ticket",
                "thread_id": ticket.id,
                "post_data": {"body": "It blinks E21 again this morning.", "message_type": "comment"},
            },
        )
        message = ticket.message_ids.filtered(lambda m: "E21 again" in (m.body or ""))
        self.assertEqual(message.author_id, self.contact_b)
        self.assertFalse(ticket.first_response_date, "the customer's message is no answer")
        # the agent answers the customer
        ticket.with_user(self.agent).message_post(
            body="A technician comes on Tuesday.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertTrue(ticket.first_response_date)
        # B cannot write on A's ticket
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": "aftersales.ticket",
                    "thread_id": self.ticket_a.id,
                    "post_data": {"body": "Hello A", "message_type": "comment"},
                },
            )
        self.assertFalse(self.ticket_a.message_ids.filtered(lambda m: "Hello A" in (m.body or "")))

    def test_ticket_page_in_the_customer_time_zone(self):
        self.company_b.tz = "Asia/Tokyo"
        self.contact_b.tz = False
        ticket = self.env["aftersales.ticket"].create(
            {"name": "Noisy", "partner_id": self.contact_b.id, "team_id": self.team.id}
        )
        ticket.request_date = datetime(2026, 6, 9, 10, 0)
        self.authenticate(self.portal_b.login, self.portal_b.login)
        response = self.url_open(f"/my/tickets/{ticket.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("19:00", response.text, "10:00 UTC is 19:00 in Tokyo, the time zone of B's company")
