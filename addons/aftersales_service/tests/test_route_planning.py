import random
from datetime import datetime, timedelta
from itertools import permutations
from math import hypot

from odoo.tests import BaseCase, tagged

from ..tools.route_planning import NO_CANDIDATE, NO_ROOM, Job, RoutePlanner, Worker, great_circle_km
from ..tools.route_search import Problem, Shift, construct

DAY = datetime(2026, 6, 9)
MINUTE = timedelta(minutes=1)


def at(hour, minute=0):
    return DAY + timedelta(hours=hour, minutes=minute)


def euclid(origin, destination):
    return hypot(origin[0] - destination[0], origin[1] - destination[1])


def planner_of(workers, **options):
    """Flat plane in km, driven at 60 km/h: a km is a minute, so the figures are easy to follow."""
    options.setdefault("speed_kmh", 60.0)
    options.setdefault("distance", euclid)
    options.setdefault("step", None)
    return RoutePlanner(workers, **options)


def worker(key, home=(0, 0), free=None, capacity=10, **values):
    return Worker(key=key, home=home, free=free or [(at(8), at(17))], capacity=capacity, **values)


def job(key, point, minutes=30, candidates=(1,), **values):
    return Job(key=key, point=point, duration=timedelta(minutes=minutes), candidates=candidates, **values)


