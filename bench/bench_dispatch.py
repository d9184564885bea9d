"""Benchmark of the day planner: a week of visits; runs inside Odoo.

``bench/run dispatch`` starts this script with Odoo's Python on a database where
``aftersales_service`` is installed without demo data. In one transaction, rolled
back at the end, it creates a service company's week: ``--zones`` zones (postal code
ranges around a town, 60 to 120 km apart), ``--technicians`` technicians spread over
them (home bases, skills by product category at levels 1 to 3, a few covering a
neighbouring zone, a few with a day of leave, daily capacities of 5 or 6), and
``--visits`` draft visits of every type for customers scattered around the towns,
spread over the five working days, with SLA deadlines from the tickets' priorities.

Then, as a dispatcher (access rights and record rules apply):

* **plan**: ``_plan_days`` on all the visits at once: time, SQL queries
  (flush included), growth of the resident set size, kilometres;
* **naive**: the same visits, day by day, given in order of SLA deadline to the
  nearest technician who can still fit them after their last visit (what a person
  does on a board), computed from the same inputs;
* **peer**: the same days planned by OR-Tools (when installed), under the same rules
  and in the time the day planner took, to compare the kilometres with;
* **check**: an independent check of the plans, written for this benchmark from
  the records themselves: skill and level, zone, working hours and leaves (Odoo's
  own calendar API), no overlap including the travel between visits, daily
  capacity, each visit on its day.

Results as JSON to ``--output`` and a table on the console.
"""

import argparse
import json
import math
import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta

from pytz import timezone, utc

import odoo
import odoo.service.server
from odoo import Command
from odoo.modules.registry import Registry
from odoo.tools import config

from bench_tickets import log, peak_rss_mb, reset_peak_rss, user_env

SEED = 20261122
MONDAY = date(2027, 3, 1)  # a week without public holidays
TZ = "Europe/Brussels"
SPEED_KMH = 40.0  # the module's default travel speed
KM_PER_DEGREE = 111.2
TOWNS = [  # (name, latitude, longitude): Belgian towns 60 to 120 km apart
    ("Brussels", 50.85, 4.35),
    ("Ghent", 51.05, 3.72),
    ("Antwerp", 51.22, 4.40),
    ("Liège", 50.63, 5.57),
    ("Namur", 50.47, 4.87),
    ("Bruges", 51.21, 3.22),
    ("Hasselt", 50.93, 5.34),
    ("Mons", 50.45, 3.95),
]
CATEGORIES = ["Washers", "Dryers", "Ovens"]
WINDOW_SHARE = 0.2  # visits with an arrival time agreed with the customer
TARGETS = {"seconds": 5.0, "travel_ratio": 0.85, "violations": 0}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-arg", action="append", default=[], help="passed to Odoo's config")
    parser.add_argument("--visits", type=int, default=1000)
    parser.add_argument("--technicians", type=int, default=50)
    parser.add_argument("--zones", type=int, default=5)
    parser.add_argument("--output", required=True)
    return parser.parse_args(argv)


def around(rng, lat, lon, radius_km):
    """A random point within ``radius_km`` of (lat, lon), uniform over the disc."""
    distance = radius_km * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    dlat = distance * math.cos(angle) / KM_PER_DEGREE
    dlon = distance * math.sin(angle) / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def km(origin, destination):
    """Great-circle distance, written here again so that the check owes nothing to the module."""
    if origin is None or destination is None:
        return 100.0
    lat1, lon1, lat2, lon2 = map(math.radians, (*origin, *destination))
    chord = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(chord)))


# --------------------------------------------------------------------------
# The week to plan
# --------------------------------------------------------------------------


