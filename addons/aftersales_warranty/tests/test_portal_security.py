from datetime import date, timedelta

from odoo import Command, fields, http
from odoo.tests import HttpCase, tagged

from odoo.addons.aftersales_service.tools.portal_upload import MAX_UPLOAD_COUNT, MAX_UPLOAD_SIZE

from .test_warranty_portal import WarrantyPortalCommon

REFUSED = (302, 303, 403, 404)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@tagged("post_install", "-at_install")
class TestWarrantyPortalSecurity(WarrantyPortalCommon, HttpCase):
    """Units, warranties, contracts and the registration form tried by another customer, by a
    visitor with a wrong or missing token and with the owner's token; no POST without a valid
    CSRF token; the proofs of purchase read within limits and typed by their content.

    Customer A is the shared customer (``portal_user``), customer B the other one.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        proof = cls.env["ir.attachment"].create(
            {
                "name": "proof-of-customer-a.pdf",
                "raw": PDF,
                "res_model": "aftersales.warranty",
                "res_id": cls.warranty.id,
            }
        )
        cls.warranty.message_post(
            body="Proof of purchase", attachment_ids=proof.ids, message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        service = cls.env["product.product"].create({"name": "Care Plan", "type": "service", "list_price": 300.0})
        Contract = cls.env["aftersales.contract"]
        values = {
            "product_id": service.id,
            "start_date": date(2026, 1, 1),
            "term_months": 12,
            "recurring_amount": 300.0,
            "visits_per_year": 2,
        }
        cls.contract = Contract.create({**values, "partner_id": cls.customer.id, "lot_ids": [Command.set(cls.lot.ids)]})
        cls.contract.action_start()
        cls.draft_contract = Contract.create({**values, "partner_id": cls.customer.id})
        cls.other_contract = Contract.create(
            {**values, "partner_id": cls.other_customer.id, "lot_ids": [Command.set(cls.other_lot.ids)]}
        )
        cls.other_contract.action_start()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _login_a(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)

    def _login_b(self):
        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)

    def _public(self):
        self.authenticate(None, None)

    def _assert_refused(self, response, *secrets):
        self.assertIn(response.status_code, REFUSED, response.url)
        if response.status_code in (302, 303):
            location = response.headers["Location"]
            self.assertTrue("/my" in location or "/web/login" in location, location)
        for secret in secrets:
            self.assertNotIn(secret, response.text)

    def _a_secrets(self):
        return (self.lot.name, self.warranty.name, self.contract.name, "proof-of-customer-a.pdf")

    def _register(self, files, csrf=True, **values):
        data = {
            "product_id": self.product.id,
            "serial": "WM7-SEC-1",
            "purchase_date": fields.Date.to_string(self.today - timedelta(days=10)),
            **values,
        }
        if csrf is True:
            data["csrf_token"] = http.Request.csrf_token(self)
        elif csrf:
            data["csrf_token"] = csrf
        return self.url_open("/my/products/register", data=data, files=files, allow_redirects=False)

    def _registrations(self):
        return self.env["aftersales.warranty"].search(
            [("origin", "=", "registration"), ("commercial_partner_id", "=", self.customer.id)]
        )

    # ------------------------------------------------------------------
    # Lists
    # ------------------------------------------------------------------

    def test_lists_of_b_never_show_records_of_a(self):
        self._login_b()
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["warranty_count", "contract_count"]})
        self.assertEqual(counters, {"warranty_count": 1, "contract_count": 1})
        for url in ("/my/products", "/my/products/page/2", "/my/contracts", "/my/contracts/page/2", "/my/home"):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200)
                for secret in self._a_secrets():
                    self.assertNotIn(secret, response.text)
                self.assertNotIn(f"/my/warranties/{self.warranty.id}", response.text)
                self.assertNotIn(f"/my/contracts/{self.contract.id}", response.text)
        self.assertIn(self.other_lot.name, self.url_open("/my/products").text)
        self.assertIn(self.other_contract.name, self.url_open("/my/contracts").text)

    def test_lists_and_forms_need_a_login(self):
        self._public()
        for url in ("/my/products", "/my/products/page/2", "/my/contracts", "/my/products/register"):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertIn(response.status_code, (302, 303))
                self.assertIn("/web/login", response.headers["Location"])

    # ------------------------------------------------------------------
    # One record
    # ------------------------------------------------------------------

    def _check_page(self, record, secret):
        url = record.access_url
        token = record._portal_ensure_token()
        self._login_b()
        response = self.url_open(url, allow_redirects=False)
        self._assert_refused(response, *self._a_secrets())
        self._assert_refused(self.url_open(f"{url}?access_token=wrong", allow_redirects=False), *self._a_secrets())
        self._public()
        for query in ("", "?access_token=", "?access_token=wrong", f"?access_token={token[:-1]}"):
            with self.subTest(url=url, query=query):
                self._assert_refused(self.url_open(url + query, allow_redirects=False), *self._a_secrets())
        response = self.url_open(f"{url}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(secret, response.text)

    def test_warranty_page_of_a(self):
        self._check_page(self.warranty, "proof-of-customer-a.pdf")

    def test_contract_page_of_a(self):
        self._check_page(self.contract, self.lot.name)
        # an offer in the making stays hidden, even with its token
        token = self.draft_contract._portal_ensure_token()
        response = self.url_open(f"/my/contracts/{self.draft_contract.id}?access_token={token}")
        self.assertEqual(response.status_code, 404)

    def test_proof_of_a_is_not_downloadable_by_b(self):
        proof = self.env["ir.attachment"].search([("name", "=", "proof-of-customer-a.pdf")])
        self._login_b()
        response = self.url_open(f"/web/content/{proof.id}?download=true", allow_redirects=False)
        self.assertIn(response.status_code, (403, 404))
        self.assertNotIn(b"%PDF", response.content)

    # ------------------------------------------------------------------
    # Registration: CSRF and uploads
    # ------------------------------------------------------------------

    def test_register_needs_a_valid_csrf_token(self):
        self._login_a()
        files = {"proof": ("receipt.pdf", PDF, "application/pdf")}
        for csrf in (False, "forged", http.Request.csrf_token(self) + "x"):
            with self.subTest(csrf=csrf), self.assertLogs("odoo.http", "WARNING") as logs:
                response = self._register(files, csrf=csrf)
            self.assertIn("CSRF", logs.output[0])
            self.assertEqual(response.status_code, 400, "Session expired (invalid CSRF token)")
        self.assertFalse(self._registrations(), "nothing registered")
        self.assertFalse(self.env["ir.attachment"].search([("name", "=", "receipt.pdf")]))

    def _assert_upload_refused(self, files, message):
        response = self._register(files)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_portal_errors", response.text)
        self.assertIn(message, response.text)
        self.assertFalse(self._registrations(), "nothing registered")

    def test_upload_too_large(self):
        self._login_a()
        too_large = PDF + b"0" * (MAX_UPLOAD_SIZE + 1 - len(PDF))
        self.assertEqual(len(too_large), 10 * 1024 * 1024 + 1)
        self._assert_upload_refused(
            {"proof": ("receipt.pdf", too_large, "application/pdf")}, "The file receipt.pdf is larger than 10 MB."
        )
        # exactly at the limit is fine
        response = self._register({"proof": ("receipt.pdf", too_large[:-1], "application/pdf")})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(len(self._registrations()), 1)

    def test_upload_disguised_files(self):
        self._login_a()
        disguised = {
            "executable": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"This program",
            "html": b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
            "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "script": b"#!/bin/sh\nrm -rf /\n",
        }
        for kind, content in disguised.items():
            with self.subTest(kind=kind):
                self._assert_upload_refused(
                    {"proof": ("receipt.pdf", content, "application/pdf")},
                    "The file receipt.pdf is not accepted: send a picture or a PDF document.",
                )
        self.assertFalse(self.env["ir.attachment"].search([("name", "=", "receipt.pdf")]))

    def test_upload_empty_and_too_many(self):
        self._login_a()
        self._assert_upload_refused({"proof": ("receipt.pdf", b"", "application/pdf")}, "Attach your proof")
        files = [("proof", (f"page-{index}.pdf", PDF, "application/pdf")) for index in range(MAX_UPLOAD_COUNT + 1)]
        self._assert_upload_refused(files, "Send at most 10 files at once.")

    def test_upload_good_pdfs(self):
        self._login_a()
        files = [("proof", (f"page-{index}.pdf", PDF, "application/octet-stream")) for index in range(MAX_UPLOAD_COUNT)]
        response = self._register(files)
        self.assertEqual(response.status_code, 303)
        warranty = self._registrations()
        self.assertEqual(len(warranty), 1)
        self.assertIn(warranty.access_url, response.headers["Location"])
        proofs = self.env["ir.attachment"].search(
            [("res_model", "=", "aftersales.warranty"), ("res_id", "=", warranty.id)]
        )
        self.assertEqual(len(proofs), MAX_UPLOAD_COUNT)
        self.assertEqual(set(proofs.mapped("mimetype")), {"application/pdf"}, "typed by the content")
        self.assertEqual(proofs[0].raw, PDF)