@tagged("post_install", "-at_install")
class RoutePlanningCase(BaseCase):
    """The planner alone, without a database: every plan is checked rule by rule."""

    def assertPlanKeepsRules(self, planner, workers, jobs, plan):
        """Check ``plan`` against the rules independently of the planner's own bookkeeping."""
        travel = planner.km
        minutes_of = {worker.key: 60.0 / planner.speed_kmh for worker in workers}
        seen = set()
        total = 0.0
        for key, stops in plan.rounds.items():
            worker = next(worker for worker in workers if worker.key == key)
            per_km = timedelta(minutes=minutes_of[key])
            self.assertLessEqual(sum(stop.job.demand for stop in stops), worker.capacity, "capacity")
            previous_place, previous_end = worker.home, worker.free[0][0]
            for number, stop in enumerate(stops):
                job = stop.job
                self.assertNotIn(job.key, seen, "each job once")
                seen.add(job.key)
                self.assertIn(key, job.candidates, "done by one of its candidates")
                self.assertEqual(stop.end - stop.start, job.duration)
                if job.window:
                    early, late = job.window
                    self.assertTrue(early is None or stop.start >= early, f"job {job.key} not before its window")
                    self.assertTrue(late is None or stop.start <= late, f"job {job.key} not after its window")
                interval = [(begin, end) for begin, end in worker.free if begin <= stop.start and stop.end <= end]
                self.assertTrue(interval, f"job {job.key} within one free interval (no break, no booking)")
                # the latest place before: the previous stop, or a booking that ended since
                place, left = previous_place, previous_end
                for b_start, b_end, point in worker.bookings:
                    self.assertFalse(b_start < stop.end and stop.start < b_end, "no overlap with a booking")
                    if left <= b_end <= stop.start:
                        place, left = point, b_end
                drive = travel(place, job.point)
                self.assertAlmostEqual(stop.km, drive, places=6, msg="travel from the previous place")
                self.assertGreaterEqual(stop.start + timedelta(microseconds=1), left + drive * per_km, "time to drive")
                if planner.step:
                    since_midnight = stop.start - stop.start.replace(hour=0, minute=0, second=0, microsecond=0)
                    self.assertFalse(since_midnight % planner.step, "on round times")
                following = stops[number + 1].start if number + 1 < len(stops) else None
                for b_start, _b_end, point in worker.bookings:
                    if b_start >= stop.end and (following is None or following >= b_start):
                        reach = stop.end + travel(job.point, point) * per_km
                        self.assertLessEqual(reach, b_start + timedelta(microseconds=1), "time to drive to a booking")
                        break
                if following is None and worker.returns:
                    home_at = stop.end + travel(job.point, worker.home) * per_km
                    self.assertLessEqual(home_at, interval[0][1] + timedelta(microseconds=1), "home in time")
                    total += travel(job.point, worker.home)
                total += stop.km
                previous_place, previous_end = job.point, stop.end
        self.assertFalse(seen & set(plan.unplanned), "a job is planned or not")
        self.assertEqual(seen | set(plan.unplanned), {job.key for job in jobs}, "every job accounted for")
        if not any(worker.bookings for worker in workers):
            self.assertAlmostEqual(plan.total_km(), total, places=6)

    def test_windows_kept(self):
        workers = [worker(1)]
        jobs = [
            job(1, (10, 0), window=(at(14), at(14, 30))),
            job(2, (20, 0), window=(at(9), at(10))),
            job(3, (30, 0), window=(None, at(8, 10))),  # 30 min of driving: cannot start by 8:10
            job(4, (5, 0), window=(at(16), None)),
        ]
        planner = planner_of(workers)
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        self.assertEqual(plan.unplanned, {3: NO_ROOM})
        starts = {stop.job.key: stop.start for stop in plan.rounds[1]}
        self.assertEqual(starts[2], at(9), "waits for the window to open")
        self.assertEqual(starts[1], at(14))
        self.assertEqual(starts[4], at(16))
        self.assertEqual([stop.job.key for stop in plan.rounds[1]], [2, 1, 4])

    def test_bookings_travel_respected(self):
        # a booked visit 40 km away from 12:00 to 13:00, the jobs next to home
        booked = (at(12), at(13), (40, 0))
        workers = [worker(1, free=[(at(8), at(12)), (at(13), at(17))], bookings=[booked])]
        jobs = [job(key, (1, key), minutes=90) for key in range(1, 6)]
        planner = planner_of(workers)
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        stops = plan.rounds[1]
        morning = [stop for stop in stops if stop.end <= at(12)]
        afternoon = [stop for stop in stops if stop.start >= at(13)]
        self.assertTrue(morning and afternoon)
        self.assertLessEqual(morning[-1].end, at(11, 20), "leaves in time for the 40 km to the booking")
        self.assertGreaterEqual(afternoon[0].start, at(13, 39), "drives back from the booking first")
        self.assertEqual(len(stops), 4, "two visits of 1.5 h in each half day, minus the drives")
        self.assertEqual(set(plan.unplanned.values()), {NO_ROOM})

    def test_no_visit_spans_a_break(self):
        workers = [worker(1, free=[(at(8), at(12)), (at(13), at(17))])]
        jobs = [job(key, (0, 1), minutes=150) for key in range(1, 4)]
        planner = planner_of(workers)
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        self.assertEqual(len(plan.rounds[1]), 2, "one long visit per half day")
        self.assertEqual(len(plan.unplanned), 1)

    def test_capacity_by_demand_urgent_first(self):
        workers = [worker(1, capacity=5)]
        jobs = [
            job(1, (1, 0), demand=3, deadline=at(20)),
            job(2, (2, 0), demand=3, deadline=at(10)),
            job(3, (3, 0), demand=2, deadline=at(12)),
        ]
        planner = planner_of(workers)
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        self.assertEqual(plan.unplanned, {1: NO_ROOM}, "the least urgent is left out")
        # but two jobs served beat one more urgent job alone
        jobs = [job(1, (1, 0), demand=4, deadline=at(9)), job(2, (2, 0), demand=2), job(3, (3, 0), demand=3)]
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        self.assertEqual(plan.unplanned, {1: NO_ROOM})

    def test_candidates(self):
        workers = [worker(1, home=(0, 0)), worker(2, home=(100, 0))]
        jobs = [
            job(1, (99, 0), candidates=(1,)),  # next to 2's home, but only 1 may go
            job(2, (1, 0), candidates=(2,)),
            job(3, (50, 0), candidates=()),
            job(4, (50, 0), candidates=(7,)),  # nobody of that day
        ]
        planner = planner_of(workers)
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        self.assertEqual(plan.unplanned, {3: NO_CANDIDATE, 4: NO_CANDIDATE})
        self.assertEqual([stop.job.key for stop in plan.rounds[1]], [1])
        self.assertEqual([stop.job.key for stop in plan.rounds[2]], [2])

    def test_returns_home(self):
        workers = [worker(1, free=[(at(8), at(10))], returns=True)]
        jobs = [job(1, (30, 0), minutes=30), job(2, (40, 0), minutes=30)]
        planner = planner_of(workers)
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        # 8:00 +30 -> job 1 8:30-9:00, +40 back home 9:40; job 2 as well would be home at 10:20
        self.assertEqual(len(plan.rounds[1]), 1)
        self.assertEqual(plan.unplanned, {2: NO_ROOM})
        self.assertAlmostEqual(plan.total_km(), 60.0, msg="there and back")
        self.assertEqual(plan.trips_km, {1: 30.0})
        # without the drive home both fit
        workers[0].returns = False
        plan = planner_of(workers).plan(jobs)
        self.assertEqual(len(plan.rounds[1]), 2)
        self.assertAlmostEqual(plan.total_km(), 40.0)

    def test_round_times(self):
        workers = [worker(1, home=(50.85, 4.35), free=[(at(9), at(18))])]
        north = [(50.85 + km * 0.0089932, 4.35) for km in (1, 10)]
        jobs = [job(1, north[0]), job(2, north[1])]
        planner = RoutePlanner(workers)  # great circle, 40 km/h, every 5 minutes
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        # 1 km: 1.5 min -> 9:05; 9:35 + 9 km (13.5 min) -> 9:50
        self.assertEqual([stop.start for stop in plan.rounds[1]], [at(9, 5), at(9, 50)])
        self.assertAlmostEqual(plan.total_km(), 10.0, delta=0.01)
        self.assertAlmostEqual(great_circle_km(workers[0].home, north[1]), 10.0, delta=0.01)
        self.assertIsNone(planner.timetable(workers[0], [job(3, north[0], minutes=9 * 60)]))
        stops = planner.timetable(workers[0], [jobs[1], jobs[0]])
        self.assertEqual([stop.job.key for stop in stops], [2, 1], "the order given")

    def test_unknown_place(self):
        workers = [worker(1)]
        jobs = [job(1, None), job(2, (5, 0))]
        planner = planner_of(workers, unknown_km=100)
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        self.assertFalse(plan.unplanned)
        self.assertEqual(max(stop.km for stop in plan.rounds[1]), 100)

    def _random_day(self, seed, count=40, technicians=4, windows=True):
        rng = random.Random(seed)
        workers = [
            worker(
                key,
                home=(rng.uniform(0, 60), rng.uniform(0, 60)),
                free=[(at(8), at(12)), (at(13), at(17))],
                capacity=rng.choice((8, 10, 12)),
            )
            for key in range(1, technicians + 1)
        ]
        jobs = []
        for key in range(1, count + 1):
            candidates = tuple(sorted(rng.sample(range(1, technicians + 1), rng.randint(1, technicians))))
            opens = rng.choice((None, 8, 10, 13, 15)) if windows else None
            window = None if opens is None else (at(opens), at(opens + 2))
            jobs.append(
                job(
                    key,
                    (rng.uniform(0, 60), rng.uniform(0, 60)),
                    minutes=rng.choice((20, 30, 45, 60)),
                    candidates=candidates,
                    window=window,
                    deadline=at(8) + timedelta(hours=rng.randint(0, 48)),
                )
            )
        return workers, jobs

    def test_better_than_the_naive_plan(self):
        workers, jobs = self._random_day(7, count=24, windows=False)
        planner = planner_of(workers, time_limit=5.0)
        naive = planner.plan_nearest_free(jobs)
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, naive)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        self.assertFalse(naive.unplanned)
        self.assertFalse(plan.unplanned)
        self.assertLess(plan.total_km(), 0.8 * naive.total_km())
        # with windows, the naive plan leaves visits out that the planner places
        workers, jobs = self._random_day(2, count=20)
        planner = planner_of(workers, time_limit=5.0)
        naive, plan = planner.plan_nearest_free(jobs), planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, naive)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        self.assertLess(len(plan.unplanned), len(naive.unplanned))

    def test_deterministic(self):
        workers, jobs = self._random_day(3, count=25)
        first = planner_of(workers, seed=5, max_rounds=300, time_limit=30).plan(jobs)
        second = planner_of(workers, seed=5, max_rounds=300, time_limit=30).plan(jobs)
        self.assertEqual(
            {key: [(stop.job.key, stop.start) for stop in stops] for key, stops in first.rounds.items()},
            {key: [(stop.job.key, stop.start) for stop in stops] for key, stops in second.rounds.items()},
        )
        self.assertEqual(first.unplanned, second.unplanned)

    def test_bookings_in_a_random_day(self):
        workers, jobs = self._random_day(11, count=30)
        for number, one in enumerate(workers):
            one.free = [(at(8), at(10)), (at(11), at(14)), (at(15), at(17))]
            one.bookings = [(at(10), at(11), (number * 10, 30)), (at(14), at(15), (30, number * 10))]
        planner = planner_of(workers, step=timedelta(minutes=5))
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        naive = planner.plan_nearest_free(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, naive)
        self.assertLessEqual(len(plan.unplanned), len(naive.unplanned))

    def test_known_optimum(self):
        """Six customers, two vehicles back at the depot by 12:00: the optimum found by trying every split."""
        depot = (0, 0)
        workers = [worker(key, home=depot, free=[(at(8), at(12))], capacity=5, returns=True) for key in (1, 2)]
        places = [(10, 0), (20, 0), (20, 10), (0, 10), (-10, 10), (-10, -10)]
        windows = [(at(8), at(9)), (None, None), (at(10), at(11)), (at(8), at(8, 40)), (None, None), (at(9), at(9, 30))]
        jobs = [
            job(key, place, minutes=20, candidates=(1, 2), window=window, demand=1 + key % 2)
            for key, (place, window) in enumerate(zip(places, windows, strict=True), start=1)
        ]
        planner = planner_of(workers, time_limit=5.0)
        best = None
        for order in permutations(jobs):
            for cut in range(len(jobs) + 1):
                first, second = order[:cut], order[cut:]
                if first and second and first[0].key > second[0].key:
                    continue  # the same split with the vehicles swapped
                total = 0.0
                for one, part in zip(workers, (first, second), strict=True):
                    stops = planner.timetable(one, list(part))
                    if stops is None:
                        total = None
                        break
                    if stops:
                        total += sum(stop.km for stop in stops) + euclid(stops[-1].job.point, depot)
                if total is not None and (best is None or total < best - 1e-9):
                    best = total
        self.assertIsNotNone(best)
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        self.assertFalse(plan.unplanned)
        self.assertAlmostEqual(plan.total_km(), best, places=6)

    def _tight_fleet(self, booked):
        """Two days of 100 minutes at one place; a job of 90 minutes only the first may do.

        Inserted in turn, the two jobs of 50 minutes fill the first day and the long one
        is left out; ``booked``: the first day ends with a booked visit (checked by a walk
        through the day instead of in constant time).
        """
        bookings = [(100.0, 120.0, 6)] if booked else ()
        shifts = [Shift(3, [(0.0, 100.0)], 10, False, bookings), Shift(4, [(0.0, 100.0)], 10, False)]
        jobs = [
            (50.0, 0.0, 100.0, 1, 10.0, (0, 1)),
            (50.0, 0.0, 100.0, 1, 10.0, (0, 1)),
            (90.0, 0.0, 10.0, 1, 10.0, (0,)),
        ]
        places = 7 if booked else 5
        zeros = [[0.0] * places for _place in range(places)]
        return Problem(jobs, shifts, zeros, zeros)

    def test_exchange_serves_a_tight_fleet(self):
        for booked in (False, True):
            problem = self._tight_fleet(booked)
            self.assertEqual(problem.shifts[0].fast, not booked)
            state = construct(problem, [0, 1, 2])
            self.assertEqual([sorted(route.seq) for route in state.routes], [[0, 1], []])
            self.assertEqual(list(state.unplanned), [2], "the plain insertion leaves the long job out")
            saved = {}
            # neither short job alone makes room: the long job takes the place of both
            self.assertTrue(state.eject(2, [0, 0, 0], saved))
            self.assertEqual(state.routes[0].seq, [2])
            self.assertEqual(sorted(state.routes[1].seq), [0, 1], "the jobs taken out go to the other day")
            self.assertFalse(state.unplanned)
            self.assertEqual(set(saved), {0, 1}, "the rounds before the exchange are kept to undo it")
            for w, route in enumerate(state.routes):
                self.assertIsNotNone(problem.simulate(w, route.seq))
            # nothing to exchange for: a job left out may not take the place of a more urgent one
            problem = self._tight_fleet(booked)
            problem.penalty[2] = 5.0
            state = construct(problem, [0, 1, 2])
            self.assertFalse(state.eject(2, [0, 0, 0], {}))
            self.assertEqual(sorted(state.routes[0].seq), [0, 1])

    def test_exchange_in_a_plan(self):
        """The planner serves a tight fleet that the first plan does not."""
        workers = [
            worker(1, free=[(at(8), at(9, 40))], capacity=2),
            worker(2, free=[(at(8), at(9, 40))], capacity=2),
        ]
        jobs = [
            job(1, (0, 0), minutes=50, candidates=(1, 2), deadline=at(8)),
            job(2, (0, 0), minutes=50, candidates=(1, 2), deadline=at(9)),
            job(3, (0, 0), minutes=90, candidates=(1,), deadline=at(10), window=(at(8), at(8, 10))),
        ]
        planner = planner_of(workers, max_rounds=3000, time_limit=30)
        plan = planner.plan(jobs)
        self.assertPlanKeepsRules(planner, workers, jobs, plan)
        self.assertFalse(plan.unplanned)
        self.assertEqual([stop.job.key for stop in plan.rounds[1]], [3])