def create_week(env, args):
    rng = random.Random(SEED)
    belgium = env.ref("base.be")
    env["aftersales.technician"].search([]).active = False
    calendar = env["resource.calendar"].create(
        {
            "name": "Bench 8-17",
            "tz": TZ,
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"{day} {period}",
                        "dayofweek": str(day),
                        "hour_from": start,
                        "hour_to": stop,
                        "day_period": period,
                    }
                )
                for day in range(5)
                for start, stop, period in ((8.0, 12.0, "morning"), (13.0, 17.0, "afternoon"))
            ],
        }
    )
    categories = env["product.category"].create([{"name": f"Bench {name}"} for name in CATEGORIES])
    products = env["product.product"].create(
        [
            {"name": f"Bench {name[:-1]}", "categ_id": category.id, "type": "consu"}
            for name, category in zip(CATEGORIES, categories, strict=True)
        ]
    )
    towns = TOWNS[: args.zones]
    zones = env["aftersales.zone"].create(
        [
            {
                "name": f"Bench {name}",
                "country_ids": [Command.set(belgium.ids)],
                "zip_from": f"{index + 1}000",
                "zip_to": f"{index + 1}999",
            }
            for index, (name, _lat, _lon) in enumerate(towns)
        ]
    )
    # two branches: the towns alternate between them, each with its team and technicians
    branches = env["aftersales.branch"].create(
        [{"name": f"Bench branch {code}", "code": f"BB{code}"} for code in "AB"]
    )
    teams = env["aftersales.team"].create(
        [
            {"name": f"Bench field service {branch.code}", "branch_id": branch.id}
            for branch in branches
        ]
    )
    env["aftersales.sla.policy"].search([]).active = False
    env["aftersales.sla.policy"].create(
        [
            {
                "name": f"Bench P{priority} {team.name}",
                "sequence": 10 - int(priority),
                "team_id": team.id,
                "priority": priority,
                "calendar_id": calendar.id,
                "response_hours": 2.0,
                "resolution_hours": hours,
            }
            for priority, hours in (("0", 40.0), ("1", 24.0), ("2", 16.0), ("3", 8.0))
            for team in teams
        ]
    )
    # technicians, evenly over the zones
    users = env["res.users"].create(
        [
            {
                "name": f"Bench Technician {index:03d}",
                "login": f"bench_tech_{index:03d}",
                "groups_id": [
                    Command.set(
                        [env.ref("aftersales_service.aftersales_service_group_technician").id]
                    )
                ],
            }
            for index in range(args.technicians)
        ]
    )
    technician_vals = []
    leave_calendars = []
    for index, user in enumerate(users):
        zone_index = index % len(towns)
        _name, lat, lon = towns[zone_index]
        home_lat, home_lon = around(rng, lat, lon, 15.0)
        home = env["res.partner"].create(
            {
                "name": f"Base of {user.name}",
                "partner_latitude": home_lat,
                "partner_longitude": home_lon,
            }
        )
        zone_ids = [zones[zone_index].id]
        if index % 7 == 3:  # some cover the next zone too
            zone_ids.append(zones[(zone_index + 1) % len(zones)].id)
        skills = [
            Command.create({"product_category_id": category.id, "level": str(rng.choice("1223"))})
            for category in categories
            if rng.random() < 0.8
        ] or [Command.create({"product_category_id": categories[0].id, "level": "2"})]
        technician_calendar = calendar
        if index % 10 == 5:  # a day of leave during the week
            technician_calendar = calendar.copy({"name": f"Bench 8-17 of {user.name}"})
            leave_calendars.append((technician_calendar, index % 5))
        technician_vals.append(
            {
                "user_id": user.id,
                "home_partner_id": home.id,
                "zone_ids": [Command.set(zone_ids)],
                "skill_ids": skills,
                "resource_calendar_id": technician_calendar.id,
                "daily_capacity": 5 if index % 3 == 0 else 6,
                "branch_id": branches[zone_index % 2].id,
            }
        )
    technicians = env["aftersales.technician"].create(technician_vals)
    tz = timezone(TZ)
    for leave_calendar, weekday in leave_calendars:
        day = MONDAY + timedelta(days=weekday)
        env["resource.calendar.leaves"].create(
            {
                "name": "Day off",
                "calendar_id": leave_calendar.id,
                "date_from": tz.localize(datetime.combine(day, datetime.min.time()))
                .astimezone(utc)
                .replace(tzinfo=None),
                "date_to": tz.localize(datetime.combine(day, datetime.max.time()))
                .astimezone(utc)
                .replace(tzinfo=None, microsecond=0),
            }
        )
    # customers, tickets and visits
    visit_types = [
        env.ref(f"aftersales_service.visit_type_{name}")
        for name in ("installation", "repair", "maintenance", "inspection", "follow_up")
    ]
    for visit_type in visit_types:
        visit_type.skill_level = "1" if visit_type.default_duration < 1.5 else "2"
    customer_vals, ticket_vals, visit_days, customer_zones = [], [], [], []
    for index in range(args.visits):
        zone_index = rng.randrange(len(towns))
        customer_zones.append(zone_index)
        _name, lat, lon = towns[zone_index]
        customer_lat, customer_lon = around(rng, lat, lon, 25.0)
        customer_vals.append(
            {
                "name": f"Bench Customer {index:04d}",
                "zip": f"{zone_index + 1}{rng.randrange(1000):03d}",
                "country_id": belgium.id,
                "partner_latitude": customer_lat,
                "partner_longitude": customer_lon,
            }
        )
        visit_days.append(MONDAY + timedelta(days=index % 5))
    customers = env["res.partner"].create(customer_vals)
    for index, customer in enumerate(customers):
        request = datetime.combine(visit_days[index], datetime.min.time()) - timedelta(
            hours=rng.randrange(8, 72)
        )
        ticket_vals.append(
            {
                "name": f"Bench request {index}",
                "partner_id": customer.id,
                "product_id": products[index % 3].id,
                "team_id": teams[customer_zones[index] % 2].id,
                "priority": rng.choice("0112233"),
                "request_date": request,
            }
        )
    tickets = env["aftersales.ticket"].create(ticket_vals)
    visit_vals = []
    for index, ticket in enumerate(tickets):
        day_start = datetime.combine(visit_days[index], datetime.min.time())
        vals = {
            "ticket_id": ticket.id,
            "visit_type_id": rng.choice(visit_types).id,
            "scheduled_start": tz.localize(day_start.replace(hour=8))
            .astimezone(utc)
            .replace(tzinfo=None),
        }
        if rng.random() < WINDOW_SHARE:
            # the customer agreed on an arrival between 8 and 10, 10 and 12, 13 and 15
            begin = rng.choice((8, 10, 13))
            vals["window_start"] = (
                tz.localize(day_start.replace(hour=begin)).astimezone(utc).replace(tzinfo=None)
            )
            vals["window_end"] = vals["window_start"] + timedelta(hours=2)
            vals["scheduled_start"] = vals["window_start"]
        visit_vals.append(vals)
    visits = env["aftersales.visit"].create(visit_vals)
    env.flush_all()
    return technicians, visits, visit_days


