"""Benchmark of service tickets beside Odoo's own repair orders and OCA's helpdesk tickets;
runs inside Odoo.

``bench/run`` starts this script with Odoo's Python on a database where
``aftersales_service`` and ``repair`` are installed without demo data (and OCA's
``helpdesk_mgmt`` when its wheel could be installed, see ``bench/peers.py``). It creates
realistic fixtures (committed), warms the caches up, then measures:

* ``create``: N tickets, N repair orders and N ``helpdesk.ticket`` (when ``helpdesk_mgmt``
  is installed) created in batches of each size, each by a user of its own role with the
  minimum groups (after-sales user, inventory user, helpdesk user), the models taking
  turns batch by batch so that all see the same load of the machine.
  One batch is one transaction: ``create``, flush and pre-commit hooks (what a commit
  runs), then an empty cache for the next batch. The scenario is rolled back. The
  memory is measured apart: one batch of each model, alone in its process.
* ``acknowledgements``: the scheduled action that e-mails the acknowledgement of each new ticket,
  over the N open tickets created for the next scenario, called like ``ir.cron`` does until none is
  left pending.
* ``cron``: the SLA escalation cron over N open tickets whose deadlines passed four
  weeks ago, called like ``ir.cron`` does (one batch per call, a commit after each
  call) until it escalates nothing, then once more.

Each scenario runs in a forked child process, so that it starts from the same warm
state and its memory (growth of the resident set size) is its own. Queries are counted
with the cursor's ``sql_log_count`` and classified by statement and table through the
thread's ``query_hooks``. The results are written as JSON to ``--output``.
"""

import argparse
import gc
import json
import os
import random
import re
import resource
import sys
import threading
import time
import traceback
from collections import Counter
from datetime import datetime, timedelta

import odoo
import odoo.service.server
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry
from odoo.tools import config

TICKET_MODEL = "aftersales.ticket"
REPAIR_MODEL = "repair.order"
HELPDESK_MODEL = "helpdesk.ticket"  # OCA's helpdesk_mgmt, the peer
# who creates each model: a user with only the group of that role (base.group_user implied)
ROLE_GROUPS = {
    TICKET_MODEL: "aftersales_service.aftersales_service_group_user",
    REPAIR_MODEL: "stock.group_stock_user",
    HELPDESK_MODEL: "helpdesk_mgmt.group_helpdesk_user",
}
# our channels as helpdesk_mgmt's channels
HELPDESK_CHANNELS = {
    "phone": "helpdesk_mgmt.helpdesk_ticket_channel_phone",
    "email": "helpdesk_mgmt.helpdesk_ticket_channel_email",
    "portal": "helpdesk_mgmt.helpdesk_ticket_channel_web",
    "web": "helpdesk_mgmt.helpdesk_ticket_channel_web",
    "walk_in": "helpdesk_mgmt.helpdesk_ticket_channel_other",
}
SEED = 20260601
# Four weeks: the weekdays, hence the working hours, of the shifted dates stay the same.
TIME_TRAVEL = timedelta(days=28)

SUBJECTS = [
    "Machine does not drain",
    "Door seal leaks water",
    "Error E21 on the display",
    "Loud noise while spinning",
    "Does not heat the water",
    "Installation of the new unit",
    "Yearly maintenance visit",
    "Drum does not turn",
    "Power button unresponsive",
    "Question about the warranty",
]
PRODUCT_NAMES = [
    "Washing Machine WM-7",
    "Dryer DR-3",
    "Dishwasher DW-5",
    "Fridge FR-9",
    "Oven OV-2",
]
# priority: weight
TICKET_PRIORITIES = {"0": 15, "1": 55, "2": 20, "3": 10}
CHANNELS = ["phone", "email", "portal", "web", "walk_in"]

