from datetime import date

from freezegun import freeze_time

from odoo import Command
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

    def _return(self, picking, lot):
        """Return the unit ``lot`` of ``picking`` through Odoo's return wizard."""
        wizard = (
            self.env["stock.return.picking"].with_context(active_id=picking.id, active_model="stock.picking").create({})
        )
        wizard.product_return_moves.quantity = 1.0
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        returned.move_ids.move_line_ids.lot_id = lot
        returned.move_ids.picked = True
        returned.button_validate()
        return returned

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
        self.assertFalse(self.rule._send_care_mails(today=date(2026, 3, 11)), "no unit on the 11th")
        self.assertEqual(len(self._mails(log)), 1)
        # next year, the second anniversary
        next_year = self.rule._send_care_mails(today=date(2027, 3, 10))
        self.assertEqual(next_year.filtered(lambda entry: entry.lot_id == self.old_lot).years, 2)
        # an archived rule sends nothing
        self.rule.active = False
        with freeze_time("2028-03-10 05:00:00"):
            self.assertFalse(self.env["aftersales.care.rule"]._cron_send_care_mails())

    def test_offset_sends_before(self):
        self.rule.days_offset = -7
        logs = self.rule._send_care_mails(today=date(2026, 3, 3))
        self.assertEqual(sorted(logs.lot_id.mapped("name")), ["DR3-2024", "WM7-2025"])
        self.assertFalse(self.rule._send_care_mails(today=date(2026, 3, 10)))
        with self.assertRaises(ValidationError):
            self.rule.days_offset = 400

    def test_today_delivery_is_no_anniversary(self):
        with freeze_time("2026-03-10 10:00:00"):
            self._sell_and_deliver(self.customer, self.product, "WM7-2026")
        logs = self.rule._send_care_mails(today=date(2026, 3, 10))
        self.assertNotIn("WM7-2026", logs.lot_id.mapped("name"))
        self.assertEqual(len(logs), 2)

    def test_installation_anniversary_kind(self):
        self.rule.kind = "installation_anniversary"
        self.assertFalse(self.rule._send_care_mails(today=date(2026, 3, 10)), "no installation card")

    def test_anniversary_in_company_time_zone(self):
        """Shanghai is 8 hours ahead of UTC: the days of deliveries and anniversaries are its days."""
        self.company.partner_id.tz = "Asia/Shanghai"
        with freeze_time("2025-03-10 20:00:00"):  # 04:00 on 11 March in Shanghai
            _order, night_lot = self._sell_and_deliver(self.customer, self.product, "WM7-NIGHT")
        Rule = self.env["aftersales.care.rule"]
        with freeze_time("2026-03-10 15:30:00"):  # 23:30 on 10 March in Shanghai
            logs = Rule._cron_send_care_mails()
        self.assertEqual(sorted(logs.lot_id.mapped("name")), ["DR3-2024", "WM7-2025"])
        with freeze_time("2026-03-10 17:00:00"):  # 01:00 on 11 March in Shanghai, still the 10th in UTC
            logs = Rule._cron_send_care_mails()
        self.assertEqual(logs.lot_id, night_lot)
        self.assertEqual((logs.unit_date, logs.year, logs.years), (date(2025, 3, 11), 2026, 1))
        with freeze_time("2026-03-11 10:00:00"):  # the 11th in both: sent already
            self.assertFalse(Rule._cron_send_care_mails())

        # no time zone on the company: UTC
        self.company.partner_id.tz = False
        self.assertEqual(self.rule._tz().zone, "UTC")
        with freeze_time("2027-03-10 17:00:00"):
            logs = Rule._cron_send_care_mails()
        self.assertEqual(sorted(logs.lot_id.mapped("name")), ["DR3-2024", "WM7-2025", "WM7-NIGHT"])

    def test_unit_moved_after_its_return_stays_returned(self):
        with freeze_time("2025-09-01 10:00:00"):
            returned = self._return(self.order.picking_ids, self.old_lot)
        stock = returned.location_dest_id
        shelf = self.env["stock.location"].create({"name": "Returns Shelf", "location_id": stock.id})
        # put away inside the warehouse after the return: the unit is still not the customer's
        with freeze_time("2025-09-02 10:00:00"):
            move = self.env["stock.move"].create(
                {
                    "name": "Put away",
                    "product_id": self.product.id,
                    "product_uom_qty": 1.0,
                    "product_uom": self.product.uom_id.id,
                    "location_id": stock.id,
                    "location_dest_id": shelf.id,
                    "company_id": returned.company_id.id,
                }
            )
            move._action_confirm()
            move.write(
                {
                    "move_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_id": self.product.uom_id.id,
                                "lot_id": self.old_lot.id,
                                "quantity": 1.0,
                                "location_id": stock.id,
                                "location_dest_id": shelf.id,
                            }
                        )
                    ],
                    "picked": True,
                }
            )
            move._action_done()
        self.assertEqual(move.state, "done")
        logs = self.rule._send_care_mails(today=date(2026, 3, 10))
        self.assertEqual(logs.lot_id.mapped("name"), ["DR3-2024"], "the washing machine on the shelf is left out")

    def test_returned_unit_gets_no_anniversary_mail(self):
        picking = self.order.picking_ids
        with freeze_time("2025-09-01 10:00:00"):
            returned = self._return(picking, self.old_lot)
        self.assertEqual(returned.state, "done")
        logs = self.rule._send_care_mails(today=date(2026, 3, 10))
        self.assertEqual(logs.lot_id.mapped("name"), ["DR3-2024"], "the returned washing machine is left out")

        # sent back to the customer (the return of the return): theirs again, its anniversary comes back
        with freeze_time("2025-10-01 10:00:00"):
            redelivery = self._return(returned, self.old_lot)
        self.assertEqual(redelivery.state, "done")
        self.assertEqual(redelivery.move_line_ids.lot_id, self.old_lot)
        logs = self.rule._send_care_mails(today=date(2027, 3, 10))
        self.assertEqual(sorted(logs.lot_id.mapped("name")), ["DR3-2024", "WM7-2025"])
