from datetime import timedelta

from odoo import fields, http
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import WarrantyCommon


class WarrantyPortalCommon(WarrantyCommon):
    """A portal user of the shared customer with a running warranty, and another customer with theirs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["aftersales.warranty"])
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Walter Washer",
                "email": "walter@example.com",
                "parent_id": cls.customer.id,
                # the portal counts the days in the user's time zone: the same day as the test's
                "tz": cls.env.context.get("tz") or cls.env.user.tz or "UTC",
            }
        )
        cls.portal_user = new_test_user(
            cls.env, login="as_wportal_walter", groups="base.group_portal", partner_id=cls.contact.id
        )
        cls.warranty = cls.env["aftersales.warranty"].create(
            {
                "partner_id": cls.customer.id,
                "product_id": cls.product.id,
                "policy_id": cls.policy.id,
                "lot_id": cls.lot.id,
            }
        )
        cls.warranty._start(cls.today - timedelta(days=100))
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Doris Dryer", "email": "doris@example.com", "is_company": True}
        )
        cls.other_portal_user = new_test_user(
            cls.env, login="as_wportal_doris", groups="base.group_portal", partner_id=cls.other_customer.id
        )
        cls.other_lot = cls.env["stock.lot"].create(
            {"name": "WM7-OTHER-9", "product_id": cls.product.id, "company_id": cls.company.id}
        )
        cls.other_warranty = cls.env["aftersales.warranty"].create(
            {
                "partner_id": cls.other_customer.id,
                "product_id": cls.product.id,
                "policy_id": cls.policy.id,
                "lot_id": cls.other_lot.id,
            }
        )
        cls.other_warranty._start(cls.today)
        cls.staff = new_test_user(
            cls.env, login="as_wportal_staff", groups="aftersales_service.aftersales_service_group_user"
        )


@tagged("post_install", "-at_install")
class TestWarrantyRegistration(WarrantyPortalCommon):
    """Registrations and their approval, without HTTP."""

    def _register(self, serial="WM7-ELSEWHERE-1", purchase_date=None, product=None):
        return self.env["aftersales.warranty"]._register_unit(
            self.contact,
            product or self.product,
            serial,
            purchase_date or self.today - timedelta(days=30),
            attachments=[("receipt.pdf", b"%PDF-1.4 receipt")],
        )

    def test_approve_starts_at_purchase_date_on_a_new_lot(self):
        warranty = self._register()
        self.assertEqual(warranty.state, "draft")
        self.assertEqual(warranty.registration_state, "to_approve")
        self.assertEqual(warranty.origin, "registration")
        self.assertFalse(warranty.lot_id)
        self.assertIn(self.contact.id, warranty.message_partner_ids.ids, "the customer follows the registration")
        self.assertIn(warranty, self.env["aftersales.warranty"].search([("registration_state", "=", "to_approve")]))

        warranty.with_user(self.staff).action_approve_registration()
        self.assertEqual(warranty.registration_state, "approved")
        self.assertEqual(warranty.state, "active")
        self.assertEqual(warranty.start_date, self.today - timedelta(days=30))
        self.assertEqual(warranty.lot_id.name, "WM7-ELSEWHERE-1")
        self.assertEqual(warranty.lot_id.product_id, self.product)
        self.assertEqual(self.env["aftersales.warranty"]._lookup("WM7-ELSEWHERE-1"), warranty)
        last = warranty.message_ids[0]
        self.assertEqual(last.subtype_id, self.env.ref("mail.mt_comment"), "the customer is notified")
        self.assertIn("approved", last.body)
        with self.assertRaisesRegex(UserError, "not registrations waiting"):
            warranty.action_approve_registration()

    def test_approve_finds_the_existing_lot_and_expires_old_purchases(self):
        lot = self.env["stock.lot"].create(
            {"name": "WM7-OLD-1", "product_id": self.product.id, "company_id": self.company.id}
        )
        warranty = self._register("WM7-OLD-1", purchase_date=self.today - timedelta(days=365 * 3))
        warranty.action_approve_registration()
        self.assertEqual(warranty.lot_id, lot)
        self.assertEqual(warranty.state, "expired")
        self.assertIn("ended", warranty.message_ids[0].body)

    def test_reject_voids_with_reason(self):
        warranty = self._register()
        wizard = Form(
            self.env["aftersales.warranty.reject"]
            .with_user(self.staff)
            .with_context(**warranty.action_open_reject_wizard()["context"])
        )
        wizard.reason = "The receipt is unreadable."
        wizard.save().action_reject()
        self.assertEqual(warranty.state, "void")
        self.assertEqual(warranty.registration_state, "rejected")
        self.assertEqual(warranty.void_reason, "The receipt is unreadable.")
        self.assertIn("The receipt is unreadable.", warranty.message_ids[0].body)
        self.assertFalse(warranty.lot_id, "no lot is created for a refused unit")
        with self.assertRaisesRegex(UserError, "not registrations waiting"):
            warranty.action_reject_registration("again")
        # the serial may be registered again with a better proof
        self.assertEqual(self._register().registration_state, "to_approve")

    def test_refusals(self):
        with self.assertRaisesRegex(UserError, "already has a warranty"):
            self._register(self.lot.name)
        self._register("WM7-TWICE")
        with self.assertRaisesRegex(UserError, "already has a warranty"):
            self._register("WM7-TWICE")
        with self.assertRaisesRegex(UserError, "in the future"):
            self._register("WM7-LATER", purchase_date=self.today + timedelta(days=1))
        with self.assertRaisesRegex(UserError, "no warranty"):
            self._register("DR3-1", product=self.other_product)
        with self.assertRaisesRegex(UserError, "serial number"):
            self._register("  ")
        with self.assertRaisesRegex(UserError, "not registrations waiting"):
            self.warranty.action_approve_registration()


@tagged("post_install", "-at_install")
class TestWarrantyPortal(WarrantyPortalCommon, HttpCase):
    """My products, the warranty page and the registration form, through real HTTP requests."""

    def _post_registration(self, **values):
        data = {
            "product_id": self.product.id,
            "serial": "WM7-DEALER-7",
            "purchase_date": fields.Date.to_string(self.today - timedelta(days=10)),
            "csrf_token": http.Request.csrf_token(self),
            **values,
        }
        files = {"proof": ("receipt.pdf", b"%PDF-1.4 dealer receipt", "application/pdf")}
        return self.url_open("/my/products/register", data=data, files=files)

    def _registrations(self):
        return self.env["aftersales.warranty"].search(
            [("origin", "=", "registration"), ("commercial_partner_id", "=", self.customer.id)]
        )

    def test_my_products_lists_own_units_with_days_left(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open("/my/home")
        self.assertEqual(response.status_code, 200)
        self.assertIn('data-placeholder_count="warranty_count"', response.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["warranty_count"]})
        self.assertEqual(counters["warranty_count"], 1)

        response = self.url_open("/my/products")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.lot.name, response.text)
        self.assertIn(self.product.name, response.text)
        self.assertEqual(self.warranty.days_left, (self.warranty.end_date - self.today).days + 1)
        self.assertGreater(self.warranty.days_left, 600)
        self.assertIn(f'o_aftersales_days_left">{self.warranty.days_left}<', response.text)
        self.assertIn(f"/my/warranties/{self.warranty.id}", response.text)
        self.assertNotIn(self.other_lot.name, response.text, "another customer's unit is not listed")
        self.assertNotIn(self.other_warranty.name, response.text)

    def test_warranty_page_and_other_customer(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/warranties/{self.warranty.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.warranty.name, response.text)
        self.assertIn(self.lot.name, response.text)
        self.assertIn('id="discussion"', response.text, "the portal chatter is on the page")

        response = self.url_open(f"/my/warranties/{self.other_warranty.id}")
        self.assertIn(response.status_code, (403, 404))
        self.assertNotIn(self.other_lot.name, response.text)
        response = self.url_open("/my/warranties/999999999")
        self.assertEqual(response.status_code, 404)

    def test_register_through_the_portal(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open("/my/products/register")
        self.assertEqual(response.status_code, 200)
        self.assertIn('enctype="multipart/form-data"', response.text)
        self.assertIn(self.product.name, response.text)
        self.assertNotIn(self.other_product.name, response.text, "products without warranty are not offered")

        response = self._post_registration()
        self.assertEqual(response.status_code, 200)
        warranty = self._registrations()
        self.assertEqual(len(warranty), 1)
        self.assertIn(f"/my/warranties/{warranty.id}", response.url)
        self.assertIn("o_aftersales_portal_registered", response.text)
        self.assertEqual(warranty.partner_id, self.contact)
        self.assertEqual(warranty.registration_serial, "WM7-DEALER-7")
        self.assertEqual(warranty.purchase_date, self.today - timedelta(days=10))
        self.assertEqual((warranty.state, warranty.registration_state), ("draft", "to_approve"))
        proof = self.env["ir.attachment"].search(
            [("res_model", "=", "aftersales.warranty"), ("res_id", "=", warranty.id)]
        )
        self.assertEqual(proof.name, "receipt.pdf")
        self.assertEqual(proof.raw, b"%PDF-1.4 dealer receipt")
        self.assertIn("Waiting for approval", self.url_open("/my/products").text)

        warranty.with_user(self.staff).action_approve_registration()
        self.assertEqual(warranty.start_date, self.today - timedelta(days=10))
        self.assertEqual(warranty.state, "active")

    def test_register_refused_with_a_clear_message(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self._post_registration(serial=self.lot.name)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_portal_errors", response.text)
        self.assertIn(f"Serial number {self.lot.name}", response.text)
        self.assertIn("already has a warranty", response.text)

        response = self._post_registration(purchase_date=fields.Date.to_string(self.today + timedelta(days=3)))
        self.assertIn("is in the future", response.text)
        response = self._post_registration(product_id=self.other_product.id)
        self.assertIn("Choose the product among the ones we give a warranty for.", response.text)
        response = self._post_registration(product_id="not-a-number", purchase_date="yesterday", serial="")
        self.assertIn("Give the serial number", response.text)
        self.assertIn("Give the date you bought the unit.", response.text)
        response = self.url_open(
            "/my/products/register",
            data={
                "product_id": self.product.id,
                "serial": "WM7-NOPROOF",
                "purchase_date": fields.Date.to_string(self.today),
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertIn("Attach your proof of purchase", response.text)
        self.assertFalse(self._registrations(), "nothing is registered from a refused form")

    def test_register_needs_csrf(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        with self.assertLogs("odoo.http", "WARNING"):
            response = self._post_registration(csrf_token="forged")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._registrations())


@tagged("post_install", "-at_install")
class TestWarrantyPortalAccess(WarrantyPortalCommon):
    """What the record rules and access rights let a portal user do, without HTTP."""

    def test_portal_user_reads_own_warranties_only(self):
        Warranty = self.env["aftersales.warranty"].with_user(self.portal_user)
        self.assertEqual(Warranty.search([("lot_id", "in", (self.lot | self.other_lot).ids)]), self.warranty)
        with self.assertRaises(AccessError):
            Warranty.browse(self.other_warranty.id).read(["name"])
        with self.assertRaises(AccessError):
            Warranty.browse(self.warranty.id).write({"end_date": "2099-12-31"})
        registration = self.env["aftersales.warranty"]._register_unit(
            self.contact, self.product, "WM7-SELF-1", self.today, attachments=[("receipt.png", b"PNG")]
        )
        with self.assertRaises(AccessError):
            Warranty.browse(registration.id).action_approve_registration()
        self.assertEqual(registration.registration_state, "to_approve")

    def test_supplier_claims_are_internal(self):
        with self.assertRaises(AccessError):
            self.env["aftersales.supplier.claim"].with_user(self.portal_user).search([])
        technician = new_test_user(
            self.env, login="as_wportal_tech", groups="aftersales_service.aftersales_service_group_technician"
        )
        with self.assertRaises(AccessError):
            self.env["aftersales.supplier.claim"].with_user(technician).create(
                {"partner_id": self.customer.id, "lot_id": self.lot.id}
            )