STATEMENT_RE = re.compile(
    r"""^\s*(?:
        (?P<select>SELECT)\b.*?\bFROM\s+"?(?P<from>\w+)
        | (?P<insert>INSERT)\s+INTO\s+"?(?P<into>\w+)
        | (?P<update>UPDATE)\s+"?(?P<updated>\w+)
        | (?P<delete>DELETE)\s+FROM\s+"?(?P<deleted>\w+)
    )""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
FUNCTION_RE = re.compile(r"^\s*SELECT\s+\(?\s*(\w+)\s*\(", re.IGNORECASE)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-arg", action="append", default=[], help="passed to Odoo's config")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--batches", default="1,100,1000")
    parser.add_argument(
        "--single-count",
        type=int,
        default=0,
        help="records created one at a time (batch size 1); 0: --count",
    )
    parser.add_argument(
        "--cron-count", type=int, default=0, help="open tickets for the cron; 0: --count"
    )
    parser.add_argument("--cron-batch", type=int, default=500, help="batch_size of each cron call")
    parser.add_argument("--output", required=True)
    return parser.parse_args(argv)


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


def classify(query):
    """``"INSERT mail_message"``, ``"SELECT res_partner"``...: what a query does, to what."""
    if isinstance(query, bytes):
        query = query.decode(errors="replace")
    match = STATEMENT_RE.match(query[:2000])
    if not match:
        function = FUNCTION_RE.match(query)
        if function:  # SELECT nextval('ir_sequence_042'), SELECT (now() AT TIME ZONE 'UTC')...
            return f"SELECT {function[1]}()"
        return query.split(None, 1)[0].upper() if query.strip() else "?"
    for verb, table in (
        ("select", "from"),
        ("insert", "into"),
        ("update", "updated"),
        ("delete", "deleted"),
    ):
        if match[verb]:
            return f"{verb.upper()} {match[table]}"
    return "?"


class Meter:
    """Time, queries (by kind) and memory of the sections run in ``with meter:``, added up
    over every time it is entered. The memory is the largest growth of the resident set
    size during one section (``memory=False``: not measured)."""

    def __init__(self, cr, memory=True):
        self.cr = cr
        self.memory = memory
        self.kinds = Counter()
        self.seconds = 0.0
        self.queries = 0
        self.peak_mb = 0.0

    def _hook(self, cr, query, params, start, delay):
        self.kinds[classify(query)] += 1

    def __enter__(self):
        self._rss_start = reset_peak_rss() if self.memory else 0.0
        thread = threading.current_thread()
        self._old_hooks = getattr(thread, "query_hooks", ())
        thread.query_hooks = (*self._old_hooks, self._hook)
        self._queries_start = self.cr.sql_log_count
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds += time.perf_counter() - self._start
        self.queries += self.cr.sql_log_count - self._queries_start
        threading.current_thread().query_hooks = self._old_hooks
        if self.memory:
            self.peak_mb = max(self.peak_mb, peak_rss_mb() - self._rss_start)
        return False

    def result(self, records):
        return {
            "records": records,
            "seconds": self.seconds,
            "queries": self.queries,
            "peak_memory_mb": self.peak_mb if self.memory else None,
            "query_kinds": dict(self.kinds.most_common()),
        }


def _proc_status(key):
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024.0  # kB
    except OSError:
        pass
    return None


def reset_peak_rss():
    """Reset the peak resident set size where Linux allows it; return the current RSS in MB."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")  # resets VmHWM to VmRSS
    except OSError:
        pass
    current = _proc_status("VmRSS")
    return current if current is not None else peak_rss_mb()


def peak_rss_mb():
    peak = _proc_status("VmHWM")
    if peak is not None:
        return peak
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / (1024.0 * 1024.0) if sys.platform == "darwin" else maxrss / 1024.0


def in_child(registry, func):
    """Run ``func(registry)`` in a forked process (a fresh database connection and its own
    memory); return what it returns, which must be JSON-serialisable."""
    if not hasattr(os, "fork"):
        return func(registry)
    odoo.sql_db.close_all()  # the child must not share the parent's connections
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        status = 0
        try:
            payload = {"ok": func(registry)}
        except BaseException:
            payload = {"error": traceback.format_exc()}
            status = 1
        with os.fdopen(write_end, "w", encoding="utf-8") as pipe:
            json.dump(payload, pipe)
        odoo.sql_db.close_all()
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    payload = json.loads(data) if data else {"error": "the child process died without an answer"}
    if "error" in payload:
        raise RuntimeError(f"scenario failed in its process:\n{payload['error']}")
    return payload["ok"]


