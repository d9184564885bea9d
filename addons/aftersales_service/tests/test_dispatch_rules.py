"""The dispatch rules of tools/dispatch.py, without a database."""

from datetime import date, datetime, timedelta

from pytz import timezone, utc

from odoo.tests import BaseCase, tagged

from ..tools import dispatch
from ..tools.dispatch import Booking, DispatchEngine, Technician, Visit

DAY = date(2026, 6, 9)
BRUSSELS = timezone("Europe/Brussels")
# Brussels is UTC+2 in June: 9:00-17:00 local is 7:00-15:00 UTC
HOME = (50.85, 4.35)
NEAR = (50.86, 4.36)  # about 1.3 km from HOME
FAR = (51.55, 4.35)  # about 78 km from HOME, 77 km from NEAR


def at(hour, minute=0, day=DAY):
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour, minutes=minute)


def technician(key=1, **values):
    return Technician(
        **{
            "key": key,
            "tz": BRUSSELS,
            "capacity": 3,
            "home": HOME,
            "work": [
                (at(7), at(11)),
                (at(12), at(15)),
                (at(7, day=DAY + timedelta(1)), at(15, day=DAY + timedelta(1))),
            ],
            **values,
        }
    )


def visit(key=100, **values):
    return Visit(
        **{
            "key": key,
            "duration": timedelta(hours=1),
            "point": NEAR,
            "required_level": 1,
            "levels": {1: 2, 2: 2},
            "covered": frozenset({1, 2}),
            **values,
        }
    )


