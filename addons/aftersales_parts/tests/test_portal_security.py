from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged

from .common import RmaCommon

REFUSED = (302, 303, 403, 404)


@tagged("post_install", "-at_install")
class TestRmaPortalSecurity(RmaCommon, HttpCase):
    """Return authorizations tried by another customer, by a visitor with a wrong or missing
    token and with the owner's token; no POST without a valid CSRF token.

    Customer A is the shared customer, customer B another one with a return of its own.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Wade Washer", "email": "wade@example.com", "parent_id": cls.customer.id}
        )
        cls.portal_user = new_test_user(
            cls.env, login="as_sec_rma_wade", groups="base.group_portal", partner_id=cls.contact.id
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Olga Other", "email": "olga@example.com", "is_company": True}
        )
        cls.other_portal_user = new_test_user(
            cls.env, login="as_sec_rma_olga", groups="base.group_portal", partner_id=cls.other_customer.id
        )
        cls.other_order = cls.env["sale.order"].create(
            {"partner_id": cls.other_customer.id, "order_line": [(0, 0, {"product_id": cls.kettle.id})]}
        )
        cls.other_order.action_confirm()
        cls._validate(cls.other_order.picking_ids)
        cls.other_move = cls.other_order.order_line.move_ids

    def setUp(self):
        super().setUp()
        self.rma = self._rma([(self.box_move, 1.0, {})], description="<p>Secret crushed box of A</p>")
        self.other_rma = self._rma(
            [(self.other_move, 1.0, {})],
            partner_id=self.other_customer.id,
            sale_order_id=self.other_order.id,
            picking_id=self.other_order.picking_ids.id,
            invoice_id=False,
        )

    def _login_b(self):
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)

    def _public(self):
        self.authenticate(None, None)

    def _a_secrets(self):
        return (self.rma.name, "Secret crushed box of A", self.order.name)

    def _assert_refused(self, response):
        self.assertIn(response.status_code, REFUSED, response.url)
        if response.status_code in (302, 303):
            location = response.headers["Location"]
            self.assertTrue("/my" in location or "/web/login" in location, location)
        for secret in self._a_secrets():
            self.assertNotIn(secret, response.text)

    def _rmas(self):
        return self.env["aftersales.rma"].search([])

    def test_list_of_b_never_shows_returns_of_a(self):
        self._login_b()
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["rma_count"]})
        self.assertEqual(counters["rma_count"], 1)
        for url in ("/my/rmas", "/my/rmas/page/2", "/my/home", "/my/rmas/new"):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200)
                for secret in self._a_secrets():
                    self.assertNotIn(secret, response.text)
                self.assertNotIn(f"/my/rmas/{self.rma.id}", response.text)
        self.assertIn(self.other_rma.name, self.url_open("/my/rmas").text)

    def test_lists_and_forms_need_a_login(self):
        self._public()
        for url in ("/my/rmas", "/my/rmas/page/2", "/my/rmas/new"):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertIn(response.status_code, (302, 303))
                self.assertIn("/web/login", response.headers["Location"])

    def test_return_page_of_a(self):
        url = self.rma.access_url
        token = self.rma._portal_ensure_token()
        self._login_b()
        self._assert_refused(self.url_open(url, allow_redirects=False))
        self._assert_refused(self.url_open(f"{url}?access_token=wrong", allow_redirects=False))
        self._public()
        for query in ("", "?access_token=", "?access_token=wrong", f"?access_token={token[:-1]}"):
            with self.subTest(query=query):
                self._assert_refused(self.url_open(url + query, allow_redirects=False))
        response = self.url_open(f"{url}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.rma.name, response.text)

    def test_new_return_for_a_delivery_of_a(self):
        self._login_b()
        count = len(self._rmas())
        response = self.url_open(
            "/my/rmas/new",
            data={
                f"qty_{self.box_move.id}": "1",
                "reason_id": str(self.reason.id),
                "resolution": "refund",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Only the products delivered to you", response.text)
        self.assertNotIn(self.order.name, response.text)
        self.assertEqual(len(self._rmas()), count, "nothing is created")

    def test_new_return_needs_a_valid_csrf_token(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        count = len(self._rmas())
        data = {f"qty_{self.box_move.id}": "1", "reason_id": str(self.reason.id), "resolution": "refund"}
        for csrf in (None, "forged", http.Request.csrf_token(self) + "x"):
            values = dict(data, csrf_token=csrf) if csrf else data
            with self.subTest(csrf=csrf), self.assertLogs("odoo.http", "WARNING") as logs:
                response = self.url_open("/my/rmas/new", data=values, allow_redirects=False)
            self.assertEqual(response.status_code, 400, "Session expired (invalid CSRF token)")
            self.assertIn("CSRF", logs.output[0])
        self.assertEqual(len(self._rmas()), count, "nothing is created")
