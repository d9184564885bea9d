"""The dispatch rules: who may take a visit, when, and who takes it.

Pure Python, without the ORM: ``aftersales.visit`` reads the facts a decision
needs in a constant number of queries (``_dispatch_engine``) and asks
this module. The same rules serve every path that puts a technician on a visit:

* the check of an assignment made by hand (a form, the board, a booking),
* auto-assign (the visit keeps its time, the best technician takes it),
* Plan a Day (the route optimizer of ``route_planning`` orders the day),
* the free slots offered to the customer on the portal.

A technician may take a visit at a time when, in this order of the reasons given:

1. the technician is of the visit's branch (or one of them has no branch);
2. their skill for the product category and ticket type reaches the level the
   visit type asks for;
3. one of their zones covers the address;
4. the visit starts inside the time agreed with the customer, if any;
5. the visit lies inside one interval of their working time (public holidays are
   already out of it), none of it on their time off;
6. no other visit of theirs overlaps it;
7. the drive from their visit just before that day fits before the start, and the
   drive to their next visit of the day fits after the end; a place without
   coordinates cannot be measured and is not checked (the visit shows the address
   as not located). The first visit of a day may start when their work starts: they
   may leave home earlier. Plan a Day, which chooses the times, lets them leave
   home when their work starts;
8. they have fewer visits than their daily capacity on that day, counted in their
   own time zone.

SLA deadlines give the order: the most urgent visits choose first.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pytz import utc

from .route_planning import DEFAULT_SPEED_KMH, UNKNOWN_DISTANCE_KM, Job, RoutePlanner, Worker, great_circle_km

# reason codes, in the order the rules are checked; the model words them
BRANCH = "branch"
SKILL = "skill"
ZONE = "zone"
WINDOW = "window"
NOT_WORKING = "not_working"
TIME_OFF = "time_off"
BUSY = "busy"
TRAVEL = "travel"
CAPACITY = "capacity"
# which rules do not depend on the time
STATIC_REASONS = (BRANCH, SKILL, ZONE)

# auto-assign weighs kilometres against visits already planned that day and skill levels
WORKLOAD_WEIGHT = 10.0
SKILL_WEIGHT = 5.0


@dataclass(eq=False)
class Booking:
    """A visit a technician already has."""

    key: int
    start: datetime
    end: datetime
    point: tuple | None


@dataclass(eq=False)
class Technician:
    key: int
    tz: object  # a pytz time zone: their day is counted in it
    capacity: int  # visits per day
    branch: int | None = None
    home: tuple | None = None
    work: list = field(default_factory=list)  # sorted (start, end) naive UTC, public holidays out
    time_off: list = field(default_factory=list)  # sorted (start, end) naive UTC
    bookings: list = field(default_factory=list)  # [Booking], kept sorted by start

    def local_day(self, moment):
        return utc.localize(moment).astimezone(self.tz).date()

    def day_bounds(self, day):
        """The technician's local ``day`` as naive UTC (start, end)."""
        start = self.tz.localize(datetime.combine(day, datetime.min.time()))
        end = self.tz.localize(datetime.combine(day + timedelta(days=1), datetime.min.time()))
        return start.astimezone(utc).replace(tzinfo=None), end.astimezone(utc).replace(tzinfo=None)


@dataclass(eq=False)
class Visit:
    key: int
    duration: timedelta
    point: tuple | None = None
    branch: int | None = None
    required_level: int = 0
    levels: dict = field(default_factory=dict)  # technician key -> skill level for this visit
    covered: frozenset = frozenset()  # keys of the technicians whose zones cover the address
    start: datetime | None = None
    window: tuple | None = None  # (earliest, latest) start agreed with the customer, naive UTC
    deadline: datetime | None = None  # the SLA deadline

    @property
    def urgency(self):
        return (self.deadline is None, self.deadline or datetime.max, self.start or datetime.max, self.key)


@dataclass
class Refusal:
    code: str
    km: float | None = None  # TRAVEL: the drive that does not fit
    booking: Booking | None = None  # BUSY, TRAVEL: the visit in the way


@dataclass
class Choice:
    """Auto-assign's decision for one visit: the technician, and why."""

    technician: Technician
    level: int
    km: float | None  # from ``origin``
    origin: Booking | None  # the visit before, None for the home base
    workload: int  # their other visits that day
    score: float
    others: list  # [(score, Technician)] the next best


