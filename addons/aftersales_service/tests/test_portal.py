from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import AftersalesCommon


class AftersalesPortalCommon(AftersalesCommon):
    """A portal user, contact of the customer company of the shared fixtures,
    and a second customer with a unit, a ticket and a portal user of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_contact = cls.env["res.partner"].create(
            {
                "name": "Walter Washer",
                "email": "walter@example.com",
                "parent_id": cls.customer.id,
                "type": "contact",
            }
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="as_portal_walter",
            groups="base.group_portal",
            partner_id=cls.customer_contact.id,
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Doris Dryer", "email": "doris@example.com", "is_company": True}
        )
        cls.other_order, cls.other_lot = cls._sell_and_deliver(cls.other_customer, cls.other_product, "DR3-0001")
        cls.other_portal_user = new_test_user(
            cls.env,
            login="as_portal_doris",
            groups="base.group_portal",
            partner_id=cls.other_customer.id,
        )
        cls.ticket = cls.env["aftersales.ticket"].create(
            {
                "name": "Drum makes a grinding noise",
                "partner_id": cls.customer_contact.id,
                "team_id": cls.team.id,
                "lot_id": cls.lot.id,
                "description": "<p>Loud noise when spinning.</p>",
            }
        )
        cls.other_ticket = cls.env["aftersales.ticket"].create(
            {
                "name": "Dryer stays cold secretly",
                "partner_id": cls.other_customer.id,
                "team_id": cls.team.id,
                "lot_id": cls.other_lot.id,
            }
        )


@tagged("post_install", "-at_install")
class TestPortalAccess(AftersalesPortalCommon):
    """What the record rules let a portal user read, without HTTP."""

    def test_portal_user_reads_own_ticket_only(self):
        Ticket = self.env["aftersales.ticket"].with_user(self.portal_user)
        own = Ticket.browse(self.ticket.id)
        self.assertEqual(own.name, "Drum makes a grinding noise")
        self.assertEqual(Ticket.search([]), own, "only the tickets of their own company are found")
        other = Ticket.browse(self.other_ticket.id)
        with self.assertRaises(AccessError):
            other.check_access("read")
        with self.assertRaises(AccessError):
            other.read(["name"])

    def test_portal_user_cannot_write(self):
        own = self.ticket.with_user(self.portal_user)
        with self.assertRaises(AccessError):
            own.write({"name": "Changed by the customer"})
        with self.assertRaises(AccessError):
            self.env["aftersales.ticket"].with_user(self.portal_user).create(
                {"name": "Direct create", "partner_id": self.customer_contact.id}
            )


@tagged("post_install", "-at_install")
class TestPortal(AftersalesPortalCommon, HttpCase):
    """The customer portal of service tickets, through real HTTP requests."""

    def _post_new_ticket(self, **values):
        data = {"name": "It does not start", "description": "Nothing happens\nat all", **values}
        data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open("/my/tickets/new", data=data)

    def _portal_tickets(self):
        return self.env["aftersales.ticket"].search([("commercial_partner_id", "=", self.customer.id)])

    def test_home_and_list(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open("/my/home")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Service Tickets", response.text)
        self.assertIn('data-placeholder_count="ticket_count"', response.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["ticket_count"]})
        self.assertEqual(counters["ticket_count"], 1)

        response = self.url_open("/my/tickets")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.ticket.reference, response.text)
        self.assertIn("Drum makes a grinding noise", response.text)
        self.assertIn("/my/tickets/new", response.text, "the list offers to report a problem")
        self.assertNotIn(self.other_ticket.reference, response.text)
        self.assertNotIn("Dryer stays cold secretly", response.text)

        # filters and sortings
        response = self.url_open("/my/tickets?filterby=closed&sortby=stage")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Drum makes a grinding noise", response.text)
        response = self.url_open("/my/tickets?filterby=open&sortby=reference")
        self.assertIn("Drum makes a grinding noise", response.text)
        response = self.url_open("/my/tickets?search=grinding")
        self.assertIn("Drum makes a grinding noise", response.text)
        response = self.url_open("/my/tickets?search=nothing-like-this")
        self.assertNotIn("Drum makes a grinding noise", response.text)

    def test_ticket_page(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/tickets/{self.ticket.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Drum makes a grinding noise", response.text)
        self.assertIn("WM7-0001", response.text)
        self.assertIn("Washing Machine WM-7", response.text)
        self.assertIn("Loud noise when spinning.", response.text)
        self.assertIn(self.sale_order.name, response.text)
        self.assertIn(f"/my/orders/{self.sale_order.id}", response.text, "their order is linked")
        self.assertIn(self.ticket.stage_id.name, response.text)
        self.assertIn('id="discussion"', response.text, "the portal chatter is on the page")
        self.assertNotIn("o_aftersales_portal_resolution", response.text, "no resolution while open")

        self.ticket.write({"resolution": "<p>Replaced the drum bearing.</p>"})
        self.ticket.action_close()
        response = self.url_open(f"/my/tickets/{self.ticket.id}")
        self.assertIn("Replaced the drum bearing.", response.text)
        self.assertIn(self.stage_solved.name, response.text)

    def test_other_customer_ticket_is_refused(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/tickets/{self.other_ticket.id}", allow_redirects=False)
        self.assertIn(response.status_code, (303, 302, 403, 404))
        self.assertNotIn("Dryer stays cold secretly", response.text)
        response = self.url_open(f"/my/tickets/{self.other_ticket.id}")
        self.assertNotIn("Dryer stays cold secretly", response.text)
        self.assertFalse(response.url.endswith(f"/my/tickets/{self.other_ticket.id}"))
        # an unknown ticket is no better
        response = self.url_open("/my/tickets/999999999", allow_redirects=False)
        self.assertIn(response.status_code, (303, 302, 403, 404))

        # a valid access token opens it, as for any portal document
        token = self.other_ticket._portal_ensure_token()
        response = self.url_open(f"/my/tickets/{self.other_ticket.id}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Dryer stays cold secretly", response.text)
        response = self.url_open(f"/my/tickets/{self.other_ticket.id}?access_token=wrong{token}")
        self.assertNotIn("Dryer stays cold secretly", response.text)

    def test_anonymous_visitor_is_sent_to_login(self):
        response = self.url_open("/my/tickets", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
        response = self.url_open(f"/my/tickets/{self.ticket.id}")
        self.assertNotIn("Drum makes a grinding noise", response.text)

    def test_new_ticket_form_offers_own_units(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open("/my/tickets/new")
        self.assertEqual(response.status_code, 200)
        self.assertIn('name="csrf_token"', response.text)
        self.assertIn("Washing Machine WM-7", response.text)
        self.assertIn("WM7-0001", response.text)
        self.assertNotIn("DR3-0001", response.text)
        self.assertNotIn("Dryer DR-3", response.text)

    def test_new_ticket_for_serial(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        before = self._portal_tickets()
        response = self._post_new_ticket(lot_id=str(self.lot.id))
        self.assertEqual(response.status_code, 200)
        ticket = self._portal_tickets() - before
        self.assertEqual(len(ticket), 1)
        self.assertTrue(response.url.endswith(f"/my/tickets/{ticket.id}?created=1"))
        self.assertIn(ticket.reference, response.text)
        self.assertRecordValues(
            ticket,
            [
                {
                    "name": "It does not start",
                    "channel": "portal",
                    "partner_id": self.customer_contact.id,
                    "commercial_partner_id": self.customer.id,
                    "product_id": self.product.id,
                    "lot_id": self.lot.id,
                    "sale_order_id": self.sale_order.id,
                    "sale_line_id": self.sale_order.order_line.id,
                    "company_id": self.sale_order.company_id.id,
                }
            ],
        )
        self.assertIn("Nothing happens", ticket.description)
        self.assertIn(self.customer_contact, ticket.message_partner_ids, "the customer follows the ticket")
        # the customer who opened it is e-mailed the acknowledgement, although they are the user who acted
        self._run_acknowledgements()
        received = ticket.message_ids.filtered(lambda m: "we received your request" in (m.subject or ""))
        self.assertEqual(len(received), 1)
        emailed = received.notification_ids.filtered(lambda n: n.notification_type == "email").res_partner_id
        self.assertEqual(emailed, self.customer_contact)

    def test_new_ticket_for_product(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        before = self._portal_tickets()
        self._post_new_ticket(product_id=str(self.product.id), lot_id="")
        ticket = self._portal_tickets() - before
        self.assertEqual(len(ticket), 1)
        self.assertRecordValues(
            ticket,
            [
                {
                    "channel": "portal",
                    "partner_id": self.customer_contact.id,
                    "product_id": self.product.id,
                    "lot_id": False,
                    "sale_order_id": self.sale_order.id,
                }
            ],
        )

    def test_new_ticket_refused_for_what_they_did_not_buy(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        Ticket = self.env["aftersales.ticket"]
        count = Ticket.search_count([])
        cases = [
            ({"lot_id": str(self.other_lot.id)}, "This serial number is not among the units delivered to you."),
            ({"product_id": str(self.other_product.id)}, "This product is not among the ones you bought from us."),
            (
                {"product_id": str(self.product.id), "lot_id": str(self.other_lot.id)},
                "This serial number is not among the units delivered to you.",
            ),
            ({"product_id": "not-an-id"}, "This product is not among the ones you bought from us."),
            ({}, "Choose the product or the serial number concerned."),
            ({"name": "  ", "lot_id": str(self.lot.id)}, "Tell us in a few words what the problem is."),
        ]
        for values, message in cases:
            with self.subTest(values=values):
                response = self._post_new_ticket(**values)
                self.assertEqual(response.status_code, 200)
                self.assertIn("o_aftersales_portal_errors", response.text)
                self.assertIn(message, response.text)
                self.assertEqual(Ticket.search_count([]), count, "no ticket was opened")

    def test_new_ticket_mismatched_product_and_serial(self):
        own_dryer_order, own_dryer_lot = self._sell_and_deliver(self.customer, self.other_product, "DR3-0002")
        self.authenticate(self.portal_user.login, self.portal_user.login)
        count = self.env["aftersales.ticket"].search_count([])
        response = self._post_new_ticket(product_id=str(self.product.id), lot_id=str(own_dryer_lot.id))
        self.assertIn("o_aftersales_portal_errors", response.text)
        self.assertIn("DR3-0002", response.text)
        self.assertEqual(self.env["aftersales.ticket"].search_count([]), count)
        # the dryer of their second order is theirs, on its own
        self._post_new_ticket(lot_id=str(own_dryer_lot.id))
        ticket = self.env["aftersales.ticket"].search([("lot_id", "=", own_dryer_lot.id)])
        self.assertEqual(ticket.sale_order_id, own_dryer_order)

    def test_new_ticket_needs_csrf_token(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        count = self.env["aftersales.ticket"].search_count([])
        with self.assertLogs("odoo.http", level="WARNING"):
            response = self.url_open("/my/tickets/new", data={"name": "No token", "lot_id": str(self.lot.id)})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.env["aftersales.ticket"].search_count([]), count)

    def test_returned_unit_is_no_longer_offered(self):
        """A serial number that came back from the customer is not theirs any more."""
        picking = self.sale_order.picking_ids
        return_wizard = (
            self.env["stock.return.picking"].with_context(active_id=picking.id, active_model="stock.picking").create({})
        )
        return_wizard.product_return_moves.quantity = 1.0
        return_picking = return_wizard._create_return()
        return_picking.move_ids.picked = True
        return_picking.button_validate()
        self.assertEqual(return_picking.state, "done")

        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open("/my/tickets/new")
        self.assertNotIn("WM7-0001", response.text)
        count = self.env["aftersales.ticket"].search_count([])
        response = self._post_new_ticket(lot_id=str(self.lot.id))
        self.assertIn("This serial number is not among the units delivered to you.", response.text)
        self.assertEqual(self.env["aftersales.ticket"].search_count([]), count)

    def test_comment_through_portal_chatter(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "aftersales.ticket",
                "thread_id": self.ticket.id,
                "post_data": {
                    "body": "The noise is worse since yesterday.",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
            },
        )
        message = self.ticket.message_ids.filtered(lambda m: "The noise is worse since yesterday." in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.customer_contact)
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))

        # but not on the ticket of another customer
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": "aftersales.ticket",
                    "thread_id": self.other_ticket.id,
                    "post_data": {"body": "Intrusion", "message_type": "comment"},
                },
            )
        self.assertFalse(self.other_ticket.message_ids.filtered(lambda m: "Intrusion" in (m.body or "")))

    def test_portal_tour(self):
        """The customer reports a problem and comments it, in a real browser."""
        before = self._portal_tickets()
        self.start_tour("/my/tickets", "aftersales_portal_ticket_tour", login=self.portal_user.login)
        ticket = self._portal_tickets() - before
        self.assertRecordValues(
            ticket,
            [
                {
                    "name": "Door does not lock",
                    "channel": "portal",
                    "partner_id": self.customer_contact.id,
                    "lot_id": self.lot.id,
                    "sale_order_id": self.sale_order.id,
                }
            ],
        )
        self.assertIn("The door light blinks", ticket.description)
        comment = ticket.message_ids.filtered(lambda m: "It is the unit in the basement." in (m.body or ""))
        self.assertEqual(comment.author_id, self.customer_contact)
