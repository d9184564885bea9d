"""Planning of technicians' days: who visits whom, in which order, at what time.

Pure Python, without the ORM, so that the same code plans a dispatcher's day in
Odoo and is measured in ``bench/``. The caller turns its records into
:class:`Job` and :class:`Worker` objects (skills, zones and branches are
already reflected in each job's candidates; working time, leaves and other
visits in each worker's free time and bookings) and writes the result back.

Rules that every plan keeps:

- a job goes to one of its candidates, or stays unplanned with a reason code
  (:data:`NO_CANDIDATE`: nobody may do it; :data:`NO_ROOM`: no candidate has the
  time or the capacity left);
- a job starts inside its time window, when it has one, on a round time (a
  multiple of ``step`` since midnight), and fits entirely in one interval of the
  worker's free time: a visit never spans a break;
- before a job the worker drives from the previous place: the home base, the
  previous job, or the booked visit that ended since; when a booked visit comes
  next, the worker can drive to it before it starts;
- the demands of a worker's jobs stay within its capacity;
- a worker who ``returns`` drives home after the last job, within the free
  interval of that job, and that drive counts in the kilometres.

What the planner minimises, in this order: the number of unplanned jobs (the
urgent ones, by SLA deadline, are left out last), then the kilometres driven.
Travel is the great-circle distance (or the ``distance`` function given to
:class:`RoutePlanner`), and its time the distance at ``speed_kmh``; a place
without coordinates counts as ``unknown_km`` from anywhere.

A plan is built by inserting each job, the most urgent first, where it adds the
fewest kilometres, then improved by ruin and recreate (see
:mod:`.route_search`): strings of neighbouring visits are taken out of a few
rounds and put back at their cheapest place, under a simulated annealing rule,
until ``max_rounds`` tries (2,000), ``time_limit`` seconds from the call (0.3: a
week of a few hundred visits plans in a few seconds), or no progress. When a
long search stops placing more jobs, a job left out may also take the place of a
few visits that are rarely left out, which then look for another place. The
same ``seed`` gives the same plan when the search ends before its time limit.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import asin, cos, inf, radians, sin, sqrt

from .route_search import Problem, Shift, search

EARTH_RADIUS_KM = 6371.0
# how far a place without coordinates is counted from anywhere
UNKNOWN_DISTANCE_KM = 100.0
DEFAULT_SPEED_KMH = 40.0
# reason codes of unplanned jobs, turned into messages by the caller
NO_CANDIDATE = "no_candidate"
NO_ROOM = "no_room"


def great_circle_km(origin, destination):
    """Distance in km between two ``(latitude, longitude)`` points; None when one is missing."""
    if origin is None or destination is None:
        return None
    lat1, lon1, lat2, lon2 = map(radians, (*origin, *destination))
    chord = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(chord)))


@dataclass(eq=False)
class Job:
    """A visit to plan: where, how long, who may do it, how urgent, when, and how much load."""

    key: int
    point: tuple | None  # (lat, lon), or any place the distance function takes; None: unknown
    duration: timedelta
    candidates: tuple  # keys of the workers allowed to do it (skill and zone)
    deadline: datetime | None = None  # SLA deadline: the earlier, the later it is left out
    window: tuple | None = None  # (earliest start, latest start); either may be None
    demand: int = 1  # load units taken from the worker's capacity


@dataclass(eq=False)
class Worker:
    """A technician's day: where it starts, its free time, capacity and booked visits."""

    key: int
    home: tuple | None
    free: list  # sorted, disjoint (start, end) naive datetimes
    capacity: int  # load units left for the day
    bookings: list = field(default_factory=list)  # [(start, end, point)] fixed visits of the day
    returns: bool = False  # the day ends with the drive home


@dataclass
class Stop:
    job: Job
    start: datetime
    end: datetime
    km: float  # travel from the previous place (home base, previous stop or booking)


@dataclass
class DayPlan:
    rounds: dict = field(default_factory=dict)  # worker key -> [Stop]
    unplanned: dict = field(default_factory=dict)  # job key -> reason code
    # worker key -> km driven besides the stops' own travel: home at the end of the day
    # (workers who return) and to a booking that follows a stop
    trips_km: dict = field(default_factory=dict)

    def total_km(self):
        return sum(stop.km for stops in self.rounds.values() for stop in stops) + sum(self.trips_km.values())


