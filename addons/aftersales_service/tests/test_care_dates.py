import ast
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from ..models import aftersales_care_rule_dates as care_rule_dates
from .common import AftersalesCommon


class AftersalesCareDatesCommon(AftersalesCommon):
    """A birthday rule, a festival of the lunar calendar and New Year's day, and three contacts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Rule = cls.env["aftersales.care.rule"]
        Rule.search([]).active = False
        cls.birthday_rule = Rule.create(
            {
                "name": "Happy birthday",
                "kind": "birthday",
                "mail_template_id": cls.env.ref("aftersales_service.mail_template_care_birthday").id,
            }
        )
        cls.festival_rule = Rule.create(
            {
                "name": "Happy Spring Festival",
                "kind": "yearly_date",
                "mail_template_id": cls.env.ref("aftersales_service.mail_template_care_yearly_date").id,
                "date_ids": [(0, 0, {"date": date(2026, 2, 17)}), (0, 0, {"date": date(2027, 2, 6)})],
            }
        )
        cls.anniversary_rule = Rule.create(
            {
                "name": "One more year together",
                "mail_template_id": cls.env.ref("aftersales_service.mail_template_care_anniversary").id,
            }
        )
        Partner = cls.env["res.partner"]
        # the birthdays of the database do not take part
        Partner.search([("aftersales_birthday", "!=", False)]).aftersales_birthday = False
        cls.agent_care = new_test_user(
            cls.env,
            login="as_care_agent",
            name="Carla Care",
            groups="aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman,"
            "base.group_partner_manager",
        )
        cls.alice = Partner.create(
            {"name": "Alice Birthday", "email": "alice@example.com", "aftersales_birthday": "1980-05-20"}
        )
        cls.leap = Partner.create({"name": "Leo Leap", "email": "leo@example.com", "aftersales_birthday": "1992-02-29"})
        cls.quiet = Partner.create(
            {
                "name": "Quentin Quiet",
                "email": "quentin@example.com",
                "aftersales_birthday": "1980-05-20",
                "aftersales_care_opt_out": True,
            }
        )

    def _mails(self, logs):
        return self.env["mail.mail"].search([("model", "=", "aftersales.care.log"), ("res_id", "in", logs.ids)])

    def _run(self, day, rules=None):
        """The manager presses "Send Today's E-mails" on the rules, on ``day``."""
        with freeze_time(f"{day} 08:00:00"):
            return (
                (rules or self.birthday_rule | self.festival_rule | self.anniversary_rule)
                .with_user(self.manager)
                .action_run()
            )


@tagged("post_install", "-at_install")
class TestCareDates(AftersalesCareDatesCommon):
    def test_agent_records_birthday_and_opt_out(self):
        # on the phone, the customer gives a birthday and asks for no more greetings
        with Form(self.leap.with_user(self.agent_care), view="base.view_partner_form") as form:
            form.aftersales_birthday = date(1975, 9, 1)
            form.aftersales_care_opt_out = True
        self.assertEqual(self.leap.aftersales_birthday, date(1975, 9, 1))
        self.assertTrue(self.leap.aftersales_care_opt_out)

    def test_birthday_once_a_year(self):
        logs = self._run("2026-05-20", self.birthday_rule)
        self.assertEqual(logs.partner_id, self.alice | self.quiet)
        alice_log = logs.filtered(lambda log: log.partner_id == self.alice)
        self.assertEqual((alice_log.state, alice_log.year, alice_log.unit_date), ("sent", 2026, date(2026, 5, 20)))
        self.assertFalse(alice_log.lot_id)
        mail = self._mails(alice_log)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.alice)
        self.assertIn("Happy birthday, Alice Birthday", mail.subject)
        self.assertIn(f"/aftersales/care/unsubscribe/{self.alice.id}/", str(mail.body_html))
        # the mail clients' own unsubscribe button, one click
        headers = ast.literal_eval(mail.headers)
        self.assertEqual(headers["List-Unsubscribe"], f"<{self.alice._aftersales_care_unsubscribe_url()}/confirm>")
        self.assertEqual(headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        # the same day again, or the daily job that day: nothing twice
        self.assertFalse(self._run("2026-05-20", self.birthday_rule))
        with freeze_time("2026-05-20 20:00:00"):
            self.assertFalse(self.env["aftersales.care.rule"]._cron_send_care_mails())
        self.assertEqual(len(self._mails(alice_log)), 1)
        # next year again
        self.assertEqual(self._run("2027-05-20", self.birthday_rule).partner_id, self.alice | self.quiet)

    def test_birthday_on_29_february(self):
        self.assertEqual(self._run("2027-02-28", self.birthday_rule).partner_id, self.leap)
        self.assertFalse(self._run("2028-02-28", self.birthday_rule), "a leap year has its 29th")
        self.assertEqual(self._run("2028-02-29", self.birthday_rule).partner_id, self.leap)

    def test_festival_on_its_date_each_year(self):
        logs = self._run("2026-02-17", self.festival_rule)
        customer_log = logs.filtered(lambda log: log.partner_id == self.customer)
        self.assertEqual(customer_log.state, "sent")
        self.assertIn("Happy Spring Festival", self._mails(customer_log).subject)
        self.assertNotIn(self.alice, logs.partner_id, "a contact who bought nothing is no customer")
        self.assertFalse(self._run("2026-02-17", self.festival_rule), "once a year")
        self.assertFalse(self._run("2027-02-17", self.festival_rule), "the festival moves every year")
        self.assertIn(self.customer, self._run("2027-02-06", self.festival_rule).partner_id)

    def test_festival_sent_in_batches(self):
        second = self.env["res.partner"].create({"name": "Second Customer", "email": "second@example.com"})
        self._ticket(partner_id=second.id, name="Noise")
        customers = self.festival_rule._care_partner_ids(date(2026, 2, 17))
        self.assertIn(self.customer.id, customers)
        self.assertIn(second.id, customers, "a contact with a service ticket is a customer")
        with patch.object(care_rule_dates, "CARE_BATCH_SIZE", len(customers) - 1):
            first_run = self._run("2026-02-17", self.festival_rule)
            self.assertEqual(len(first_run), len(customers) - 1)
            second_run = self._run("2026-02-17", self.festival_rule)
        self.assertEqual(len(second_run), 1, "the next run of the day sends the rest")
        self.assertEqual(set((first_run | second_run).partner_id.ids), set(customers))
        self.assertFalse(self._run("2026-02-17", self.festival_rule))

    def test_fixed_yearly_date(self):
        with Form(self.env["aftersales.care.rule"].with_user(self.manager)) as form:
            form.name = "Happy New Year"
            form.kind = "yearly_date"
            form.yearly_month = "1"
            form.yearly_day = 1
            form.mail_template_id = self.env.ref("aftersales_service.mail_template_care_yearly_date")
        rule = form.record
        self.assertIn(self.customer, self._run("2027-01-01", rule).partner_id)
        self.assertFalse(self._run("2027-01-01", rule))
        self.assertIn(self.customer, self._run("2028-01-01", rule).partner_id)
        with self.assertRaises(ValidationError):
            rule.with_user(self.manager).yearly_day = 32

    def test_opted_out_contact_gets_no_care_mail_of_any_kind(self):
        self.customer.write({"aftersales_care_opt_out": True, "aftersales_birthday": "1970-03-10"})
        # the anniversary of the unit of the shared fixtures, a birthday, a festival
        with freeze_time("2026-03-10 15:00:00"):
            order, lot = self._sell_and_deliver(self.customer, self.product, "WM7-CARE")
        logs = self._run("2027-03-10")
        customer_logs = logs.filtered(lambda log: log.partner_id == self.customer)
        self.assertEqual(customer_logs.rule_id, self.birthday_rule | self.anniversary_rule)
        self.assertEqual(set(customer_logs.mapped("state")), {"opted_out"})
        self.assertFalse(self._mails(customer_logs))
        festival = self._run("2027-02-06").filtered(lambda log: log.partner_id == self.customer)
        self.assertEqual(festival.state, "opted_out")
        self.assertFalse(self._mails(festival))
        self.assertFalse(self._run("2027-02-06"), "logged once, not tried again")


@tagged("post_install", "-at_install")
class TestCareUnsubscribe(AftersalesCareDatesCommon, HttpCase):
    def test_unsubscribe_without_login(self):
        url = self.alice._aftersales_care_unsubscribe_url()
        path = url[url.index("/aftersales/care/") :]
        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Stop these e-mails", response.text)
        self.assertFalse(self.alice.aftersales_care_opt_out, "opening the link is not enough: it asks first")
        response = self.url_open(f"{path}/confirm", data={"confirm": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("you will receive no more", response.text)
        self.assertTrue(self.alice.aftersales_care_opt_out)
        self.assertFalse(self._run("2026-05-20", self.birthday_rule).filtered(lambda log: log.state == "sent"))

    def test_bad_token_refused(self):
        token = self.alice._aftersales_care_token()
        for path in (
            f"/aftersales/care/unsubscribe/{self.alice.id}/not-the-token",
            f"/aftersales/care/unsubscribe/{self.leap.id}/{token}",
            f"/aftersales/care/unsubscribe/999999999/{token}",
        ):
            self.assertEqual(self.url_open(path).status_code, 403)
            self.assertEqual(self.url_open(f"{path}/confirm", data={"confirm": "1"}).status_code, 403)
        self.assertFalse(self.alice.aftersales_care_opt_out)
        self.assertFalse(self.leap.aftersales_care_opt_out)