# --------------------------------------------------------------------------
# Fixtures and values
# --------------------------------------------------------------------------


def ensure(env, model, domain, values):
    """The record matching ``domain``, created from ``values`` when missing (a reused
    database keeps the fixtures of earlier runs)."""
    record = env[model].with_context(active_test=False).search(domain, limit=1)
    return record or env[model].create(values)


def create_fixtures(env, helpdesk=False):
    """Customers, products, a team with a leader, a 9-18 calendar and SLA policies; the
    user of each role; with ``helpdesk``, the same team in OCA's helpdesk."""
    user_group = env.ref("aftersales_service.aftersales_service_group_user")
    manager_group = env.ref("aftersales_service.aftersales_service_group_manager")
    leader = ensure(
        env,
        "res.users",
        [("login", "=", "bench_leader")],
        {
            "name": "Lea Leader",
            "login": "bench_leader",
            "email": "lea.leader@example.com",
            "groups_id": [Command.link(manager_group.id)],
        },
    )
    agents = env["res.users"]
    for index in range(3):
        agents |= ensure(
            env,
            "res.users",
            [("login", "=", f"bench_agent_{index}")],
            {
                "name": f"Agent {index}",
                "login": f"bench_agent_{index}",
                "email": f"agent{index}@example.com",
                "groups_id": [Command.link(user_group.id)],
            },
        )
    calendar = ensure(
        env,
        "resource.calendar",
        [("name", "=", "Bench service hours 9-18")],
        {
            "name": "Bench service hours 9-18",
            "tz": "Europe/Brussels",
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 9.0,
                        "hour_to": 18.0,
                        "day_period": "morning",
                    }
                )
                for day in range(5)
            ],
        },
    )
    today = fields.Date.today()
    for offset in (-40, -12, 9, 30):  # public holidays around the requests
        day = today + timedelta(days=offset)
        ensure(
            env,
            "resource.calendar.leaves",
            [("calendar_id", "=", calendar.id), ("name", "=", f"Holiday {day}")],
            {
                "name": f"Holiday {day}",
                "calendar_id": calendar.id,
                "date_from": datetime.combine(day, datetime.min.time()),
                "date_to": datetime.combine(day, datetime.max.time()).replace(microsecond=0),
            },
        )
    team = ensure(
        env,
        "aftersales.team",
        [("name", "=", "Bench Appliance Service")],
        {
            "name": "Bench Appliance Service",
            "user_id": leader.id,
            "member_ids": [Command.set(agents.ids)],
        },
    )
    vip = ensure(env, "res.partner.category", [("name", "=", "Bench VIP")], {"name": "Bench VIP"})
    # our policies decide, whatever else the database holds
    env["aftersales.sla.policy"].search([("name", "not like", "Bench %")]).active = False
    policies = [
        ("Bench Urgent", {"priority": "3", "response_hours": 1.0, "resolution_hours": 4.0}),
        (
            "Bench VIP",
            {
                "partner_category_ids": [Command.set(vip.ids)],
                "response_hours": 2.0,
                "resolution_hours": 8.0,
            },
        ),
        ("Bench High", {"priority": "2", "response_hours": 2.0, "resolution_hours": 16.0}),
        ("Bench Standard", {"response_hours": 4.0, "resolution_hours": 24.0}),
    ]
    for sequence, (name, values) in enumerate(policies, start=1):
        ensure(
            env,
            "aftersales.sla.policy",
            [("name", "=", name)],
            {
                "name": name,
                "sequence": sequence,
                "team_id": team.id,
                "calendar_id": calendar.id,
                **values,
            },
        )
    customers = env["res.partner"]
    for index in range(10):
        company = ensure(
            env,
            "res.partner",
            [("name", "=", f"Bench Customer {index}")],
            {
                "name": f"Bench Customer {index}",
                "is_company": True,
                "email": f"service@customer{index}.example.com",
                "phone": f"+32 2 555 01 {index:02d}",
                "category_id": [Command.set(vip.ids)] if index % 5 == 0 else [],
            },
        )
        customers |= company
        for contact in range(3):
            customers |= ensure(
                env,
                "res.partner",
                [("name", "=", f"Bench Contact {index}-{contact}")],
                {
                    "name": f"Bench Contact {index}-{contact}",
                    "parent_id": company.id,
                    "email": f"contact{contact}@customer{index}.example.com",
                },
            )
    category = ensure(
        env, "product.category", [("name", "=", "Bench Appliances")], {"name": "Bench Appliances"}
    )
    products = env["product.product"]
    for name in PRODUCT_NAMES:
        products |= ensure(
            env,
            "product.product",
            [("name", "=", name)],
            {"name": name, "is_storable": True, "categ_id": category.id, "list_price": 499.0},
        )
    types = env["aftersales.ticket.type"].search([])
    users = {TICKET_MODEL: agents[0].id}
    users[REPAIR_MODEL] = ensure(
        env,
        "res.users",
        [("login", "=", "bench_repair_user")],
        {
            "name": "Ray Repair",
            "login": "bench_repair_user",
            "email": "ray.repair@example.com",
            "groups_id": [Command.link(env.ref(ROLE_GROUPS[REPAIR_MODEL]).id)],
        },
    ).id
    fixtures = {
        "leader": leader.id,
        "team": team.id,
        "calendar": calendar.id,
        "customers": customers.ids,
        "products": products.ids,
        "types": types.ids,
        "users": users,
    }
    if helpdesk:
        fixtures.update(create_helpdesk_fixtures(env, leader))
        users[HELPDESK_MODEL] = fixtures.pop("helpdesk_user")
    return fixtures