# --------------------------------------------------------------------------
# The independent check
# --------------------------------------------------------------------------


def check(env, assignments, technicians, visits, visit_days):
    """Rules broken by ``assignments``: {visit id: (technician id, start, end)} in naive UTC."""
    tz = timezone(TZ)
    violations = defaultdict(int)
    tech_data = {
        t["id"]: t
        for t in technicians.read(
            [
                "active",
                "branch_id",
                "zone_ids",
                "resource_calendar_id",
                "daily_capacity",
                "home_partner_id",
                "skill_ids",
            ]
        )
    }
    skills = {
        s["id"]: s
        for s in env["aftersales.technician.skill"].search_read(
            [("technician_id", "in", technicians.ids)],
            ["product_category_id", "ticket_type_id", "level"],
        )
    }
    zones = {
        z["id"]: z
        for z in env["aftersales.zone"].search_read([], ["country_ids", "zip_from", "zip_to"])
    }
    partner_ids = set(visits.partner_id.ids) | set(technicians.home_partner_id.ids)
    partners = {
        p["id"]: p
        for p in env["res.partner"]
        .browse(partner_ids)
        .read(["zip", "country_id", "partner_latitude", "partner_longitude"])
    }
    point = {pid: (p["partner_latitude"], p["partner_longitude"]) for pid, p in partners.items()}
    week_start = tz.localize(datetime.combine(MONDAY, datetime.min.time()))
    week_end = week_start + timedelta(days=7)
    work = {}
    for calendar in technicians.resource_calendar_id:
        work[calendar.id] = [
            (a.astimezone(utc).replace(tzinfo=None), b.astimezone(utc).replace(tzinfo=None))
            for a, b, _m in calendar._work_intervals_batch(week_start, week_end)[False]
        ]
    rows = {
        v["id"]: v
        for v in visits.read(
            ["partner_id", "visit_type_id", "ticket_id", "branch_id", "window_start", "window_end"]
        )
    }
    visit_levels = {t.id: int(t.skill_level) for t in visits.visit_type_id}
    categories = {t.id: t.product_id.categ_id for t in visits.ticket_id}
    ticket_types = {t.id: t.ticket_type_id.id for t in visits.ticket_id}
    day_of = dict(zip(visits.ids, visit_days, strict=True))
    by_tech_day = defaultdict(list)
    for visit_id, (tech_id, start, end) in assignments.items():
        tech, row = tech_data[tech_id], rows[visit_id]
        partner = partners[row["partner_id"][0]]
        if not tech["active"]:
            violations["inactive technician"] += 1
        category = categories[row["ticket_id"][0]]
        level = max(
            (
                int(skills[s]["level"])
                for s in tech["skill_ids"]
                if (
                    not skills[s]["product_category_id"]
                    or skills[s]["product_category_id"][0]
                    in [int(c) for c in category.parent_path.split("/")[:-1]]
                )
                and (
                    not skills[s]["ticket_type_id"]
                    or skills[s]["ticket_type_id"][0] == ticket_types[row["ticket_id"][0]]
                )
            ),
            default=0,
        )
        if level < visit_levels[row["visit_type_id"][0]]:
            violations["skill"] += 1
        if row["branch_id"] and tech["branch_id"] and row["branch_id"] != tech["branch_id"]:
            violations["branch"] += 1
        if row["window_start"] and not row["window_start"] <= start <= row["window_end"]:
            violations["agreed time"] += 1
        zip_code = partner["zip"] or ""
        if not any(
            (
                not zones[z]["country_ids"]
                or (partner["country_id"] and partner["country_id"][0] in zones[z]["country_ids"])
            )
            and (not zones[z]["zip_from"] or zip_code >= zones[z]["zip_from"])
            and (not zones[z]["zip_to"] or zip_code <= zones[z]["zip_to"])
            for z in tech["zone_ids"]
        ):
            violations["zone"] += 1
        if not any(a <= start and end <= b for a, b in work[tech["resource_calendar_id"][0]]):
            violations["working hours or leave"] += 1
        if utc.localize(start).astimezone(tz).date() != day_of[visit_id]:
            violations["wrong day"] += 1
        if end <= start:
            violations["ends before it starts"] += 1
        by_tech_day[tech_id, day_of[visit_id]].append((start, end, row["partner_id"][0]))
    travel = 0.0
    for (tech_id, _day), stops in by_tech_day.items():
        tech = tech_data[tech_id]
        if len(stops) > tech["daily_capacity"]:
            violations["capacity"] += 1
        stops.sort()
        previous = point[tech["home_partner_id"][0]]
        day_begin = min(
            (a for a, b in work[tech["resource_calendar_id"][0]] if a.date() == stops[0][0].date()),
            default=stops[0][0],
        )
        previous_end = day_begin
        for start, end, partner_id in stops:
            distance = km(previous, point[partner_id])
            travel += distance
            if start < previous_end + timedelta(hours=distance / SPEED_KMH) - timedelta(seconds=1):
                violations["overlap or no time to travel"] += 1
            previous, previous_end = point[partner_id], end
    return dict(violations), travel


