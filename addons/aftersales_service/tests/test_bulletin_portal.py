import base64

from odoo.tests import HttpCase, tagged

from .common_bulletin import BulletinFixtures


@tagged("post_install", "-at_install")
class TestBulletinPortal(BulletinFixtures, HttpCase):
    """The dealers and service partners read their bulletins on the portal, through real HTTP requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_network()

    def _login(self, user):
        self.authenticate(user.login, user.login)

    def test_dealer_reads_on_portal(self):
        bulletin = self._bulletin(name="Spring campaign", category="campaign", body="<p>Ten percent off pumps.</p>")
        self.env["ir.attachment"].create(
            {
                "name": "campaign.txt",
                "datas": base64.b64encode(b"campaign terms"),
                "res_model": "aftersales.bulletin",
                "res_id": bulletin.id,
            }
        )
        bulletin.attachment_ids = self.env["ir.attachment"].search(
            [("res_model", "=", "aftersales.bulletin"), ("res_id", "=", bulletin.id)]
        )
        draft = self._bulletin(name="Not yet out")
        bulletin.action_publish()
        self._login(self.dealer_user)
        self.assertEqual(self.url_open("/my/home").status_code, 200)
        response = self.url_open("/my/bulletins")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Spring campaign", response.text)
        self.assertNotIn("Not yet out", response.text)
        self.assertIn("o_aftersales_bulletin_unread_count", response.text)
        self.assertFalse(bulletin.read_ids)
        response = self.url_open(f"/my/bulletins/{bulletin.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Ten percent off pumps.", response.text)
        self.assertIn("campaign.txt", response.text)
        self.assertEqual(bulletin.read_ids.user_id, self.dealer_user)
        self.assertEqual(bulletin.read_ids.partner_id, self.dealer_user.partner_id)
        self.assertEqual(bulletin.read_ids.reader_commercial_partner_id, self.dealer)
        # the attachment is handed out with its token
        attachment = bulletin.attachment_ids
        response = self.url_open(f"/web/content/{attachment.id}?download=true&access_token={attachment.access_token}")
        self.assertEqual(response.content, b"campaign terms")
        # read: no longer counted as unread
        response = self.url_open("/my/bulletins")
        self.assertNotIn("o_aftersales_bulletin_unread_count", response.text)
        self.assertEqual(self.url_open(f"/my/bulletins/{draft.id}").status_code, 404)
        self.assertEqual(bulletin.unread_recipient_ids, self.north_manager | self.north_agent | self.north_tech)

    def test_other_dealer_and_customer_do_not_see_it(self):
        bulletin = self._bulletin(name="Dealer price list", category="price")
        bulletin.action_publish()
        for user in (self.other_dealer_user, self.customer_user, self.service_user):
            with self.subTest(user=user.login):
                self._login(user)
                response = self.url_open("/my/bulletins")
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("Dealer price list", response.text)
                self.assertEqual(self.url_open(f"/my/bulletins/{bulletin.id}").status_code, 404)
                self.assertEqual(self.url_open("/my/bulletins/999999999").status_code, 404)
        self.assertFalse(bulletin.read_ids)