class RoutePlanner:
    """Plans the ``jobs`` of a day among ``workers`` (see the module's documentation)."""

    def __init__(
        self,
        workers,
        speed_kmh=DEFAULT_SPEED_KMH,
        unknown_km=UNKNOWN_DISTANCE_KM,
        max_rounds=2000,
        step=timedelta(minutes=5),
        time_limit=0.3,
        seed=0,
        distance=None,
    ):
        self.workers = {worker.key: worker for worker in workers}
        self.speed_kmh = speed_kmh
        self.unknown_km = unknown_km
        self.max_rounds = max_rounds
        self.step = step
        self.time_limit = time_limit
        self.seed = seed
        self.distance = distance or great_circle_km
        self._km_cache = {}

    def km(self, origin, destination):
        if origin is None or destination is None:
            return self.unknown_km
        if origin == destination:
            return 0.0
        pair = (origin, destination)
        distance = self._km_cache.get(pair)
        if distance is None:
            distance = self._km_cache[pair] = float(self.distance(origin, destination))
        return distance

    # ------------------------------------------------------------------
    # Public entry points
    # ------------------------------------------------------------------

    def plan(self, jobs):
        """A day plan of ``jobs``: as many as fit, the urgent first, with little travel."""
        started = time.perf_counter()
        result = DayPlan()
        order = sorted(jobs, key=_urgency)
        plannable = []
        for job in order:
            if any(key in self.workers for key in job.candidates):
                plannable.append(job)
            else:
                result.unplanned[job.key] = NO_CANDIDATE
        problem, workers = self._problem(plannable)
        rounds, left_out = search(
            problem,
            list(range(len(plannable))),
            random.Random(self.seed),
            time_limit=max(self.time_limit - (time.perf_counter() - started), 0.0),
            max_iterations=self.max_rounds,
        )
        for index in left_out:
            result.unplanned[plannable[index].key] = NO_ROOM
        self._fill(result, problem, workers, plannable, rounds)
        return result

    def plan_nearest_free(self, jobs):
        """Earliest deadline first, each visit to the nearest technician who can still
        fit it after their last visit: how a dispatcher fills a board by hand."""
        result = DayPlan()
        order = sorted(jobs, key=_urgency)
        problem, workers = self._problem(order)
        rounds = [[] for _worker in workers]
        for index, job in enumerate(order):
            best = None
            for w in problem.candidates[index]:
                last = rounds[w][-1] if rounds[w] else problem.shifts[w].home
                distance = problem.km[last][index]
                if best is not None and distance >= best[0]:
                    continue
                if problem.simulate(w, rounds[w] + [index]) is not None:
                    best = (distance, w)
            if best is None:
                result.unplanned[job.key] = NO_ROOM if problem.candidates[index] else NO_CANDIDATE
                continue
            rounds[best[1]].append(index)
        self._fill(result, problem, workers, order, rounds)
        return result

    def timetable(self, worker, jobs):
        """The stops of ``jobs`` done in this order by ``worker``, or None when they don't fit."""
        problem, _workers = self._problem(list(jobs), [worker])
        result = problem.simulate(0, list(range(len(jobs))))
        if result is None:
            return None
        return self._stops(problem, jobs, result)

    # ------------------------------------------------------------------
    # From datetimes and places to minutes and indices, and back
    # ------------------------------------------------------------------

    def _problem(self, jobs, workers=None):
        """The :class:`Problem` of ``jobs`` (indices in that order) and the workers (indices)."""
        workers = list(self.workers.values()) if workers is None else workers
        moments = [moment for worker in workers for interval in worker.free for moment in interval]
        moments += [moment for worker in workers for booking in worker.bookings for moment in booking[:2]]
        moments += [moment for job in jobs for moment in (job.window or ()) if moment is not None]
        self._origin = (
            min(moments).replace(hour=0, minute=0, second=0, microsecond=0) if moments else datetime(2000, 1, 1)
        )
        places = [job.point for job in jobs]
        shifts = []
        for worker in workers:
            home = len(places)
            places.append(worker.home)
            bookings = []
            for start, end, point in sorted(worker.bookings, key=lambda booking: booking[:2]):
                bookings.append((self._minutes(start), self._minutes(end), len(places)))
                places.append(point)
            free = [(self._minutes(start), self._minutes(end)) for start, end in worker.free]
            shifts.append(Shift(home, free, worker.capacity, worker.returns, bookings))
        km = [[self.km(origin, destination) for destination in places] for origin in places]
        per_km = 60.0 / self.speed_kmh
        minutes = [[distance * per_km for distance in row] for row in km]
        index_of = {worker.key: w for w, worker in enumerate(workers)}
        penalty = (2.0 * max((max(row) for row in km), default=0.0) + 1.0) * (len(places) + 1)
        dated = [job for job in jobs if job.deadline is not None]
        rank = {job.key: position for position, job in enumerate(sorted(dated, key=_urgency))}
        rows = []
        for job in jobs:
            early, late = job.window or (None, None)
            urgency = 0.5 * (1.0 - rank[job.key] / len(dated)) if job.key in rank else 0.0
            rows.append(
                (
                    job.duration.total_seconds() / 60.0,
                    -inf if early is None else self._minutes(early),
                    inf if late is None else self._minutes(late),
                    job.demand,
                    penalty * (1.0 + urgency),
                    [index_of[key] for key in job.candidates if key in index_of],
                )
            )
        step = self.step.total_seconds() / 60.0 if self.step else 0.0
        return Problem(rows, shifts, km, minutes, step), workers

    def _minutes(self, moment):
        return (moment - self._origin).total_seconds() / 60.0

    def _stops(self, problem, jobs, simulated):
        _cost, starts, kms, _trips = simulated
        stops = []
        for job, start, distance in zip(jobs, starts, kms, strict=True):
            moment = self._origin + timedelta(minutes=start)
            stops.append(Stop(job, moment, moment + job.duration, distance))
        return stops

    def _fill(self, result, problem, workers, jobs, rounds):
        for w, seq in enumerate(rounds):
            if not seq:
                continue
            simulated = problem.simulate(w, seq)
            key = workers[w].key
            result.rounds[key] = self._stops(problem, [jobs[index] for index in seq], simulated)
            if simulated[3]:
                result.trips_km[key] = simulated[3]


def _urgency(job):
    """Earliest deadline first, then the earliest latest start."""
    latest = job.window[1] if job.window and job.window[1] is not None else datetime.max
    return (job.deadline is None, job.deadline or datetime.max, latest, job.key)