def create_helpdesk_fixtures(env, leader):
    """OCA's side: a helpdesk user (minimum group), the team with its members and leader.
    Its stages, channels, sequence and mail settings are the module's own."""
    agent = ensure(
        env,
        "res.users",
        [("login", "=", "bench_helpdesk_agent")],
        {
            "name": "Helga Helpdesk",
            "login": "bench_helpdesk_agent",
            "email": "helga.helpdesk@example.com",
            "groups_id": [Command.link(env.ref(ROLE_GROUPS[HELPDESK_MODEL]).id)],
        },
    )
    team = ensure(
        env,
        "helpdesk.ticket.team",
        [("name", "=", "Bench Appliance Service")],
        {
            "name": "Bench Appliance Service",
            "user_id": leader.id,
            "user_ids": [Command.set((leader | agent).ids)],
        },
    )
    return {
        "helpdesk_team": team.id,
        "helpdesk_channels": {
            channel: env.ref(xmlid).id for channel, xmlid in HELPDESK_CHANNELS.items()
        },
        "helpdesk_user": agent.id,
    }


def ticket_values(fixtures, count, max_age_hours, seed):
    """``count`` ticket values: varied customers, products, types, priorities and dates."""
    rand = random.Random(seed)
    now = datetime.now().replace(microsecond=0)
    priorities = list(TICKET_PRIORITIES)
    weights = list(TICKET_PRIORITIES.values())
    return [
        {
            "name": rand.choice(SUBJECTS),
            "description": f"<p>Reported by phone, call #{index}.</p>",
            "partner_id": rand.choice(fixtures["customers"]),
            "product_id": rand.choice(fixtures["products"]),
            "team_id": fixtures["team"],
            "ticket_type_id": rand.choice(fixtures["types"]),
            "priority": rand.choices(priorities, weights)[0],
            "channel": rand.choice(CHANNELS),
            "request_date": now - timedelta(minutes=rand.randrange(max_age_hours * 60)),
        }
        for index in range(count)
    ]


