"""Planning of technicians' days: who visits whom, in which order, at what time.

Pure Python, without the ORM, so that the same code plans a dispatcher's day in
Odoo and is measured in ``bench/``. ``aftersales.visit`` builds the
:class:`Job` and :class:`Worker` objects from its records (skills and zones are
already reflected in each job's candidates, leaves and other visits in each
worker's free time) and writes the result back.

A day plan is built in two steps:

1. **Insertion**, earliest SLA deadline first: each visit goes to the technician
   and the place in their round that add the fewest kilometres while every visit
   of the round still fits in the technician's free time (travel included) and
   the round stays within the daily capacity. A visit that fits nowhere stays
   unplanned, with the reason.
2. **Improvement**: visits are moved to another place or another technician,
   and stretches of a round are reversed, as long as this saves kilometres and
   breaks no rule. It stops when nothing improves or after ``max_rounds`` rounds.

The travel of a round is the great-circle distance from the technician's home
base to the first visit and from each visit to the next one. Travel time is
the distance at ``speed_kmh``. Visits start on round times (every ``step``,
five minutes by default). A visit is one piece of work: it never spans a break
of the technician's free time.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_KM = 6371.0
# how far a place without coordinates is counted from anywhere
UNKNOWN_DISTANCE_KM = 100.0
DEFAULT_SPEED_KMH = 40.0
# savings smaller than this (km) are not worth a move
EPSILON_KM = 1e-6


def great_circle_km(origin, destination):
    """Distance in km between two ``(latitude, longitude)`` points; None when one is missing."""
    if origin is None or destination is None:
        return None
    lat1, lon1, lat2, lon2 = map(radians, (*origin, *destination))
    chord = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(chord)))


@dataclass(eq=False)
class Job:
    """A visit to plan: where, how long, who may do it, and how urgent it is."""

    key: int
    point: tuple | None
    duration: timedelta
    candidates: tuple  # keys of the workers allowed to do it (skill and zone)
    deadline: datetime | None = None
    window: tuple | None = None
    demand: int = 1


@dataclass(eq=False)
class Worker:
    """A technician's day: where it starts, the free time and the visits left."""

    key: int
    home: tuple | None
    free: list  # sorted, disjoint (start, end) naive datetimes
    capacity: int
    bookings: list = field(default_factory=list)
    returns: bool = False


@dataclass
class Stop:
    job: Job
    start: datetime
    end: datetime
    km: float  # travel from the previous stop (or the home base)


@dataclass
class DayPlan:
    rounds: dict = field(default_factory=dict)  # worker key -> [Stop]
    unplanned: dict = field(default_factory=dict)  # job key -> reason code

    def total_km(self):
        return sum(stop.km for stops in self.rounds.values() for stop in stops)


# reason codes of unplanned jobs, turned into messages by the caller
NO_CANDIDATE = "no_candidate"
NO_ROOM = "no_room"


