from datetime import datetime

from odoo import Command
from odoo.tests import tagged

from .common_fees import AftersalesFeesCommon


@tagged("post_install", "-at_install")
class TestServiceReport(AftersalesFeesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.report = cls.env.ref("aftersales_service.action_report_visit_service")

    def _lines(self):
        return [
            {"line_type": "labour", "product_id": self.labour_product.id, "name": "Labour on site", "quantity": 1.5},
            {"line_type": "fee", "product_id": self.fee_product.id, "name": "Call-out fee"},
        ]

    def _report_messages(self, visit):
        return visit.message_ids.filtered(lambda m: m.attachment_ids and m.message_type == "comment")

    def test_report_renders(self):
        visit = self._visit()
        self._do_visit(visit, lines=self._lines(), user=self.tech_a.user_id)
        html, report_type = self.report._render_qweb_html(self.report.report_name, visit.ids)
        self.assertEqual(report_type, "html")
        html = html.decode()
        for text in (
            visit.name,
            "Wendy Washer",
            "WM7-0001",
            "Washing Machine WM-7",
            "Tara Tech",
            "Labour on site",
            "Call-out fee",
            "Done.",
            "Signed by the customer",
        ):
            self.assertIn(text, html)
        # 1.5 hours at 80 and a fee of 30
        self.assertEqual(visit.fee_amount, 150.0)
        self.assertIn("150.00", html)
        pdf, _report_type = self.report._render_qweb_pdf(self.report.report_name, visit.ids)
        self.assertTrue(pdf)

    def test_report_mailed_when_done(self):
        visit = self._do_visit(self._visit(), lines=self._lines(), user=self.tech_a.user_id)
        message = self._report_messages(visit)
        self.assertEqual(len(message), 1)
        self.assertIn(self.customer, message.partner_ids)
        self.assertIn("service report", message.subject)
        # a PDF, rendered as HTML while the tests run
        self.assertTrue(message.attachment_ids.name.startswith(f"Service Report - {visit.name.replace('/', '-')}."))
        # the customer is notified by e-mail (the e-mail itself may already be sent and deleted)
        notification = message.notification_ids.filtered(lambda n: n.res_partner_id == self.customer)
        self.assertEqual(notification.notification_type, "email")

    def test_no_email_or_setting_off(self):
        self.customer.email = False
        visit = self._do_visit(self._visit())
        self.assertFalse(self._report_messages(visit))
        self.assertTrue(any("has no e-mail address" in message.body for message in visit.message_ids))

        self.customer.email = "wendy@example.com"
        self.company.aftersales_send_service_report = False
        other = self._ticket(lot_id=self.lot.id)
        visit = self._do_visit(self._visit(ticket=other), start=datetime(2026, 6, 10, 10, 0))
        self.assertFalse(self._report_messages(visit))

    def test_parts_section_is_a_template(self):
        view = self.env.ref("aftersales_service.report_visit_service_parts")
        self.assertEqual(view.type, "qweb")
        visit = self._visit(line_ids=[Command.create(self._lines()[1])])
        html = self.report._render_qweb_html(self.report.report_name, visit.ids)[0].decode()
        self.assertIn('name="parts"', html)
        self.assertIn("Call-out fee", html)
