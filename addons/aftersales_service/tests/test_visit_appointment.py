from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, http
from odoo.tests import HttpCase, new_test_user, tagged

from .test_portal import AftersalesPortalCommon


class AftersalesAppointmentCommon(AftersalesPortalCommon):
    """Two technicians; only Tara has the skill and covers the customers' zone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        belgium = cls.env.ref("base.be")
        cls.zone = cls.env["aftersales.zone"].create(
            {"name": "North", "zip_from": "1000", "zip_to": "1999", "country_ids": [Command.set(belgium.ids)]}
        )
        for partner, zip_code in (
            (cls.customer, "1050"),
            (cls.customer_contact, "1050"),
            (cls.other_customer, "1180"),
        ):
            partner.write({"zip": zip_code, "country_id": belgium.id, "tz": "Europe/Brussels"})
        users = [
            new_test_user(
                cls.env, login=login, name=name, groups="aftersales_service.aftersales_service_group_technician"
            )
            for login, name in (("as_slot_tara", "Tara Tech"), ("as_slot_ben", "Ben Bolt"))
        ]
        cls.tech_a, cls.tech_b = cls.env["aftersales.technician"].create(
            [
                {
                    "user_id": users[0].id,
                    "resource_calendar_id": cls.calendar.id,
                    "zone_ids": [Command.set(cls.zone.ids)],
                    "skill_ids": [Command.create({"product_category_id": cls.category.id, "level": "3"})],
                },
                # no skill for these machines
                {
                    "user_id": users[1].id,
                    "resource_calendar_id": cls.calendar.id,
                    "zone_ids": [Command.set(cls.zone.ids)],
                },
            ]
        )
        # the other customer's dryer is in the same category, for the race
        cls.other_product.categ_id = cls.category
        # only our technicians, whatever the database holds
        cls.env["aftersales.technician"].search([("id", "not in", (cls.tech_a | cls.tech_b).ids)]).active = False
        cls.type_repair_visit = cls.env.ref("aftersales_service.visit_type_repair")
        cls.visit = cls.env["aftersales.visit"].create(
            {"ticket_id": cls.ticket.id, "visit_type_id": cls.type_repair_visit.id}
        )
        cls.other_visit = cls.env["aftersales.visit"].create(
            {"ticket_id": cls.other_ticket.id, "visit_type_id": cls.type_repair_visit.id}
        )

    def _book(self, visit, start, technician=None, state="confirmed", **values):
        vals = {
            "ticket_id": visit.ticket_id.id,
            "visit_type_id": self.type_repair_visit.id,
            "technician_id": (technician or self.tech_a).id,
            "scheduled_start": start,
        }
        vals.update(values)
        booked = self.env["aftersales.visit"].create(vals)
        booked.state = state
        return booked


@tagged("post_install", "-at_install")
class TestSlotOffer(AftersalesAppointmentCommon):
    # Friday 2026-06-05, 08:00 UTC: with 24 hours' notice, slots start on Monday
    NOW = datetime(2026, 6, 5, 8, 0)

    def _slots(self, visit=None, **kwargs):
        return (visit or self.visit)._portal_slots(now=self.NOW, **kwargs)

    def test_slots_inside_working_hours_of_eligible_technicians(self):
        slots = self._slots(per_day=50, limit=500)
        self.assertTrue(slots)
        self.assertEqual({slot["technician"] for slot in slots}, {self.tech_a}, "Ben lacks the skill")
        for slot in slots:
            self.assertLess(slot["start"].weekday(), 5, "no weekend")
            self.assertGreaterEqual(slot["start"].hour, 9)
            self.assertLessEqual(slot["end"], slot["start"].replace(hour=18, minute=0))
            self.assertEqual(slot["end"] - slot["start"], timedelta(hours=1.5))
            self.assertGreaterEqual(slot["start"], self.NOW + timedelta(hours=24))
            self.assertLessEqual(slot["end"], self.NOW + timedelta(days=14))
        days = {slot["start"].date() for slot in slots}
        self.assertNotIn(datetime(2026, 6, 8).date(), days, "public holiday")
        self.assertIn(datetime(2026, 6, 9).date(), days)
        # 9:00 to 16:00 on the hour, in the customer's time zone (UTC+2 in June)
        tuesday = [slot for slot in slots if slot["start"].date() == datetime(2026, 6, 9).date()]
        self.assertEqual([slot["start"].hour for slot in tuesday], list(range(9, 17)))
        self.assertRegex(tuesday[0]["window"], r"^11:00\sAM - 12:30\sPM$")
        self.assertIn("June 9, 2026", tuesday[0]["day"])

    def test_busy_times_leaves_and_capacity_excluded(self):
        self._book(self.visit, datetime(2026, 6, 9, 10, 0))
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Tara's day off",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 6, 10, 0, 0),
                "date_to": datetime(2026, 6, 10, 23, 59, 59),
            }
        )
        self.tech_a.daily_capacity = 1
        self._book(self.visit, datetime(2026, 6, 11, 15, 0))
        slots = self._slots(per_day=50, limit=500)
        days = {slot["start"].date() for slot in slots}
        self.assertNotIn(datetime(2026, 6, 10).date(), days, "day off")
        self.assertNotIn(datetime(2026, 6, 11).date(), days, "capacity reached")
        self.assertNotIn(datetime(2026, 6, 9).date(), days, "capacity reached with the 10:00 visit")
        self.tech_a.daily_capacity = 6
        slots = self._slots(per_day=50, limit=500)
        tuesday = [slot["start"].hour for slot in slots if slot["start"].date() == datetime(2026, 6, 9).date()]
        self.assertEqual(tuesday, [12, 13, 14, 15, 16], "nothing overlaps the visit from 10:00 to 11:30")

    def test_ineligible_technicians_offer_nothing(self):
        self.type_repair_visit.skill_level = "3"
        self.assertTrue(self._slots())
        self.tech_a.skill_ids.level = "2"
        self.assertEqual(self._slots(), [], "not skilled enough")
        self.tech_a.skill_ids.level = "3"
        self.tech_a.zone_ids = False
        self.assertEqual(self._slots(), [], "outside their zones")
        self.tech_a.zone_ids = self.zone
        self.tech_a.active = False
        self.assertEqual(self._slots(), [], "archived")

    def test_bounded_list(self):
        slots = self._slots()
        self.assertEqual(len(slots), 10)
        per_day = {}
        for slot in slots:
            per_day.setdefault(slot["start"].date(), []).append(slot["start"].hour)
        self.assertTrue(all(len(hours) <= 3 for hours in per_day.values()))
        # spread over the day: first, middle and last start
        self.assertEqual(per_day[datetime(2026, 6, 9).date()], [9, 13, 16])
        self.assertEqual(slots, sorted(slots, key=lambda slot: slot["start"]))

    def test_configured_window_and_notice(self):
        self.env["ir.config_parameter"].set_param("aftersales_service.portal_slot_days", "5")
        self.env["ir.config_parameter"].set_param("aftersales_service.portal_slot_notice_hours", "100")
        slots = self._slots(per_day=50, limit=500)
        # from Tuesday 12:00 to Wednesday 08:00
        self.assertEqual({slot["start"].date() for slot in slots}, {datetime(2026, 6, 9).date()})
        self.assertEqual(slots[0]["start"], datetime(2026, 6, 9, 12, 0))

    def test_booking_checks_the_slot(self):
        slot = self._slots()[0]
        with self.assertRaisesRegex(Exception, "not one we offered"):
            self.visit._book_slot(slot["key"].replace("|2026-06-0", "|2026-06-1"), now=self.NOW)
        with self.assertRaisesRegex(Exception, "not one we offered"):
            self.visit._book_slot("garbage", now=self.NOW)
        with self.assertRaisesRegex(Exception, "not one we offered"):
            self.other_visit._book_slot(slot["key"], now=self.NOW)
        self.assertEqual(self.visit.state, "draft")
        self.visit._book_slot(slot["key"], now=self.NOW)
        self.assertRecordValues(
            self.visit,
            [
                {
                    "state": "confirmed",
                    "technician_id": self.tech_a.id,
                    "scheduled_start": slot["start"],
                    "scheduled_end": slot["end"],
                }
            ],
        )
        with self.assertRaisesRegex(Exception, "already set"):
            self.visit._book_slot(slot["key"], now=self.NOW)

    def test_backend_confirmation_sends_the_mail(self):
        visit = self._book(self.visit, datetime(2026, 6, 9, 13, 0), state="draft")
        visit.action_schedule()
        visit.action_confirm()
        message = visit.message_ids.filtered(lambda m: "is confirmed" in (m.subject or ""))
        self.assertEqual(len(message), 1)
        self.assertRegex(message.body, r"Tuesday, June 9, 2026, 3:00\sPM - 4:30\sPM \(Europe/Brussels\)")
        self.assertIn("Tara Tech", message.body)
        self.assertIn(self.customer_contact, message.partner_ids)


@tagged("post_install", "-at_install")
class TestReminderCron(AftersalesAppointmentCommon):
    def _reminders(self, visits):
        return self.env["mail.mail"].search(
            [("model", "=", "aftersales.visit"), ("res_id", "in", visits.ids), ("subject", "ilike", "reminder")]
        )

    def test_reminder_once_the_day_before(self):
        tomorrow = self._book(self.visit, datetime(2026, 6, 10, 10, 0))
        later = self._book(self.visit, datetime(2026, 6, 11, 10, 0), state="scheduled")
        cancelled = self._book(self.visit, datetime(2026, 6, 10, 14, 0), state="cancel")
        done = self._book(self.visit, datetime(2026, 6, 10, 12, 0), state="done")
        Visit = self.env["aftersales.visit"]
        with freeze_time("2026-06-09 06:00:00"):
            Visit._cron_send_reminders()
            mails = self._reminders(tomorrow | later | cancelled | done)
            self.assertEqual(mails.mapped("res_id"), tomorrow.ids)
            self.assertRegex(mails.body_html, r"June 10, 2026, 12:00\sPM - 1:30\sPM \(Europe/Brussels\)")
            self.assertIn("Tara Tech", mails.body_html)
            self.assertEqual(mails.recipient_ids, self.customer_contact)
            self.assertTrue(tomorrow.reminder_sent)
            Visit._cron_send_reminders()
            self.assertEqual(len(self._reminders(tomorrow)), 1, "only once")
        with freeze_time("2026-06-10 06:00:00"):
            Visit._cron_send_reminders()
            self.assertEqual(len(self._reminders(tomorrow)), 1)
            self.assertEqual(len(self._reminders(later)), 1)
            self.assertFalse(self._reminders(cancelled | done))
        # moved to another day: reminded again for the new day
        later.scheduled_start = datetime(2026, 6, 12, 10, 0)
        self.assertFalse(later.reminder_sent)

    def test_reminders_in_batch(self):
        counts = []
        for day, size in ((16, 2), (17, 8)):
            visits = self.env["aftersales.visit"].create(
                [
                    {
                        "ticket_id": (self.ticket, self.other_ticket)[index % 2].id,
                        "visit_type_id": self.type_repair_visit.id,
                        "scheduled_start": datetime(2026, 6, day, 9, 0) + timedelta(minutes=index),
                    }
                    for index in range(size)
                ]
            )
            visits.write({"state": "confirmed"})
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time(datetime(2026, 6, day - 1, 6, 0)):
                before = self.cr.sql_log_count
                self.env["aftersales.visit"]._cron_send_reminders()
                self.env.flush_all()
                counts.append((self.cr.sql_log_count - before) / size)
            self.assertEqual(len(self._reminders(visits)), size)
            self.assertEqual(sorted(self._reminders(visits).mapped("res_id")), sorted(visits.ids))
        self.assertLessEqual(counts[1], counts[0], f"queries per visit for 2 and 8 visits: {counts}")


@tagged("post_install", "-at_install")
class TestPortalBooking(AftersalesAppointmentCommon, HttpCase):
    def _post(self, url, **data):
        data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open(url, data=data)

    def _book_url(self, visit):
        return f"/my/tickets/{visit.ticket_id.id}/visits/{visit.id}/book"

    def test_customer_books_a_slot(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/tickets/{self.ticket.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_aftersales_portal_slot_form", response.text)
        slot = self.visit._portal_slots()[0]
        self.assertIn(slot["key"], response.text)
        self.assertIn(slot["window"], response.text)

        response = self._post(self._book_url(self.visit), slot=slot["key"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your appointment is booked", response.text)
        self.assertRecordValues(
            self.visit,
            [
                {
                    "state": "confirmed",
                    "technician_id": self.tech_a.id,
                    "scheduled_start": slot["start"],
                    "scheduled_end": slot["end"],
                }
            ],
        )
        self.assertIn("Tara Tech", response.text)
        self.assertIn(self.visit.appointment_window, response.text)
        self.assertNotIn("o_aftersales_portal_slot_form", response.text, "booked: nothing more to choose")
        self.assertTrue(
            self.visit.message_ids.filtered(lambda m: "Booked by the customer on the portal" in (m.body or ""))
        )
        confirmation = self.visit.message_ids.filtered(lambda m: "is confirmed" in (m.subject or ""))
        self.assertEqual(len(confirmation), 1)
        self.assertIn(self.visit.appointment_window, confirmation.body)
        self.assertIn("(Europe/Brussels)", confirmation.body)
        self.assertIn(self.customer_contact, confirmation.partner_ids)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", confirmation.id)])
        self.assertEqual(mail.recipient_ids, self.customer_contact, "the confirmation is queued for the customer")

    def test_other_customer_visit_is_refused(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        slot = self.other_visit._portal_slots()[0]
        response = self._post(self._book_url(self.other_visit), slot=slot["key"])
        self.assertEqual(response.status_code, 404)
        # nor through their own ticket
        response = self._post(f"/my/tickets/{self.ticket.id}/visits/{self.other_visit.id}/book", slot=slot["key"])
        self.assertEqual(response.status_code, 404)
        response = self._post(
            f"/my/tickets/{self.other_ticket.id}/visits/{self.other_visit.id}/request", preferred="Monday"
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.other_visit.state, "draft")
        self.assertFalse(self.other_visit.technician_id)

    def test_tampered_slot(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        slot = self.visit._portal_slots()[0]
        start = slot["start"].strftime("%Y-%m-%d %H:%M:%S")
        earlier = (slot["start"] - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
        for key in (slot["key"].replace(start, earlier), "1|2|3|4", "", f"{self.tech_b.id}{slot['key'][1:]}"):
            with self.subTest(key=key):
                response = self._post(self._book_url(self.visit), slot=key)
                self.assertEqual(response.status_code, 200)
                self.assertIn("This time is not one we offered for this visit.", response.text)
                self.assertEqual(self.visit.state, "draft")
                self.assertFalse(self.visit.technician_id)
        with self.assertLogs("odoo.http", level="WARNING"):
            response = self.url_open(self._book_url(self.visit), data={"slot": slot["key"]})
        self.assertEqual(response.status_code, 400, "no CSRF token")
        self.assertEqual(self.visit.state, "draft")

    def test_race_for_one_slot(self):
        """Two customers pick the same time of the only technician: the first gets it."""
        slot = self.visit._portal_slots()[0]
        other_slot = next(s for s in self.other_visit._portal_slots() if s["start"] == slot["start"])
        self.assertEqual(other_slot["technician"], self.tech_a)

        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self._post(self._book_url(self.visit), slot=slot["key"])
        self.assertIn("Your appointment is booked", response.text)

        self.authenticate(self.other_portal_user.login, self.other_portal_user.login)
        response = self._post(self._book_url(self.other_visit), slot=other_slot["key"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("This slot was just taken. Please pick another one.", response.text)
        self.assertRecordValues(
            self.other_visit, [{"state": "draft", "technician_id": False, "scheduled_start": False}]
        )
        self.assertEqual(self.visit.state, "confirmed")
        # the page offers fresh slots, without the taken one
        self.assertIn("o_aftersales_portal_slot_form", response.text)
        self.assertNotIn(other_slot["key"], response.text)
        fresh = self.other_visit._portal_slots()
        self.assertNotIn(slot["start"], [s["start"] for s in fresh])

    def test_ask_for_another_time(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        url = f"/my/tickets/{self.ticket.id}/visits/{self.visit.id}/request"
        response = self._post(url, preferred="", message="")
        self.assertIn("Your request could not be handled", response.text)
        response = self._post(url, preferred="Saturday morning", message="I work on weekdays.")
        self.assertIn("we will get back to you with another time", response.text)
        note = self.visit.message_ids.filtered(lambda m: "Saturday morning" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("I work on weekdays.", note.body)
        self.assertEqual(note.author_id, self.customer_contact)
        activity = self.visit.activity_ids
        self.assertEqual(activity.user_id, self.manager, "the team leader plans it")
        self.assertEqual(
            activity.activity_type_id, self.env.ref("aftersales_service.mail_activity_type_visit_time_request")
        )
        self.assertEqual(self.visit.state, "draft")
