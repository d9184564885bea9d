from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import SIGNATURE, AftersalesCommon


@tagged("post_install", "-at_install")
class TestVisit(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.zone_north = cls.env["aftersales.zone"].create(
            {
                "name": "North",
                "zip_from": "1000",
                "zip_to": "1999",
                "country_ids": [Command.set(cls.env.ref("base.be").ids)],
            }
        )
        cls.customer.write({"zip": "1050", "country_id": cls.env.ref("base.be").id, "city": "Brussels"})
        cls.tech_a, cls.tech_b = cls._create_technicians(cls.zone_north)
        cls.type_repair_visit = cls.env.ref("aftersales_service.visit_type_repair")
        cls.type_follow_up = cls.env.ref("aftersales_service.visit_type_follow_up")
        cls.ticket = cls.env["aftersales.ticket"].create(
            {"name": "Machine does not drain", "lot_id": cls.lot.id, "team_id": cls.team.id}
        )

    def _visit(self, **values):
        vals = {"ticket_id": self.ticket.id, "visit_type_id": self.type_repair_visit.id}
        vals.update(values)
        return self.env["aftersales.visit"].create(vals)

    def test_visit_from_ticket(self):
        visit = self._visit(scheduled_start=datetime(2026, 6, 9, 10, 0))
        self.assertTrue(visit.name.startswith("VIS/"))
        self.assertEqual(visit.partner_id, self.customer)
        self.assertEqual(visit.company_id, self.ticket.company_id)
        self.assertEqual(visit.scheduled_end, datetime(2026, 6, 9, 11, 30), "repairs last 1.5 hours")
        self.assertEqual(self.ticket.visit_count, 1)
        follow_up = self._visit(visit_type_id=self.type_follow_up.id, previous_visit_id=visit.id)
        self.assertEqual(follow_up.previous_visit_id, visit)
        self.assertEqual(self.ticket.action_view_visits()["domain"], [("ticket_id", "=", self.ticket.id)])

    def test_visit_in_form(self):
        with Form(self.env["aftersales.visit"].with_context(default_ticket_id=self.ticket.id)) as form:
            form.visit_type_id = self.type_follow_up
            form.scheduled_start = datetime(2026, 6, 9, 14, 0)
            self.assertEqual(form.partner_id, self.customer)
            self.assertEqual(form.scheduled_end, datetime(2026, 6, 9, 14, 30))
            form.technician_id = self.tech_a

    def test_flow_with_report_and_signature(self):
        visit = self._visit()
        with self.assertRaisesRegex(UserError, "technician"):
            visit.action_schedule()
        visit.write({"technician_id": self.tech_a.id, "scheduled_start": datetime(2026, 6, 9, 10, 0)})
        visit.action_schedule()
        visit.action_confirm()
        with freeze_time("2026-06-09 10:05:00"):
            visit.with_user(self.tech_a.user_id).action_start()
        self.assertEqual(visit.state, "in_progress")
        self.assertEqual(visit.check_in, datetime(2026, 6, 9, 10, 5))
        with self.assertRaisesRegex(UserError, "work report"):
            visit.action_done()
        visit.work_report = "<p>Replaced the drain pump.</p>"
        with self.assertRaisesRegex(UserError, "sign"):
            visit.action_done()
        visit.write({"signature": SIGNATURE, "signed_by": "Wendy Washer"})
        with freeze_time("2026-06-09 11:35:00"):
            visit.with_user(self.tech_a.user_id).action_done()
        self.assertEqual(visit.state, "done")
        self.assertAlmostEqual(visit.time_spent, 1.5)
        with self.assertRaises(UserError):
            visit.action_start()

    def test_no_signature_needed_for_follow_up(self):
        visit = self._visit(
            visit_type_id=self.type_follow_up.id,
            technician_id=self.tech_b.id,
            scheduled_start=datetime(2026, 6, 10, 9, 0),
        )
        visit.action_schedule()
        visit.action_start()
        visit.work_report = "<p>The customer is happy.</p>"
        visit.action_done()
        self.assertEqual(visit.state, "done")

    def test_bad_input(self):
        with self.assertRaises(ValidationError):
            self._visit(scheduled_start=datetime(2026, 6, 9, 10, 0), scheduled_end=datetime(2026, 6, 9, 9, 0))
        visit = self._visit()
        with self.assertRaises(ValidationError):
            visit.time_spent = -1.0
        self.tech_b.action_archive()
        with self.assertRaisesRegex(ValidationError, "Ben Bolt"):
            visit.technician_id = self.tech_b
        with self.assertRaises(ValidationError):
            self.tech_a.daily_capacity = 0
        with self.assertRaises(ValidationError):
            self.type_follow_up.default_duration = 0

    def test_started_visit_is_cancelled_not_deleted(self):
        visit = self._visit(technician_id=self.tech_a.id, scheduled_start=datetime(2026, 6, 9, 10, 0))
        visit.action_schedule()
        with self.assertRaises(UserError):
            visit.unlink()
        visit.action_cancel()
        self.assertEqual(visit.state, "cancel")
        visit.action_reset_draft()
        self.assertEqual(visit.state, "draft")

    def test_technicians_see_only_their_visits(self):
        visit_a = self._visit(technician_id=self.tech_a.id)
        other_ticket = self._ticket(name="Dryer is noisy")
        visit_b = self._visit(ticket_id=other_ticket.id, technician_id=self.tech_b.id)
        user_a = self.tech_a.user_id
        visit_a.with_user(user_a).read(["name", "ticket_id"])
        self.ticket.with_user(user_a).read(["name"])
        with self.assertRaises(AccessError):
            visit_b.with_user(user_a).read(["name"])
        with self.assertRaises(AccessError):
            other_ticket.with_user(user_a).read(["name"])
        self.assertEqual(self.env["aftersales.visit"].with_user(user_a).search([]), visit_a)
        with self.assertRaises(AccessError):
            self.env["aftersales.visit"].with_user(user_a).create(
                {"ticket_id": self.ticket.id, "visit_type_id": self.type_repair_visit.id}
            )
        # helpers see the visit too
        visit_b.helper_ids = self.tech_a
        visit_b.with_user(user_a).read(["name"])
        # agents see every visit
        self.assertIn(visit_b, self.env["aftersales.visit"].with_user(self.agent).search([]))

    def test_zones_and_skills(self):
        self.assertTrue(self.tech_a._covers(self.customer))
        far = self.env["res.partner"].create(
            {"name": "Far away", "zip": "9000", "country_id": self.env.ref("base.be").id}
        )
        self.assertFalse(self.tech_a._covers(far))
        sub = self.env["product.category"].create({"name": "Front loaders", "parent_id": self.category.id})
        self.assertEqual(self.tech_a._skill_level(sub, self.type_repair), 3)
        self.assertEqual(self.tech_a._skill_level(self.env["product.category"], self.type_repair), 0)
        with self.assertRaises(ValidationError):
            self.env["aftersales.zone"].create({"name": "Wrong", "zip_from": "2000", "zip_to": "1000"})


@tagged("post_install", "-at_install")
class TestAutoAssign(TestVisit):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"partner_latitude": 50.8466, "partner_longitude": 4.3528})  # Brussels
        Partner = cls.env["res.partner"]
        cls.tech_a.home_partner_id = Partner.create(
            {"name": "Base A", "partner_latitude": 50.8798, "partner_longitude": 4.7005}  # Leuven, ~25 km
        )
        cls.tech_b.home_partner_id = Partner.create(
            {"name": "Base B", "partner_latitude": 51.2194, "partner_longitude": 4.4025}  # Antwerp, ~42 km
        )
        cls.tech_b.skill_ids.level = "2"
        # other technicians of the database stay out of these tests
        cls.env["aftersales.technician"].search([("id", "not in", (cls.tech_a | cls.tech_b).ids)]).active = False

    def _draft(self, start, **values):
        return self._visit(scheduled_start=start, **values)

    def test_nearest_skilled_free_technician_with_reasons(self):
        visit = self._draft(datetime(2026, 6, 9, 10, 0))
        visit.action_auto_assign()
        self.assertEqual(visit.technician_id, self.tech_a)
        # the dispatcher's note, beside the e-mail telling the customer
        note = visit.message_ids.filtered(lambda m: "km from" in m.body)[:1].body or ""
        self.assertIn("Tara Tech", note)
        self.assertIn("km from their home base", note)
        self.assertIn("Ben Bolt", note, "the other candidates are named")

    def test_never_double_books(self):
        first, second = self._draft(datetime(2026, 6, 9, 10, 0)), self._draft(datetime(2026, 6, 9, 10, 30))
        (first | second).action_auto_assign()
        self.assertEqual(first.technician_id | second.technician_id, self.tech_a | self.tech_b)
        third = self._draft(datetime(2026, 6, 9, 11, 0))
        third.action_auto_assign()
        self.assertFalse(third.technician_id, "both are busy until 11:30 and 12:00")
        self.assertIn("busy then", third.message_ids[0].body)

    def test_respects_leaves_hours_capacity_skill_and_zone(self):
        holiday = self._draft(datetime(2026, 6, 8, 10, 0))  # public holiday on their calendar
        evening = self._draft(datetime(2026, 6, 9, 19, 0))
        (holiday | evening).action_auto_assign()
        self.assertFalse(holiday.technician_id)
        self.assertFalse(evening.technician_id)
        self.assertIn("not working then", holiday.message_ids[0].body)
        self.tech_a.daily_capacity = 1
        morning, afternoon = self._draft(datetime(2026, 6, 10, 9, 0)), self._draft(datetime(2026, 6, 10, 14, 0))
        (morning | afternoon).action_auto_assign()
        self.assertEqual(morning.technician_id, self.tech_a)
        self.assertEqual(afternoon.technician_id, self.tech_b, "A has no capacity left that day")
        self.type_repair_visit.skill_level = "3"
        expert_only = self._draft(datetime(2026, 6, 11, 9, 0))
        self.tech_a.daily_capacity = 5
        expert_only.action_auto_assign()
        self.assertEqual(expert_only.technician_id, self.tech_a)
        far = self.env["res.partner"].create({"name": "Far", "zip": "9000", "country_id": self.env.ref("base.be").id})
        outside = self._draft(datetime(2026, 6, 11, 14, 0), partner_id=far.id)
        outside.action_auto_assign()
        self.assertFalse(outside.technician_id)
        self.assertIn("outside their zones", outside.message_ids[0].body)

    def test_time_off_of_the_technician_user(self):
        """Tara is off on Tuesday afternoon: the nearest again in the morning, not in the afternoon."""
        self._time_off(self.tech_a, datetime(2026, 6, 9, 13, 0), datetime(2026, 6, 9, 18, 0))
        # a leave of another type (a training, say) leaves her free on Wednesday
        self._time_off(self.tech_a, datetime(2026, 6, 10, 13, 0), datetime(2026, 6, 10, 18, 0), time_type="other")
        afternoon = self._draft(datetime(2026, 6, 9, 14, 0))
        afternoon.action_auto_assign()
        self.assertEqual(afternoon.technician_id, self.tech_b, "Tara is on time off then")
        morning = self._draft(datetime(2026, 6, 9, 9, 0))
        morning.action_auto_assign()
        self.assertEqual(morning.technician_id, self.tech_a)
        other_type = self._draft(datetime(2026, 6, 10, 14, 0))
        other_type.action_auto_assign()
        self.assertEqual(other_type.technician_id, self.tech_a, "only leaves of type Time Off count")
        # nobody else fits: the reason is given
        self._time_off(self.tech_b, datetime(2026, 6, 11, 9, 0), datetime(2026, 6, 11, 18, 0))
        self._time_off(self.tech_a, datetime(2026, 6, 11, 9, 0), datetime(2026, 6, 11, 18, 0))
        nobody = self._draft(datetime(2026, 6, 11, 10, 0))
        nobody.action_auto_assign()
        self.assertFalse(nobody.technician_id)
        self.assertIn("on time off then", nobody.message_ids[0].body)

    def test_manual_assignment_over_time_off_refused_unless_forced(self):
        self._time_off(self.tech_a, datetime(2026, 6, 9, 13, 0), datetime(2026, 6, 9, 18, 0))
        dispatcher = new_test_user(
            self.env, login="as_dispatcher_off", groups="aftersales_service.aftersales_service_group_dispatcher"
        )
        visit = self._draft(datetime(2026, 6, 9, 15, 0)).with_user(dispatcher)
        with self.assertRaisesRegex(ValidationError, "on time off then"):
            visit.technician_id = self.tech_a
        visit.scheduled_start = datetime(2026, 6, 9, 10, 0)
        visit.technician_id = self.tech_a
        self.assertEqual(visit.technician_id, self.tech_a, "free in the morning")
        with self.assertRaisesRegex(ValidationError, "on time off then"):
            visit.scheduled_start = datetime(2026, 6, 9, 12, 0)  # two hours: into the afternoon
        visit.write(
            {
                "assignment_forced": True,
                "assignment_forced_reason": "Only she knows this model",
                "scheduled_start": datetime(2026, 6, 9, 12, 0),
            }
        )
        self.assertEqual(visit.scheduled_start, datetime(2026, 6, 9, 12, 0))
        self.assertTrue(visit.message_ids.filtered(lambda m: "on time off then" in (m.body or "")))

    def test_only_draft_unassigned_visits(self):
        visit = self._draft(datetime(2026, 6, 9, 10, 0), technician_id=self.tech_b.id)
        with self.assertRaises(UserError):
            visit.action_auto_assign()
        with self.assertRaises(UserError):
            self._visit().action_auto_assign()

    def test_assigning_many_visits_costs_the_same_queries(self):
        counts = []
        for day, size in ((15, 2), (16, 6)):
            visits = self.env["aftersales.visit"].create(
                [
                    {
                        "ticket_id": self.ticket.id,
                        "visit_type_id": self.type_follow_up.id,
                        "scheduled_start": datetime(2026, 6, day, 9 + index, 0),
                    }
                    for index in range(size)
                ]
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            visits.action_auto_assign()
            self.env.flush_all()
            counts.append((self.cr.sql_log_count - before) / size)
        self.assertLessEqual(counts[1], counts[0], f"queries per visit for 2 and 6 visits: {counts}")

    def test_manual_assignment_conflicts_refused_unless_forced(self):
        booked = self._draft(datetime(2026, 6, 9, 10, 0), technician_id=self.tech_a.id)
        self.assertEqual(booked.technician_id, self.tech_a)
        clash = self._draft(datetime(2026, 6, 9, 10, 30))
        with self.assertRaisesRegex(ValidationError, "busy then"):
            clash.technician_id = self.tech_a
        with self.assertRaisesRegex(ValidationError, "not working then"):
            self._draft(datetime(2026, 6, 9, 20, 0), technician_id=self.tech_b.id)
        far = self.env["res.partner"].create({"name": "Far", "zip": "9000", "country_id": self.env.ref("base.be").id})
        with self.assertRaisesRegex(ValidationError, "outside their zones"):
            self._draft(datetime(2026, 6, 10, 10, 0), technician_id=self.tech_b.id, partner_id=far.id)
        # an agent cannot force; a dispatcher can, and the conflict is written down
        with self.assertRaises(AccessError):
            clash.with_user(self.agent).write({"assignment_forced": True, "technician_id": self.tech_a.id})
        dispatcher = new_test_user(
            self.env, login="as_dispatcher", groups="aftersales_service.aftersales_service_group_dispatcher"
        )
        clash.with_user(dispatcher).write(
            {"assignment_forced": True, "assignment_forced_reason": "Urgent repair", "technician_id": self.tech_a.id}
        )
        self.assertEqual(clash.technician_id, self.tech_a)
        self.assertTrue(clash.message_ids.filtered(lambda m: "forced despite" in (m.body or "")))

    def test_changing_the_type_rechecks_the_assignment(self):
        """A longer type moves the end of the visit into the technician's next one."""
        short = self._draft(
            datetime(2026, 6, 9, 10, 30), visit_type_id=self.type_follow_up.id, technician_id=self.tech_a.id
        )
        self._draft(datetime(2026, 6, 9, 11, 0), technician_id=self.tech_a.id)
        with self.assertRaisesRegex(ValidationError, "busy then"):
            short.visit_type_id = self.type_repair_visit
        self.type_repair_visit.skill_level = "3"
        follow_up_b = self._draft(
            datetime(2026, 6, 10, 9, 0), visit_type_id=self.type_follow_up.id, technician_id=self.tech_b.id
        )
        with self.assertRaisesRegex(ValidationError, "not skilled enough"):
            follow_up_b.visit_type_id = self.type_repair_visit

    def test_portal_customers_see_their_company_visits(self):
        contact = self.env["res.partner"].create({"name": "Walter", "parent_id": self.customer.id})
        portal_user = new_test_user(
            self.env, login="as_portal_visits", groups="base.group_portal", partner_id=contact.id
        )
        own = self._visit()
        other_customer = self.env["res.partner"].create({"name": "Other Customer"})
        other = self._visit(ticket_id=self._ticket(partner_id=other_customer.id).id, partner_id=other_customer.id)
        self.assertEqual(self.env["aftersales.visit"].with_user(portal_user).search([]), own)
        with self.assertRaises(AccessError):
            other.with_user(portal_user).read(["name"])
        with self.assertRaises(AccessError):
            own.with_user(portal_user).write({"work_report": "<p>Mine</p>"})