def helpdesk_values(fixtures, count, max_age_hours, seed):
    """The same tickets as ``ticket_values`` (same seed: same subjects, customers,
    priorities and channels) for OCA's ``helpdesk.ticket``: its team (which gives the
    stage), its channel, a description; no product, type or request date on its model."""
    return [
        {
            "name": vals["name"],
            "description": vals["description"],
            "partner_id": vals["partner_id"],
            "team_id": fixtures["helpdesk_team"],
            "priority": vals["priority"],
            "channel_id": fixtures["helpdesk_channels"][vals["channel"]],
        }
        for vals in ticket_values(fixtures, count, max_age_hours, seed)
    ]


def repair_values(fixtures, count, seed):
    """``count`` repair order values, as varied as the tickets'."""
    rand = random.Random(seed)
    now = datetime.now().replace(microsecond=0)
    return [
        {
            "product_id": rand.choice(fixtures["products"]),
            "partner_id": rand.choice(fixtures["customers"]),
            "priority": rand.choice(["0", "0", "0", "1"]),
            "internal_notes": f"<p>Reported by phone, call #{index}.</p>",
            "schedule_date": now + timedelta(minutes=rand.randrange(5 * 24 * 60)),
        }
        for index in range(count)
    ]


def user_env(cr, uid=None):
    """The user ``uid`` (the administrator by default), not the superuser: access rights
    and record rules apply."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    user = env["res.users"].browse(uid) if uid else env.ref("base.user_admin")
    return api.Environment(cr, user.id, user.context_get())


def role_envs(cr, fixtures, models):
    """An environment per model, as the user of its role."""
    return {model: user_env(cr, fixtures["users"][model]) for model in models}


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------


def values_for(model, fixtures, count, seed):
    if model == TICKET_MODEL:
        return ticket_values(fixtures, count, 72, seed)
    if model == HELPDESK_MODEL:
        return helpdesk_values(fixtures, count, 72, seed)
    return repair_values(fixtures, count, seed)


def models_of(fixtures):
    """The models measured: ours and repair.order, and the peer when it is installed."""
    return [REPAIR_MODEL, TICKET_MODEL] + ([HELPDESK_MODEL] if "helpdesk_team" in fixtures else [])


def create_batch(env, model, vals_list):
    """One batch is one transaction: create, flush and pre-commit hooks, then empty cache."""
    env[model].create(vals_list)
    env.cr.flush()  # env.flush_all() and the pre-commit hooks (tracking...), as a commit does
    env.cr.clear()  # the next batch starts with an empty cache, like a new transaction


def create_in_batches(env, model, vals_list, size):
    for start in range(0, len(vals_list), size):
        create_batch(env, model, vals_list[start : start + size])


def measure_create(registry, fixtures, count, size):
    """Create ``count`` records of each model in batches of ``size``, each as the user of
    its role, the models taking turns batch by batch (ABC, then CBA) so that all see the
    same load of the machine. Time and queries only, by model; all is rolled back."""
    models = models_of(fixtures)
    values = {model: values_for(model, fixtures, count, SEED + size) for model in models}
    with registry.cursor() as cr:
        envs = role_envs(cr, fixtures, models)
        cr.clear()
        gc.collect()
        meters = {model: Meter(cr, memory=False) for model in models}
        for turn, start in enumerate(range(0, count, size)):
            for model in models if turn % 2 == 0 else reversed(models):
                with meters[model]:
                    create_batch(envs[model], model, values[model][start : start + size])
        cr.rollback()
    return {model: meter.result(count) for model, meter in meters.items()}


def measure_memory(registry, fixtures, model, size):
    """Growth of the resident set size while one batch of ``size`` records is created
    (run alone in its own process), rolled back."""
    vals_list = values_for(model, fixtures, size, SEED - size)
    with registry.cursor() as cr:
        env = user_env(cr, fixtures["users"][model])
        cr.clear()
        gc.collect()
        with Meter(cr) as meter:
            create_batch(env, model, vals_list)
        cr.rollback()
    return meter.peak_mb


def warm_up(registry, fixtures):
    """Fill the registry's caches (access rights, xml ids, fields, SQL plans, the work intervals
    of the calendars over the dates drawn, alone and in batches): created then rolled back."""
    with registry.cursor() as cr:
        models = models_of(fixtures)
        envs = role_envs(cr, fixtures, models)
        for seed, size in enumerate((1, 1, 1, 1, 1, 1, 1, 1, 100), start=1):
            for model in models:
                create_batch(envs[model], model, values_for(model, fixtures, size, seed=seed))
        cr.rollback()


def prepare_open_tickets(registry, fixtures, count):
    """``count`` open, on-time tickets, committed, then four weeks pass: their deadlines
    lie in the past but their stored status still says on time."""
    with registry.cursor() as cr:
        env = user_env(cr)
        vals_list = ticket_values(fixtures, count, 2, seed=SEED + 7)
        create_in_batches(env, TICKET_MODEL, vals_list, 1000)
        cr.execute(
            """
            UPDATE aftersales_ticket
               SET request_date = request_date - %(shift)s,
                   sla_response_deadline = sla_response_deadline - %(shift)s,
                   sla_resolve_deadline = sla_resolve_deadline - %(shift)s,
                   sla_at_risk_date = sla_at_risk_date - %(shift)s
             WHERE is_closed IS NOT TRUE AND sla_status IS NOT NULL AND sla_escalated IS NOT TRUE
            """,
            {"shift": TIME_TRAVEL},
        )
        cr.execute(
            "SELECT sla_status, count(*) FROM aftersales_ticket "
            "WHERE is_closed IS NOT TRUE AND sla_escalated IS NOT TRUE GROUP BY sla_status"
        )
        statuses = dict(cr.fetchall())
        cr.commit()
    return {"open_tickets": sum(statuses.values()), "stored_statuses": statuses}


def measure_acknowledgements(registry):
    """Call the scheduled action that e-mails the acknowledgements of new tickets like ir.cron does
    (as OdooBot, its progress record in the context, a commit after each call) until no ticket is
    left pending: the rendering and the e-mails that ticket creation no longer pays."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cron = env.ref("aftersales_service.ir_cron_aftersales_ticket_received")
        progress = env["ir.cron.progress"].create({"cron_id": cron.id})
        tickets = env[TICKET_MODEL].with_context(ir_cron_progress_id=progress.id)
        pending = tickets.search_count([("received_pending", "=", True)])
        cr.commit()
        meter = Meter(cr)
        calls = 0
        while calls < 1000:
            with meter:
                tickets._cron_send_received()
                cr.commit()
            calls += 1
            if not tickets.search_count([("received_pending", "=", True)]):
                break
        messages = env["mail.message"].search_count(
            [("model", "=", TICKET_MODEL), ("message_type", "=", "comment")]
        )
        progress.unlink()
        cr.commit()
    return {**meter.result(pending), "calls": calls, "comments_posted": messages}