class DispatchEngine:
    def __init__(self, technicians, speed_kmh=DEFAULT_SPEED_KMH, unknown_km=UNKNOWN_DISTANCE_KM, step=None):
        self.technicians = {technician.key: technician for technician in technicians}
        self.speed_kmh = speed_kmh if speed_kmh and speed_kmh > 0 else DEFAULT_SPEED_KMH
        self.unknown_km = unknown_km
        self.step = step if step is not None else timedelta(minutes=5)
        for technician in technicians:
            technician.bookings.sort(key=lambda booking: booking.start)

    # ------------------------------------------------------------------
    # Measures
    # ------------------------------------------------------------------

    @staticmethod
    def km(origin, destination):
        """Great-circle kilometres, None when a place has no coordinates."""
        return great_circle_km(origin, destination)

    def drive(self, km):
        return timedelta(hours=km / self.speed_kmh) if km else timedelta(0)

    def day_bookings(self, technician, moment):
        day = technician.local_day(moment)
        return [booking for booking in technician.bookings if technician.local_day(booking.start) == day]

    # ------------------------------------------------------------------
    # The rules
    # ------------------------------------------------------------------

    def static_refusal(self, technician, visit):
        """Why ``technician`` may never take ``visit``, whatever the time (a :class:`Refusal`), or None."""
        if visit.branch and technician.branch and visit.branch != technician.branch:
            return Refusal(BRANCH)
        if visit.levels.get(technician.key, 0) < visit.required_level:
            return Refusal(SKILL)
        if technician.key not in visit.covered:
            return Refusal(ZONE)
        return None

    def refusal(self, technician, visit, start, end=None):
        """Why ``technician`` cannot do ``visit`` from ``start`` to ``end`` (the first rule broken), or None."""
        return next(self.refusals(technician, visit, start, end), None)

    def refusals(self, technician, visit, start, end=None):
        """Every rule ``technician`` would break doing ``visit`` from ``start`` to ``end``, in order
        (:class:`Refusal` objects); the time does not matter once a static rule is broken."""
        end = end or start + visit.duration
        reason = self.static_refusal(technician, visit)
        if reason:
            yield reason
            return
        if visit.window and not visit.window[0] <= start <= visit.window[1]:
            yield Refusal(WINDOW)
        work = _interval_at(technician.work, start)
        if work is None or end > work[1]:
            yield Refusal(NOT_WORKING)
        if any(begin < end and start < stop for begin, stop in technician.time_off):
            yield Refusal(TIME_OFF)
        day = self.day_bookings(technician, start)
        for booking in day:
            if booking.start < end and start < booking.end:
                yield Refusal(BUSY, booking=booking)
        before = [booking for booking in day if booking.end <= start]
        after = [booking for booking in day if booking.start >= end]
        if before:
            km = self.km(before[-1].point, visit.point)
            if before[-1].end + self.drive(km) > start:
                yield Refusal(TRAVEL, km=km, booking=before[-1])
        if after:
            km = self.km(visit.point, after[0].point)
            if end + self.drive(km) > after[0].start:
                yield Refusal(TRAVEL, km=km, booking=after[0])
        if len(day) >= technician.capacity:
            yield Refusal(CAPACITY)

    def book(self, technician, visit, start, end=None):
        booking = Booking(visit.key, start, end or start + visit.duration, visit.point)
        index = bisect_right([b.start for b in technician.bookings], booking.start)
        technician.bookings.insert(index, booking)
        return booking

    def candidates(self, visit):
        """The technicians the static rules allow, and the refusals of the others."""
        allowed, refused = [], []
        for technician in self.technicians.values():
            reason = self.static_refusal(technician, visit)
            if reason:
                refused.append((technician, reason))
            else:
                allowed.append(technician)
        return allowed, refused

    # ------------------------------------------------------------------
    # Auto-assign: the visit keeps its time
    # ------------------------------------------------------------------

    def choose(self, visit, start, end=None):
        """The best technician for ``visit`` at its time, booked, as a :class:`Choice`; or the list of
        ``(technician, refusal)`` when nobody fits.

        The best has the lowest score: kilometres from the previous stop of the day (or the home base;
        an unknown distance counts ``unknown_km``), plus ``WORKLOAD_WEIGHT`` per visit they already have
        that day, minus ``SKILL_WEIGHT`` per skill level.
        """
        end = end or start + visit.duration
        scored, refusals = [], []
        for technician in self.technicians.values():
            reason = self.refusal(technician, visit, start, end)
            if reason:
                refusals.append((technician, reason))
                continue
            day = self.day_bookings(technician, start)
            before = [booking for booking in day if booking.end <= start]
            origin = before[-1] if before else None
            km = self.km(origin.point if origin else technician.home, visit.point)
            level = visit.levels.get(technician.key, 0)
            score = (km if km is not None else self.unknown_km) + WORKLOAD_WEIGHT * len(day) - SKILL_WEIGHT * level
            scored.append((score, technician.key, technician, level, km, origin, len(day)))
        if not scored:
            return refusals
        scored.sort(key=lambda item: item[:2])
        score, _key, technician, level, km, origin, workload = scored[0]
        self.book(technician, visit, start, end)
        others = [(item[0], item[2]) for item in scored[1:4]]
        return Choice(technician, level, km, origin, workload, score, others)

    # ------------------------------------------------------------------
    # Free slots: when could the visit be, and with whom
    # ------------------------------------------------------------------

    def free_slots(self, visit, first, last, step):
        """``{start: [technicians]}``: the starts every ``step`` from the beginning of each working
        interval, between ``first`` and ``last`` (the visit ending by then), where a technician may
        take the visit; the least loaded of the day first."""
        slots = {}
        for technician in self.technicians.values():
            if self.static_refusal(technician, visit):
                continue
            for begin, stop in technician.work:
                start = begin
                if start < first:
                    start += step * -((begin - first) // step)
                while start + visit.duration <= min(stop, last):
                    if not self.refusal(technician, visit, start):
                        slots.setdefault(start, []).append(technician)
                    start += step
        for start, technicians in slots.items():
            technicians.sort(key=lambda t, s=start: (len(self.day_bookings(t, s)), t.key))
        return dict(sorted(slots.items()))

    # ------------------------------------------------------------------
    # Plan a Day: the route optimizer orders the technicians' days
    # ------------------------------------------------------------------

    def working_time(self, technician, start, end):
        """How long ``technician`` works between ``start`` and ``end`` (naive UTC): working time
        without public holidays and time off, visits included."""
        work = [(max(begin, start), min(stop, end)) for begin, stop in technician.work if begin < end and stop > start]
        return sum((stop - begin for begin, stop in _subtract(work, technician.time_off)), timedelta(0))

    def day_problem(self, visits, day):
        """The workers and jobs of ``day`` (a date, in each technician's time zone) for
        :class:`RoutePlanner`: each technician's free time that day (working time without time off
        and their visits), their visits as bookings the travel must respect, the capacity left;
        each visit with the technicians the static rules allow and its agreed time."""
        workers = []
        for technician in self.technicians.values():
            day_start, day_end = technician.day_bounds(day)
            bookings = [b for b in technician.bookings if b.start < day_end and b.end > day_start]
            busy = sorted([(b.start, b.end) for b in bookings] + list(technician.time_off))
            work = [
                (max(start, day_start), min(end, day_end))
                for start, end in technician.work
                if start < day_end and end > day_start
            ]
            workers.append(
                Worker(
                    key=technician.key,
                    home=technician.home,
                    free=_subtract(work, busy),
                    capacity=max(technician.capacity - len(bookings), 0),
                    bookings=[(b.start, b.end, b.point) for b in bookings],
                )
            )
        jobs = [
            Job(
                key=visit.key,
                point=visit.point,
                duration=visit.duration,
                candidates=tuple(t.key for t in self.candidates(visit)[0]),
                deadline=visit.deadline,
                window=visit.window,
            )
            for visit in sorted(visits, key=lambda v: v.urgency)
        ]
        return workers, jobs

    def plan_day(self, visits, day, time_limit=0.3):
        """A :class:`~route_planning.DayPlan` of ``visits`` on ``day``, booked in the engine (so that
        the next day or the next batch sees them)."""
        workers, jobs = self.day_problem(visits, day)
        planner = RoutePlanner(
            workers, speed_kmh=self.speed_kmh, unknown_km=self.unknown_km, step=self.step, time_limit=time_limit
        )
        plan = planner.plan(jobs)
        by_key = {visit.key: visit for visit in visits}
        for key, stops in plan.rounds.items():
            for stop in stops:
                self.book(self.technicians[key], by_key[stop.job.key], stop.start, stop.end)
        return plan


def partner_point(partner):
    """A partner's ``(latitude, longitude)``; None without coordinates (both 0)."""
    if not partner or (partner.partner_latitude == partner.partner_longitude == 0.0):
        return None
    return (partner.partner_latitude, partner.partner_longitude)


def _interval_at(intervals, moment):
    """The interval of sorted ``intervals`` holding ``moment`` (start included), or None."""
    index = bisect_right([start for start, _end in intervals], moment) - 1
    if index >= 0 and intervals[index][0] <= moment < intervals[index][1]:
        return intervals[index]
    return None


def _subtract(intervals, busy):
    """``intervals`` without the ``busy`` ones; both sorted lists of (start, end)."""
    free = []
    for start, end in intervals:
        for busy_start, busy_end in busy:
            if busy_end <= start or busy_start >= end:
                continue
            if busy_start > start:
                free.append((start, busy_start))
            start = max(start, busy_end)
        if start < end:
            free.append((start, end))
    return free