class RoutePlanner:
    def __init__(
        self,
        workers,
        speed_kmh=DEFAULT_SPEED_KMH,
        unknown_km=UNKNOWN_DISTANCE_KM,
        max_rounds=50,
        step=timedelta(minutes=5),
        time_limit=0.5,
        seed=0,
    ):
        self.workers = {worker.key: worker for worker in workers}
        self.speed_kmh = speed_kmh
        self.step = step
        self.unknown_km = unknown_km
        self.max_rounds = max_rounds
        self._km_cache = {}

    # ------------------------------------------------------------------
    # Distances and timing
    # ------------------------------------------------------------------

    def km(self, origin, destination):
        if origin is None or destination is None:
            return self.unknown_km
        if origin == destination:
            return 0.0
        pair = (origin, destination) if origin <= destination else (destination, origin)
        distance = self._km_cache.get(pair)
        if distance is None:
            distance = self._km_cache[pair] = great_circle_km(origin, destination)
        return distance

    def _round_up(self, moment):
        """The first round time (a multiple of ``step`` since midnight) at or after ``moment``."""
        if not self.step:
            return moment
        midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        steps = -((midnight - moment) // self.step)  # ceiling division
        return midnight + steps * self.step

    def round_km(self, worker, jobs):
        total, previous = 0.0, worker.home
        for job in jobs:
            total += self.km(previous, job.point)
            previous = job.point
        return total

    def timetable(self, worker, jobs):
        """The stops of ``jobs`` done in this order by ``worker``, or None when they don't fit."""
        if len(jobs) > worker.capacity:
            return None
        free = worker.free
        if not free:
            return None if jobs else []
        stops, position, previous = [], 0, worker.home
        clock = free[0][0]
        for job in jobs:
            distance = self.km(previous, job.point)
            arrival = clock + timedelta(hours=distance / self.speed_kmh)
            if job.window:
                arrival = max(arrival, job.window[0])
            while position < len(free):
                begin, end = free[position]
                start = self._round_up(max(arrival, begin))
                if job.window and start > job.window[1]:
                    return None
                if start + job.duration <= end:
                    break
                position += 1
            else:
                return None
            stops.append(Stop(job, start, start + job.duration, distance))
            clock, previous = start + job.duration, job.point
        return stops

    # ------------------------------------------------------------------
    # Insertion
    # ------------------------------------------------------------------

    def _best_insertion(self, job, jobs_of, limit=None):
        """The cheapest feasible (extra km, worker key, index) for ``job``, or None.

        ``limit``: only insertions adding less than this many km are of interest.
        """
        best = None
        for key in job.candidates:
            worker = self.workers.get(key)
            if worker is None:
                continue
            jobs = jobs_of[key]
            if len(jobs) >= worker.capacity or not worker.free:
                continue
            points = [worker.home] + [other.point for other in jobs]
            for index in range(len(jobs) + 1):
                before = points[index]
                extra = self.km(before, job.point)
                if index < len(jobs):
                    after = points[index + 1]
                    extra += self.km(job.point, after) - self.km(before, after)
                bound = best[0] if best else limit
                if bound is not None and extra >= bound - EPSILON_KM:
                    continue
                candidate = jobs[:index] + [job] + jobs[index:]
                if self.timetable(worker, candidate) is not None:
                    best = (extra, key, index)
        return best

    def plan(self, jobs):
        """A day plan of ``jobs`` keeping the total travel low."""
        jobs_of = {key: [] for key in self.workers}
        result = DayPlan()
        for job in sorted(jobs, key=_urgency):
            if not any(key in self.workers for key in job.candidates):
                result.unplanned[job.key] = NO_CANDIDATE
                continue
            best = self._best_insertion(job, jobs_of)
            if best is None:
                result.unplanned[job.key] = NO_ROOM
                continue
            _extra, key, index = best
            jobs_of[key].insert(index, job)
        self._improve(jobs_of)
        result.rounds = {key: self.timetable(self.workers[key], jobs) for key, jobs in jobs_of.items() if jobs}
        return result

    def _improve(self, jobs_of):
        for _round in range(self.max_rounds):
            improved = False
            for key in list(jobs_of):
                improved |= self._reverse_stretches(key, jobs_of)
            for job in [job for jobs in jobs_of.values() for job in jobs]:
                improved |= self._relocate(job, jobs_of)
            if not improved:
                return

    def _relocate(self, job, jobs_of):
        """Move ``job`` where it costs fewer km, if such a place exists."""
        key = next(key for key, jobs in jobs_of.items() if job in jobs)
        worker, jobs = self.workers[key], jobs_of[key]
        index = jobs.index(job)
        rest = jobs[:index] + jobs[index + 1 :]
        saving = self.round_km(worker, jobs) - self.round_km(worker, rest)
        jobs_of[key] = rest
        best = self._best_insertion(job, jobs_of, limit=saving)
        if best is None or best[0] >= saving - EPSILON_KM:
            jobs_of[key] = jobs
            return False
        _extra, new_key, new_index = best
        jobs_of[new_key].insert(new_index, job)
        return True

    def _reverse_stretches(self, key, jobs_of):
        """2-opt: reverse a stretch of the round when it saves km and still fits."""
        worker, jobs = self.workers[key], jobs_of[key]
        improved = False
        current = self.round_km(worker, jobs)
        for first in range(len(jobs) - 1):
            for last in range(first + 1, len(jobs)):
                candidate = jobs[:first] + jobs[first : last + 1][::-1] + jobs[last + 1 :]
                distance = self.round_km(worker, candidate)
                if distance < current - EPSILON_KM and self.timetable(worker, candidate) is not None:
                    jobs, current, improved = candidate, distance, True
        jobs_of[key] = jobs
        return improved

    # ------------------------------------------------------------------
    # The plain way, to compare with
    # ------------------------------------------------------------------

    def plan_nearest_free(self, jobs):
        """Earliest deadline first, each visit to the nearest technician who can still
        fit it after their last visit: how a dispatcher fills a board by hand."""
        jobs_of = {key: [] for key in self.workers}
        result = DayPlan()
        for job in sorted(jobs, key=_urgency):
            best = None
            for key in job.candidates:
                worker = self.workers.get(key)
                if worker is None:
                    continue
                rounds = jobs_of[key]
                last = rounds[-1].point if rounds else worker.home
                distance = self.km(last, job.point)
                if best is not None and distance >= best[0]:
                    continue
                if self.timetable(worker, rounds + [job]) is not None:
                    best = (distance, key)
            if best is None:
                result.unplanned[job.key] = NO_ROOM if job.candidates else NO_CANDIDATE
                continue
            jobs_of[best[1]].append(job)
        result.rounds = {key: self.timetable(self.workers[key], jobs) for key, jobs in jobs_of.items() if jobs}
        return result


def _urgency(job):
    return (job.deadline is None, job.deadline or datetime.max, job.key)