def count_due(env):
    """Open tickets whose deadline passed and whose breach is not escalated yet."""
    now = fields.Datetime.now()
    return env[TICKET_MODEL].search_count(
        [
            ("is_closed", "=", False),
            ("sla_paused_since", "=", False),
            ("sla_escalated", "=", False),
            "|",
            ("sla_resolve_deadline", "<", now),
            "&",
            ("first_response_date", "=", False),
            ("sla_response_deadline", "<", now),
        ]
    )


def measure_cron(registry, batch_size):
    """Call the cron's method like ir.cron does (its progress record in the context, one
    batch per call, a commit after each call) until it escalates nothing, then once more.

    After each call, outside of the measure, note the ``remaining`` it reported to ir.cron
    and how many breaches really are left to escalate.
    """
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})  # the cron runs as OdooBot
        cron = env.ref("aftersales_service.ir_cron_aftersales_sla_escalation")
        progress = env["ir.cron.progress"].create({"cron_id": cron.id})
        tickets = env[TICKET_MODEL].with_context(ir_cron_progress_id=progress.id)
        due = count_due(env)
        cr.commit()
        calls = []
        meter = Meter(cr)
        while len(calls) < 10000:
            with meter:
                done = len(tickets._cron_escalate_sla_breaches(batch_size=batch_size))
                cr.commit()
            calls.append(
                {
                    "escalated": done,
                    "reported_done": progress.done,
                    "reported_remaining": progress.remaining,
                    "left": count_due(env),
                }
            )
            if not done:
                break
        escalated = sum(call["escalated"] for call in calls)
        with Meter(cr) as again:
            again_done = len(tickets._cron_escalate_sla_breaches(batch_size=batch_size))
            cr.commit()
        cr.execute(
            "SELECT sla_status, sla_escalated, count(*) FROM aftersales_ticket "
            "WHERE is_closed IS NOT TRUE GROUP BY sla_status, sla_escalated"
        )
        after = {
            f"{status}/{'escalated' if flag else 'not escalated'}": n
            for status, flag, n in cr.fetchall()
        }
        interval = f"{cron.interval_number} {cron.interval_type}"
        progress.unlink()
        cr.commit()
    return {
        "due_before": due,
        "run": {**meter.result(escalated), "calls": len(calls), "escalated": escalated},
        "calls": calls,
        "second_run": {**again.result(again_done), "calls": 1, "escalated": again_done},
        "statuses_after": after,
        "interval": interval,
    }


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def main(argv):
    args = parse_args(argv)
    batches = [int(size) for size in args.batches.split(",") if size.strip()]
    count = args.count
    single_count = args.single_count or count
    cron_count = args.cron_count or count

    config.parse_config(["--database", args.db, *args.odoo_arg], setup_logging=True)
    odoo.service.server.load_server_wide_modules()
    registry = Registry(args.db)

    with registry.cursor() as cr:
        env = user_env(cr)
        installed = set(
            env["ir.module.module"].sudo().search([("state", "=", "installed")]).mapped("name")
        )
        missing = {"aftersales_service", "repair"} - installed
        if missing:
            raise SystemExit(f"not installed in {args.db}: {', '.join(sorted(missing))}")
        helpdesk = "helpdesk_mgmt" in installed
        fixtures = create_fixtures(env, helpdesk=helpdesk)
        peer = {"module": "helpdesk_mgmt"}
        if helpdesk:
            module = env["ir.module.module"].sudo().search([("name", "=", "helpdesk_mgmt")])
            peer.update(model=HELPDESK_MODEL, version=module.latest_version)
        cr.commit()
    log("fixtures ready; warming up")
    warm_up(registry, fixtures)

    results = {
        "database": args.db,
        "odoo_version": odoo.release.version,
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        "started": datetime.now().isoformat(timespec="seconds"),
        "roles": {model: ROLE_GROUPS[model] for model in models_of(fixtures)},
        "peer": peer,
        "create": [],
    }
    for size in batches:
        records = single_count if size == 1 else count
        log(f"create {records} records of each model in batches of {size}")
        rows = in_child(
            registry, lambda reg, n=records, s=size: measure_create(reg, fixtures, n, s)
        )
        for model, row in rows.items():
            row["peak_memory_mb"] = in_child(
                registry, lambda reg, m=model, s=size: measure_memory(reg, fixtures, m, s)
            )
            results["create"].append({"model": model, "batch_size": size, **row})
            log(
                f"  {model}: {row['seconds']:.1f} s, "
                f"{row['queries'] / records:.2f} queries/record, {row['peak_memory_mb']:.1f} MB"
            )

    log(f"cron: preparing {cron_count} open tickets")
    results["cron_setup"] = in_child(
        registry, lambda reg: prepare_open_tickets(reg, fixtures, cron_count)
    )
    log("acknowledgements: sending")
    results["acknowledgements"] = in_child(registry, measure_acknowledgements)
    log("cron: escalating")
    results["cron"] = {
        "batch_size": args.cron_batch,
        **in_child(registry, lambda reg: measure_cron(reg, args.cron_batch)),
    }
    results["finished"] = datetime.now().isoformat(timespec="seconds")
    with open(args.output, "w", encoding="utf-8") as output:
        json.dump(results, output, indent=2, default=str)
    odoo.sql_db.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