@tagged("post_install", "-at_install")
class TestDispatchRules(BaseCase):
    def _refusal(self, tech, job, start, end=None):
        reason = DispatchEngine([tech]).refusal(tech, job, start, end)
        return reason and reason.code

    def test_static_rules_in_order(self):
        tech = technician(branch=7)
        self.assertIsNone(self._refusal(tech, visit(branch=7), at(8)))
        self.assertEqual(self._refusal(tech, visit(branch=8), at(8)), dispatch.BRANCH)
        self.assertIsNone(self._refusal(tech, visit(branch=None), at(8)), "a visit without branch: anyone")
        self.assertEqual(self._refusal(tech, visit(levels={1: 0}), at(8)), dispatch.SKILL)
        self.assertEqual(self._refusal(tech, visit(covered=frozenset()), at(8)), dispatch.ZONE)

    def test_working_time_and_breaks(self):
        tech = technician()
        self.assertEqual(self._refusal(tech, visit(), at(6)), dispatch.NOT_WORKING)
        self.assertEqual(self._refusal(tech, visit(), at(10, 30)), dispatch.NOT_WORKING, "spans the break")
        self.assertIsNone(self._refusal(tech, visit(), at(12, 30)))
        tech.time_off = [(at(13), at(14))]
        self.assertEqual(self._refusal(tech, visit(), at(12, 30)), dispatch.TIME_OFF)

    def test_working_time_of_a_period(self):
        tech = technician(time_off=[(at(13), at(20))])
        engine = DispatchEngine([tech])
        self.assertEqual(engine.working_time(tech, at(0), at(24)), timedelta(hours=5), "7-11 and 12-13")
        self.assertEqual(engine.working_time(tech, at(10), at(12)), timedelta(hours=1), "the break is no work")
        self.assertEqual(engine.working_time(tech, at(0, day=DAY - timedelta(1)), at(0)), timedelta(0))
        tech.time_off = [(at(0), at(0, day=DAY + timedelta(2)))]
        self.assertEqual(engine.working_time(tech, at(0), at(0, day=DAY + timedelta(2))), timedelta(0))

    def test_agreed_time_is_kept(self):
        job = visit(window=(at(9), at(9, 30)))
        self.assertIsNone(self._refusal(technician(), job, at(9, 15)))
        self.assertEqual(self._refusal(technician(), job, at(8)), dispatch.WINDOW)
        self.assertEqual(self._refusal(technician(), job, at(9, 31)), dispatch.WINDOW)

    def test_travel_between_visits(self):
        """Back-to-back visits 77 km apart cannot both be kept: the drive takes about two hours at 40 km/h."""
        tech = technician(bookings=[Booking(1, at(8), at(9), FAR)])
        self.assertEqual(self._refusal(tech, visit(), at(8, 30)), dispatch.BUSY)
        reason = DispatchEngine([tech]).refusal(tech, visit(), at(9))
        self.assertEqual(reason.code, dispatch.TRAVEL)
        self.assertAlmostEqual(reason.km, 76.7, delta=0.1)
        self.assertIs(reason.booking, tech.bookings[0])
        self.assertIsNone(self._refusal(tech, visit(), at(12)), "two hours later the drive fits")
        # and before the next visit
        tech = technician(bookings=[Booking(1, at(10), at(11), FAR)])
        self.assertEqual(self._refusal(tech, visit(), at(8, 30)), dispatch.TRAVEL)
        self.assertIsNone(self._refusal(tech, visit(point=None), at(8, 30)), "an unknown place is not measured")

    def test_first_visit_when_work_starts(self):
        """The first visit of the day may start when work starts, however far from home."""
        self.assertIsNone(self._refusal(technician(), visit(point=FAR), at(7)))

    def test_capacity_in_local_day(self):
        """Three visits on the technician's Brussels day, one of them at 23:30 UTC the evening before
        (1:30 local, the same local day): the capacity of three is reached."""
        tech = technician(
            work=[(at(-1), at(16))],
            bookings=[
                Booking(1, at(-2, 30), at(-1, 30), None),
                Booking(2, at(8), at(9), None),
                Booking(3, at(9), at(10), None),
            ],
        )
        self.assertEqual(tech.local_day(at(-2, 30)), DAY, "0:30 in Brussels, 22:30 UTC the day before")
        self.assertEqual(self._refusal(tech, visit(point=None), at(12)), dispatch.CAPACITY)
        tech.bookings.pop(0)
        self.assertIsNone(self._refusal(tech, visit(point=None), at(12)))

    def test_choose_prefers_nearest_and_books(self):
        near = technician(1, home=NEAR)
        far = technician(2, home=FAR)
        engine = DispatchEngine([far, near])
        choice = engine.choose(visit(), at(9))
        self.assertIsInstance(choice, dispatch.Choice)
        self.assertEqual(choice.technician, near)
        self.assertAlmostEqual(choice.km, 0.0, delta=0.01)
        self.assertEqual(len(near.bookings), 1, "booked: the next visit sees it")
        second = engine.choose(visit(101), at(9))
        self.assertEqual(second.technician, far, "the nearest is busy then")
        refused = engine.choose(visit(102), at(9))
        self.assertEqual({reason.code for _tech, reason in refused}, {dispatch.BUSY})

    def test_free_slots(self):
        tech = technician(bookings=[Booking(1, at(8), at(9), NEAR)])
        engine = DispatchEngine([tech])
        slots = engine.free_slots(visit(), at(7), at(15), timedelta(hours=1))
        self.assertNotIn(at(8), slots)
        self.assertIn(at(10), slots, "ends when the break begins")
        self.assertNotIn(at(11), slots, "during the break")
        self.assertIn(at(9), slots, "at the same place: no drive")
        self.assertEqual(slots[at(12)], [tech])

    def test_day_problem_and_plan_keep_the_rules(self):
        tech_a = technician(1, branch=1, bookings=[Booking(1, at(9), at(10), FAR)])
        tech_b = technician(2, branch=2)
        engine = DispatchEngine([tech_a, tech_b])
        jobs = [
            visit(100, branch=1, window=(at(12), at(12))),
            visit(101, branch=2),
            visit(102, branch=1),
        ]
        workers, problem = engine.day_problem(jobs, DAY)
        by_key = {job.key: job for job in problem}
        self.assertEqual(by_key[100].candidates, (1,), "branch 1 only")
        self.assertEqual(by_key[101].candidates, (2,))
        worker_a = next(worker for worker in workers if worker.key == 1)
        self.assertEqual(worker_a.capacity, 2)
        self.assertEqual(worker_a.bookings, [(at(9), at(10), FAR)])
        plan = engine.plan_day(jobs, DAY, time_limit=0.2)
        self.assertFalse(plan.unplanned)
        stops = {stop.job.key: (key, stop) for key, stops in plan.rounds.items() for stop in stops}
        self.assertEqual(stops[100][0], 1)
        self.assertEqual(stops[100][1].start, at(12), "the agreed time")
        self.assertEqual(stops[101][0], 2)
        self.assertEqual(len(tech_a.bookings), 3, "the plan is booked in the engine")
        for tech in (tech_a, tech_b):
            for before, after in zip(tech.bookings, tech.bookings[1:], strict=False):
                drive = engine.drive(engine.km(before.point, after.point) or 0)
                self.assertLessEqual(before.end + drive, after.start, "no two visits closer than the drive")

    def test_local_day_bounds(self):
        tech = technician()
        self.assertEqual(tech.day_bounds(DAY), (at(-2), at(22)))
        self.assertEqual(utc.localize(at(22)).astimezone(BRUSSELS).date(), DAY + timedelta(1))
