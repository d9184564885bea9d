from datetime import date, datetime, timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from ..tools.route_planning import RoutePlanner, great_circle_km
from .common import AftersalesCommon

# one kilometre northwards, in degrees of latitude
KM = 0.0089932
BRUSSELS = (50.85, 4.35)
TUESDAY = date(2026, 6, 9)
HALF_HOUR = timedelta(minutes=30)


@tagged("post_install", "-at_install")
class TestDayPlan(AftersalesCommon):
    """Plan a day on a line of addresses north of Brussels, where the figures are easy to follow."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "UTC"
        belgium = cls.env.ref("base.be")
        cls.zone = cls.env["aftersales.zone"].create(
            {"name": "Brabant", "zip_from": "1000", "zip_to": "1999", "country_ids": [Command.set(belgium.ids)]}
        )
        cls.env["aftersales.technician"].search([]).active = False
        Partner = cls.env["res.partner"]
        cls.technicians = cls.env["aftersales.technician"]
        for login, name, km in (("as_plan_a", "Anna Amps", 0), ("as_plan_b", "Bert Bolt", 20)):
            user = new_test_user(
                cls.env, login=login, name=name, groups="aftersales_service.aftersales_service_group_technician"
            )
            cls.technicians |= cls.env["aftersales.technician"].create(
                {
                    "user_id": user.id,
                    "resource_calendar_id": cls.calendar.id,
                    "zone_ids": [Command.set(cls.zone.ids)],
                    "skill_ids": [Command.create({"product_category_id": cls.category.id, "level": "2"})],
                    "home_partner_id": Partner.create({"name": f"Base of {name}", **cls._at(km)}).id,
                }
            )
        cls.anna, cls.bert = cls.technicians
        cls.visit_type = cls.env.ref("aftersales_service.visit_type_follow_up")  # half an hour, level 1
        cls.ticket = cls.env["aftersales.ticket"].create(
            {"name": "Yearly round", "lot_id": cls.lot.id, "team_id": cls.team.id}
        )
        # the order of creation is the order of urgency (same ticket, same deadline)
        cls.addresses = Partner.create(
            [
                {"name": f"Address {km} km", "zip": "1500", "country_id": belgium.id, **cls._at(km)}
                for km in (10, 1, 9, 2, 19, 11, 21, 12)
            ]
        )

    @classmethod
    def _at(cls, km):
        return {"partner_latitude": BRUSSELS[0] + km * KM, "partner_longitude": BRUSSELS[1]}

    def _visits(self, addresses=None, day=TUESDAY, **values):
        return self.env["aftersales.visit"].create(
            [
                {
                    "ticket_id": self.ticket.id,
                    "visit_type_id": self.visit_type.id,
                    "partner_id": address.id,
                    "scheduled_start": datetime.combine(day, datetime.min.time()),
                    **values,
                }
                for address in (addresses if addresses is not None else self.addresses)
            ]
        )

    def _travel(self, visits):
        """Kilometres driven: from each technician's base to each visit of the day in turn."""
        total = 0.0
        for technician in visits.technician_id:
            previous = technician.home_partner_id
            for visit in visits.filtered(lambda v, t=technician: v.technician_id == t).sorted("scheduled_start"):
                total += great_circle_km(
                    (previous.partner_latitude, previous.partner_longitude),
                    (visit.partner_id.partner_latitude, visit.partner_id.partner_longitude),
                )
                previous = visit.partner_id
        return total

    def test_plan_travels_less_than_nearest_free_technician(self):
        visits = self._visits()
        tz = visits.env.user.tz
        self.assertEqual(tz, "UTC")
        engine = visits._dispatch_engine(self.technicians, datetime(2026, 6, 9), datetime(2026, 6, 10))
        workers, jobs = engine.day_problem(visits._dispatch_visits(self.technicians).values(), TUESDAY)
        naive = RoutePlanner(workers).plan_nearest_free(jobs)
        self.assertFalse(naive.unplanned)

        planned = visits._plan_days()

        self.assertEqual(planned, visits, "every visit fits")
        travel = self._travel(visits)
        self.assertAlmostEqual(travel, 15.0, delta=0.1, msg="Anna 1-2-9-10-11-12, Bert 21-19")
        self.assertAlmostEqual(naive.total_km(), 62.0, delta=0.1)
        self.assertLess(travel, 0.85 * naive.total_km())
        self.assertEqual(set(visits.mapped("state")), {"scheduled"})
        for technician in self.technicians:
            day = visits.filtered(lambda v, t=technician: v.technician_id == t).sorted("scheduled_start")
            for before, after in zip(day, day[1:], strict=False):
                self.assertLessEqual(before.scheduled_end, after.scheduled_start, "no overlap")
            self.assertGreaterEqual(day[0].scheduled_start, datetime(2026, 6, 9, 9, 0), "not before 9:00")
            self.assertLessEqual(day[-1].scheduled_end, datetime(2026, 6, 9, 18, 0), "not after 18:00")

    def test_plan_explains_each_choice(self):
        visits = self._visits(self.addresses[:2])
        visits._plan_days()
        first = visits.sorted("scheduled_start")[0]
        # the planner's note, beside the e-mail telling the customer
        note = first.message_ids.filtered(lambda m: "by the day planner" in m.body)[:1].body or ""
        self.assertIn("Anna Amps", note)
        self.assertIn("by the day planner", note)
        self.assertIn("1.0 km from their home base", note)
        second = (visits - first).message_ids.filtered(lambda m: "by the day planner" in m.body)[:1].body or ""
        self.assertIn("9.0 km from Address 1 km", second)
        self.assertIn("stop 1 of 2", note)
        self.assertIn("skill level: Proficient", note)
        # the travel is in the timetable (1 km, then 9 km, at 40 km/h), on round times:
        # 9:00 + 1.5 min -> 9:05, half an hour on site, 9:35 + 13.5 min -> 9:50
        self.assertEqual(first.scheduled_start, datetime(2026, 6, 9, 9, 5))
        self.assertEqual((visits - first).scheduled_start, datetime(2026, 6, 9, 9, 50))

    def test_plan_respects_leaves_capacity_bookings_skill_and_zone(self):
        # Monday is a public holiday on their calendar
        holiday = self._visits(self.addresses[:1], day=date(2026, 6, 8))
        holiday._plan_days()
        self.assertFalse(holiday.technician_id)
        self.assertIn("no free time or capacity left", holiday.message_ids[0].body)
        # Anna takes 2 visits a day and already has one from 9:00 to 17:00; Bert has none free
        self.anna.daily_capacity = 2
        self.bert.active = False
        booked = self._visits(
            self.addresses[:1],
            technician_id=self.anna.id,
            scheduled_start=datetime(2026, 6, 9, 9, 0),
            scheduled_end=datetime(2026, 6, 9, 16, 0),
        )
        visits = self._visits(self.addresses[1:4])
        planned = visits._plan_days(technicians=self.technicians)
        self.assertEqual(len(planned), 1, "one visit left in her capacity")
        self.assertEqual(planned.technician_id, self.anna)
        self.assertGreaterEqual(planned.scheduled_start, booked.scheduled_end)
        self.assertFalse(planned.technician_id == self.bert, "inactive technicians get nothing")
        # an expert-level visit type, and an address outside every zone
        self.anna.daily_capacity = 6
        expert = self.visit_type.copy({"name": "Expert check", "skill_level": "3"})
        outside = self.env["res.partner"].create({"name": "Ghent", "zip": "9000", **self._at(5)})
        refused = self._visits(self.addresses[4:5], day=date(2026, 6, 10), visit_type_id=expert.id)
        refused |= self._visits(outside, day=date(2026, 6, 10))
        refused._plan_days()
        self.assertFalse(refused.technician_id)
        self.assertIn("no technician has the skill for it and covers its address", refused[0].message_ids[0].body)
        self.assertIn("no technician has the skill for it and covers its address", refused[1].message_ids[0].body)

    def test_plan_a_day_wizard(self):
        dispatcher = new_test_user(
            self.env,
            login="as_dispatcher_plan",
            groups="aftersales_service.aftersales_service_group_dispatcher",
            tz="UTC",
        )
        visits = self._visits(self.addresses[:3])
        undated = self._visits(self.addresses[3:4], scheduled_start=False)
        other_day = self._visits(self.addresses[4:5], day=date(2026, 6, 10))
        wizard_form = Form(self.env["aftersales.visit.plan"].with_user(dispatcher))
        wizard_form.date = TUESDAY
        wizard = wizard_form.save()
        self.assertEqual(
            wizard.visit_ids & (visits | undated | other_day), visits | undated, "the day's visits and the undated one"
        )
        action = wizard.action_plan()
        self.assertEqual(action["res_model"], "aftersales.visit")
        self.assertTrue(all(v.technician_id for v in visits | undated))
        self.assertEqual(undated.scheduled_start.date(), TUESDAY)
        self.assertFalse(other_day.technician_id)
        # from a selection of visits in the list
        action = other_day.with_user(dispatcher).action_plan_day()
        wizard = self.env["aftersales.visit.plan"].with_user(dispatcher).with_context(**action["context"]).create({})
        self.assertEqual(wizard.visit_ids, other_day)
        wizard.action_plan()
        self.assertTrue(other_day.technician_id)

    def test_plan_a_day_skips_time_off(self):
        """Anna is off from 11:00 on Tuesday: her round stops before, Bert takes the rest."""
        leave = self._time_off(self.anna, datetime(2026, 6, 9, 11, 0), datetime(2026, 6, 9, 18, 0))
        dispatcher = new_test_user(
            self.env,
            login="as_dispatcher_off",
            groups="aftersales_service.aftersales_service_group_dispatcher",
            tz="UTC",
        )
        visits = self._visits()
        wizard = self.env["aftersales.visit.plan"].with_user(dispatcher).create({"date": TUESDAY})
        self.assertEqual(wizard.visit_ids & visits, visits)
        wizard.action_plan()
        self.assertEqual(set(visits.mapped("state")), {"scheduled"}, "every visit fits")
        anna_day = visits.filtered(lambda v: v.technician_id == self.anna)
        self.assertTrue(anna_day, "she works in the morning")
        self.assertLess(len(anna_day), 6, "without the time off she takes six of them")
        self.assertLessEqual(max(anna_day.mapped("scheduled_end")), leave.date_from)
        # a leave of the whole day keeps her out of it
        self._time_off(self.anna, datetime(2026, 6, 10, 0, 0), datetime(2026, 6, 11, 0, 0))
        wednesday = self._visits(self.addresses[:2], day=date(2026, 6, 10))
        wednesday._plan_days()
        self.assertEqual(wednesday.technician_id, self.bert)

    def test_bad_input(self):
        visits = self._visits(self.addresses[:1])
        visits._plan_days()
        with self.assertRaises(UserError):
            visits._plan_days()  # already planned
        with self.assertRaises(UserError):
            self._visits(self.addresses[1:2], scheduled_start=False)._plan_days()  # which day?
        wizard = self.env["aftersales.visit.plan"].create({"date": date(2030, 1, 1), "visit_ids": [Command.set([])]})
        with self.assertRaises(UserError):
            wizard.action_plan()  # nothing to plan

    def test_queries_do_not_grow_with_the_visits(self):
        counts = []
        for day, addresses in ((date(2026, 6, 10), self.addresses[:2]), (date(2026, 6, 11), self.addresses)):
            visits = self._visits(addresses, day=day)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            visits._plan_days()
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
        # not one query per visit: the writes of the plan are flushed together
        self.assertLessEqual(counts[1], counts[0] + 2, f"queries for 2 and for 8 visits: {counts}")

    # ------------------------------------------------------------------
    # One engine: the rules every path shares
    # ------------------------------------------------------------------

    def _dispatcher(self, login):
        return new_test_user(
            self.env,
            login=login,
            groups="aftersales_service.aftersales_service_group_dispatcher,sales_team.group_sale_salesman",
            tz="UTC",
        )

    def test_plan_keeps_each_branch_to_its_technicians(self):
        """The north branch's visits next to Bert's base still go to Anna, of the north branch."""
        north, south = self.env["aftersales.branch"].create(
            [{"name": "North", "code": "N"}, {"name": "South", "code": "S"}]
        )
        self.anna.branch_id, self.bert.branch_id = north, south
        ticket = self.env["aftersales.ticket"].create(
            {"name": "North round", "lot_id": self.lot.id, "team_id": self.team.id, "branch_id": north.id}
        )
        self.assertEqual(ticket.branch_id, north)
        visits = self._visits(self.addresses.filtered(lambda a: a.partner_latitude > BRUSSELS[0] + 18 * KM))
        visits.ticket_id = ticket
        planned = visits.with_user(self._dispatcher("as_dispatcher_branch"))._plan_days()
        self.assertEqual(planned, visits)
        self.assertEqual(visits.technician_id, self.anna, "Bert is nearer but of another branch")
        # and the check of a manual assignment says the same
        with self.assertRaises(ValidationError) as caught:
            visits[0].technician_id = self.bert
        self.assertIn("of another branch", str(caught.exception))

    def test_plan_keeps_the_agreed_time(self):
        """A visit with an arrival agreed at 14:00 is planned at 14:00; one agreed between 9:00 and
        10:00 starts in that hour, whatever would save kilometres."""
        dispatcher = self._dispatcher("as_dispatcher_window")
        fixed, morning, *others = self._visits(self.addresses[:5])
        with Form(fixed.with_user(dispatcher)) as visit_form:
            visit_form.window_start = datetime(2026, 6, 9, 14, 0)
            visit_form.window_end = datetime(2026, 6, 9, 14, 0)
            self.assertEqual(visit_form.scheduled_start, datetime(2026, 6, 9, 14, 0), "the start follows")
        morning.write({"window_start": datetime(2026, 6, 9, 9, 0), "window_end": datetime(2026, 6, 9, 10, 0)})
        visits = fixed | morning | self.env["aftersales.visit"].concat(*others)
        self.assertEqual(visits.with_user(dispatcher)._plan_days(), visits)
        self.assertEqual(fixed.scheduled_start, datetime(2026, 6, 9, 14, 0))
        self.assertTrue(datetime(2026, 6, 9, 9, 0) <= morning.scheduled_start <= datetime(2026, 6, 9, 10, 0))
        self.assertIn("keeps the arrival agreed with the customer", "".join(fixed.message_ids.mapped("body")))
        # moving it by hand outside the agreed time is refused, unless forced
        with self.assertRaises(ValidationError) as caught:
            fixed.with_user(dispatcher).scheduled_start = datetime(2026, 6, 9, 16, 0)
        self.assertIn("outside the time agreed with the customer", str(caught.exception))
        # a window that ends before it starts is refused
        with self.assertRaises(ValidationError):
            morning.with_user(dispatcher).window_end = datetime(2026, 6, 9, 8, 0)

    def test_no_two_visits_closer_than_the_drive(self):
        """Anna has a visit 80 km north until 10:00: a visit next to her base at 10:00 goes to Bert,
        by auto-assign as by hand; at 12:30 the drive fits."""
        dispatcher = self._dispatcher("as_dispatcher_drive")
        far = self.env["res.partner"].create(
            {"name": "Far north", "zip": "1500", "country_id": self.env.ref("base.be").id, **self._at(80)}
        )
        self._visits(
            far,
            technician_id=self.anna.id,
            scheduled_start=datetime(2026, 6, 9, 9, 0),
            scheduled_end=datetime(2026, 6, 9, 10, 0),
        )
        Visit = self.env["aftersales.visit"].with_user(dispatcher)
        with Form(Visit) as visit_form:
            visit_form.ticket_id = self.ticket
            visit_form.visit_type_id = self.visit_type
            visit_form.partner_id = self.addresses[1]  # 1 km from Anna's base
            visit_form.scheduled_start = datetime(2026, 6, 9, 10, 0)
        visit = visit_form.record
        visit.action_auto_assign()
        self.assertEqual(visit.technician_id, self.bert)
        self.assertEqual(visit.state, "scheduled", "auto-assign schedules the visit")
        self.assertIn("Assigned to Bert Bolt automatically", "".join(visit.message_ids.mapped("body")))
        with self.assertRaises(ValidationError) as caught:
            visit.technician_id = self.anna
        self.assertIn("no time to drive the 79.0 km", str(caught.exception))
        visit.write({"technician_id": self.anna.id, "scheduled_start": datetime(2026, 6, 9, 12, 30)})
        self.assertEqual(visit.technician_id, self.anna, "two hours later the drive fits")

    def test_capacity_counted_in_the_technicians_day(self):
        """Anna works in Brussels time; a visit at 23:30 UTC is on her next day, where she has room."""
        self.anna.user_id.tz = "Europe/Brussels"
        self.anna.resource_calendar_id = self.calendar.copy({"name": "Round the clock", "tz": "Europe/Brussels"})
        self.anna.resource_calendar_id.attendance_ids = [
            Command.clear(),
            *[
                Command.create({"name": f"Day {day}", "dayofweek": str(day), "hour_from": 0.0, "hour_to": 23.99})
                for day in range(7)
            ],
        ]
        self.anna.daily_capacity = 1
        self.bert.active = False
        first = self._visits(
            self.addresses[:1],
            technician_id=self.anna.id,
            scheduled_start=datetime(2026, 6, 9, 10, 0),
        )
        self.assertEqual(first.technician_id, self.anna)
        late = self._visits(self.addresses[1:2], scheduled_start=datetime(2026, 6, 9, 22, 30))
        late.technician_id = self.anna  # 0:30 on Wednesday in Brussels: her capacity is free
        same_day = self._visits(self.addresses[2:3], scheduled_start=datetime(2026, 6, 9, 15, 0))
        with self.assertRaises(ValidationError) as caught:
            same_day.technician_id = self.anna
        self.assertIn("no capacity left that day", str(caught.exception))

    def test_engine_reads_in_constant_queries(self):
        """The reader of the facts costs as many queries for 2 visits as for 8, with their bookings."""
        counts = []
        for day, addresses in ((date(2026, 6, 10), self.addresses[:2]), (date(2026, 6, 11), self.addresses)):
            visits = self._visits(addresses, day=day)
            self.bert.daily_capacity = 10
            nowhere = self.env["res.partner"].create(
                {"name": "Not located", "zip": "1500", "country_id": self.env.ref("base.be").id}
            )
            for index in range(len(addresses)):  # Bert's visits, half an hour each, one after the other
                self._visits(
                    nowhere,
                    day=day,
                    technician_id=self.bert.id,
                    scheduled_start=datetime.combine(day, datetime.min.time()).replace(hour=9) + index * HALF_HOUR,
                )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            start = datetime.combine(day, datetime.min.time())
            engine = visits._dispatch_engine(self.technicians, start, start.replace(hour=23))
            visits._dispatch_visits(self.technicians)
            counts.append(self.cr.sql_log_count - before)
            bookings = engine.technicians[self.bert.id].bookings
            self.assertEqual(len([b for b in bookings if b.start.date() == day]), len(addresses))
        self.assertEqual(counts[0], counts[1], f"queries for 2 and 8 visits: {counts}")

    def test_forcing_names_every_rule_and_locks_nothing_else(self):
        """A dispatcher forces a second visit onto Anna's 9:00 outside its agreed arrival: the note names
        both rules; her first visit, unchanged, can still be saved; a forcing that breaks nothing is dropped."""
        dispatcher = self._dispatcher("as_dispatcher_force")
        first = self._visits(self.addresses[:1], technician_id=self.anna.id, scheduled_start=datetime(2026, 6, 9, 9, 0))
        Visit = self.env["aftersales.visit"].with_user(dispatcher)
        forced = Visit.create(
            {
                "ticket_id": self.ticket.id,
                "visit_type_id": self.visit_type.id,
                "partner_id": self.addresses[0].id,
                "technician_id": self.anna.id,
                "scheduled_start": datetime(2026, 6, 9, 9, 0),
                "window_start": datetime(2026, 6, 9, 8, 0),
                "window_end": datetime(2026, 6, 9, 8, 30),
                "assignment_forced": True,
                "assignment_forced_reason": "The customer insists",
            }
        )
        note = "".join(forced.message_ids.mapped("body"))
        self.assertIn("outside the time agreed with the customer", note)
        self.assertIn(f"busy then (visit {first.name})", note)
        first.with_user(dispatcher).write({"technician_id": self.anna.id, "work_report": "<p>Bring the ladder</p>"})
        self.assertEqual(first.technician_id, self.anna, "saved: its technician and time did not change")
        needless = Visit.create(
            {
                "ticket_id": self.ticket.id,
                "visit_type_id": self.visit_type.id,
                "partner_id": self.addresses[1].id,
                "technician_id": self.bert.id,
                "scheduled_start": datetime(2026, 6, 9, 14, 0),
                "assignment_forced": True,
                "assignment_forced_reason": "Just in case",
            }
        )
        self.assertFalse(needless.sudo().assignment_forced, "no rule broken: nothing forced")