# --------------------------------------------------------------------------
# The peer solver
# --------------------------------------------------------------------------


def ortools_installed():
    try:
        from ortools.constraint_solver import pywrapcp  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def ortools_day(planner, jobs, seconds):
    """OR-Tools' plan of one day under the planner's rules: {job key: (worker, start, end)}.

    Each worker starts from home when its working time starts and drives to its visits
    (no way back), each visit inside one interval of the worker's free time (the gaps
    are breaks no visit may overlap), among the visit's candidates, within the daily
    capacity, starting inside the arrival agreed with the customer; distances from the
    planner (``planner.km``), in metres.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2  # noqa: PLC0415

    workers = [worker for worker in planner.workers.values() if worker.free]
    if not workers or not jobs:
        return {}
    origin = min(worker.free[0][0] for worker in workers)

    def second(moment):
        return int((moment - origin).total_seconds())

    count = len(workers)
    # nodes: the homes, one end where every round stops for free, then the jobs
    places = [worker.home for worker in workers] + [None] + [job.point for job in jobs]
    service = [0] * (count + 1) + [int(job.duration.total_seconds()) for job in jobs]
    size, end = len(places), count
    metres = [
        [
            0 if end in (a, b) else round(1000 * planner.km(places[a], places[b]))
            for b in range(size)
        ]
        for a in range(size)
    ]
    per_metre = 3.6 / planner.speed_kmh  # seconds per metre
    manager = pywrapcp.RoutingIndexManager(size, count, list(range(count)), [end] * count)
    routing = pywrapcp.RoutingModel(manager)

    def distance(i, j):
        return metres[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def duration(i, j):
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return service[a] + math.ceil(metres[a][b] * per_metre)

    def demand(i):
        node = manager.IndexToNode(i)
        return jobs[node - count - 1].demand if node > count else 0

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(distance))
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitCallback(demand),
        0,
        [worker.capacity for worker in workers],
        True,
        "load",
    )
    horizon = max(second(worker.free[-1][1]) for worker in workers)
    routing.AddDimension(routing.RegisterTransitCallback(duration), horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    visit = [service[manager.IndexToNode(index)] for index in range(routing.Size())]
    solver = routing.solver()
    for v, worker in enumerate(workers):
        begin, finish = second(worker.free[0][0]), second(worker.free[-1][1])
        clock.CumulVar(routing.Start(v)).SetRange(begin, finish)
        clock.CumulVar(routing.End(v)).SetRange(begin, finish)
        gaps = [
            solver.FixedDurationIntervalVar(
                second(stop), second(stop), second(start) - second(stop), False, f"gap {v} {k}"
            )
            for k, ((_a, stop), (start, _b)) in enumerate(
                zip(worker.free, worker.free[1:], strict=False)
            )
        ]
        if gaps:
            clock.SetBreakIntervalsOfVehicle(gaps, v, visit)
    index_of = {worker.key: v for v, worker in enumerate(workers)}
    dropped = 1000 * max(max(row) for row in metres) + 1
    for position, job in enumerate(jobs):
        index = manager.NodeToIndex(count + 1 + position)
        allowed = [index_of[key] for key in job.candidates if key in index_of]
        routing.AddDisjunction([index], dropped)
        routing.VehicleVar(index).SetValues([-1, *allowed])  # -1: left out
        if job.window:  # the arrival agreed with the customer
            clock.CumulVar(index).SetRange(second(job.window[0]), second(job.window[1]))
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(max(int(seconds * 1000), 100))
    solution = routing.SolveWithParameters(parameters)
    plan = {}
    if solution is None:
        return plan
    for v, worker in enumerate(workers):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            job = jobs[manager.IndexToNode(index) - count - 1]
            start = origin + timedelta(seconds=solution.Value(clock.CumulVar(index)))
            plan[job.key] = (worker.key, start, start + job.duration)
            index = solution.Value(routing.NextVar(index))
    return plan


# --------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------


def main(argv):
    args = parse_args(argv)
    config.parse_config(["--database", args.db, *args.odoo_arg], setup_logging=True)
    odoo.service.server.load_server_wide_modules()
    registry = Registry(args.db)
    from odoo.addons.aftersales_service.tools.route_planning import RoutePlanner  # noqa: PLC0415

    with registry.cursor() as cr:
        env = user_env(cr)
        log(
            f"creating a week of {args.visits} visits, "
            f"{args.technicians} technicians, {args.zones} zones"
        )
        technicians, visits, visit_days = create_week(env, args)
        dispatcher = env["res.users"].create(
            {
                "name": "Bench Dispatcher",
                "login": "bench_dispatcher",
                "tz": TZ,
                "groups_id": [
                    Command.set(
                        [env.ref("aftersales_service.aftersales_service_group_dispatcher").id]
                    )
                ],
            }
        )
        env.flush_all()
        denv = env(user=dispatcher.id, context=dict(env.context, tz=TZ))
        visits, technicians = visits.with_env(denv), technicians.with_env(denv)

        # the naive plan, from the same inputs, day by day
        log("naive plan: nearest free technician")
        tz = timezone(TZ)
        naive, naive_seconds, naive_unplanned, days = {}, 0.0, 0, []
        week_start = (
            tz.localize(datetime.combine(MONDAY, datetime.min.time()))
            .astimezone(utc)
            .replace(tzinfo=None)
        )
        engine = visits._dispatch_engine(technicians, week_start, week_start + timedelta(days=5))
        facts = visits._dispatch_visits(technicians)
        for offset in range(5):
            day = MONDAY + timedelta(days=offset)
            day_visits = visits.filtered(
                lambda v, d=day: utc.localize(v.scheduled_start).astimezone(tz).date() == d
            )
            workers, jobs = engine.day_problem([facts[v.id] for v in day_visits], day)
            days.append((workers, jobs))
            started = time.perf_counter()
            plan = RoutePlanner(workers, speed_kmh=SPEED_KMH).plan_nearest_free(jobs)
            naive_seconds += time.perf_counter() - started
            naive_unplanned += len(plan.unplanned)
            for tech_id, stops in plan.rounds.items():
                for stop in stops:
                    naive[stop.job.key] = (tech_id, stop.start, stop.end)

        log("our plan: _plan_days on the whole week")
        denv.invalidate_all()
        memory_before = reset_peak_rss()
        queries_before = cr.sql_log_count
        started = time.perf_counter()
        planned = visits._plan_days()
        denv.flush_all()
        seconds = time.perf_counter() - started
        queries = cr.sql_log_count - queries_before
        memory = peak_rss_mb() - memory_before
        ours = {v.id: (v.technician_id.id, v.scheduled_start, v.scheduled_end) for v in planned}

        # the peer solver, from the same inputs, day by day, in the time our week took
        peer, peer_seconds = None, 0.0
        if ortools_installed():
            log("peer plan: OR-Tools, day by day, as long as ours took")
            peer = {}
            for workers, jobs in days:
                started = time.perf_counter()
                peer.update(
                    ortools_day(RoutePlanner(workers, speed_kmh=SPEED_KMH), jobs, seconds / 5)
                )
                peer_seconds += time.perf_counter() - started
        else:
            log("peer plan skipped: OR-Tools is not installed (pip install ortools)")

        log("checking the plans")
        ours_violations, ours_km = check(env, ours, technicians.sudo(), visits.sudo(), visit_days)
        naive_violations, naive_km = check(
            env, naive, technicians.sudo(), visits.sudo(), visit_days
        )
        if peer is not None:
            peer_violations, peer_km = check(
                env, peer, technicians.sudo(), visits.sudo(), visit_days
            )
        cr.rollback()

    results = {
        "database": args.db,
        "odoo_version": odoo.release.version,
        "python": sys.version.split()[0],
        "visits": args.visits,
        "technicians": args.technicians,
        "zones": args.zones,
        "plan": {
            "seconds": seconds,
            "queries": queries,
            "queries_per_visit": queries / args.visits,
            "peak_memory_mb": memory,
            "planned": len(ours),
            "km": ours_km,
            "km_per_visit": ours_km / max(len(ours), 1),
            "violations": ours_violations,
        },
        "naive": {
            "seconds": naive_seconds,
            "planned": len(naive),
            "unplanned": naive_unplanned,
            "km": naive_km,
            "km_per_visit": naive_km / max(len(naive), 1),
            "violations": naive_violations,
        },
    }
    if peer is not None:
        results["peer"] = {
            "solver": "OR-Tools (guided local search)",
            "seconds": peer_seconds,
            "planned": len(peer),
            "km": peer_km,
            "km_per_visit": peer_km / max(len(peer), 1),
            "violations": peer_violations,
        }
        results["travel_per_visit_vs_peer"] = (
            results["plan"]["km_per_visit"] / results["peer"]["km_per_visit"] if peer_km else None
        )
    results["travel_ratio"] = ours_km / naive_km if naive_km else None
    results["travel_per_visit_ratio"] = (
        results["plan"]["km_per_visit"] / results["naive"]["km_per_visit"] if naive_km else None
    )
    results["targets"] = {
        "seconds": {
            "target": TARGETS["seconds"],
            "value": seconds,
            "met": seconds <= TARGETS["seconds"],
        },
        "travel_ratio": {
            "target": TARGETS["travel_ratio"],
            "value": results["travel_ratio"],
            "met": results["travel_ratio"] is not None
            and results["travel_ratio"] <= TARGETS["travel_ratio"]
            and len(ours) >= len(naive),
        },
        "violations": {
            "target": 0,
            "value": sum(ours_violations.values()),
            "met": not ours_violations,
        },
    }
    results["all_targets_met"] = all(t["met"] for t in results["targets"].values())
    with open(args.output, "w", encoding="utf-8") as output:
        json.dump(results, output, indent=2, default=str)
    odoo.sql_db.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
