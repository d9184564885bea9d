from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestCare(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env.ref("aftersales_service.mail_template_care_anniversary")
        cls.rule = cls.env["aftersales.care.rule"].create(
            {"name": "One more year together", "mail_template_id": cls.template.id}
        )
        cls.env["aftersales.care.rule"].search([("id", "!=", cls.rule.id)]).active = False
        with freeze_time("2025-03-10 15:00:00"):
            cls.order, cls.old_lot = cls._sell_and_deliver(cls.customer, cls.product, "WM7-2025")
        cls.silent = cls.env["res.partner"].create({"name": "Sam Silent"})
        with freeze_time("2024-03-10 09:00:00"):
            cls._sell_and_deliver(cls.silent, cls.other_product, "DR3-2024")

    def _mails(self, logs):
        return self.env["mail.mail"].search([("model", "=", "aftersales.care.log"), ("res_id", "in", logs.ids)])

    def test_anniversary_mail_once_a_year(self):
        with freeze_time("2026-03-10 05:00:00"):
            logs = self.env["aftersales.care.rule"]._cron_send_care_mails()
        self.assertEqual(len(logs), 2)
        log = logs.filtered(lambda entry: entry.lot_id == self.old_lot)
        self.assertEqual(log.partner_id, self.customer)
        self.assertEqual(log.product_id, self.product)
        self.assertEqual(log.unit_date, date(2025, 3, 10))
        self.assertEqual((log.year, log.years, log.state), (2026, 1, "sent"))
        mail = self._mails(log)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn("1 year(s) with your Washing Machine WM-7", mail.subject)
        self.assertIn("WM7-2025", str(mail.body_html))
        silent = logs - log
        self.assertEqual((silent.years, silent.state), (2, "no_email"), "no address: logged, nothing sent")
        self.assertFalse(self._mails(silent))
        self.assertEqual(self.rule.log_count, 2)

        # the same day again, or another run that year: nothing twice
        with freeze_time("2026-03-10 18:00:00"):
            self.assertFalse(self.env["aftersales.care.rule"]._cron_send_care_mails())
        self.assertFalse(self.rule._aftersales_send_care_mails(today=date(2026, 3, 11)), "no unit on the 11th")
        self.assertEqual(len(self._mails(log)), 1)
        # next year, the second anniversary
        next_year = self.rule._aftersales_send_care_mails(today=date(2027, 3, 10))
        self.assertEqual(next_year.filtered(lambda entry: entry.lot_id == self.old_lot).years, 2)
        # an archived rule sends nothing
        self.rule.active = False
        with freeze_time("2028-03-10 05:00:00"):
            self.assertFalse(self.env["aftersales.care.rule"]._cron_send_care_mails())

    def test_offset_sends_before(self):
        self.rule.days_offset = -7
        logs = self.rule._aftersales_send_care_mails(today=date(2026, 3, 3))
        self.assertEqual(sorted(logs.lot_id.mapped("name")), ["DR3-2024", "WM7-2025"])
        self.assertFalse(self.rule._aftersales_send_care_mails(today=date(2026, 3, 10)))
        with self.assertRaises(ValidationError):
            self.rule.days_offset = 400

    def test_today_delivery_is_no_anniversary(self):
        with freeze_time("2026-03-10 10:00:00"):
            self._sell_and_deliver(self.customer, self.product, "WM7-2026")
        logs = self.rule._aftersales_send_care_mails(today=date(2026, 3, 10))
        self.assertNotIn("WM7-2026", logs.lot_id.mapped("name"))
        self.assertEqual(len(logs), 2)

    def test_installation_anniversary_kind(self):
        self.rule.kind = "installation_anniversary"
        self.assertFalse(self.rule._aftersales_send_care_mails(today=date(2026, 3, 10)), "no installation card")
