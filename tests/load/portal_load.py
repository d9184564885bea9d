#!/usr/bin/env python3
"""Load test of the customer portal against a running Odoo with workers.

Starts ``odoo --workers 4 --max-cron-threads 0`` on an already installed database
(with demo data: the admin logs in with admin/admin), prepares portal customers,
their confirmed sale orders, technicians and visits to book through XML-RPC, then
lets 20 clients at once log in through /web/login, open tickets through
/my/tickets/new and book visits through the booking route of the ticket page,
racing for the same slots, for a bounded time. Between two of these, each client
reads our pages (/my/tickets, a ticket page) and Odoo's own (/my/orders, an order
page), in a shuffled order, so that both are measured under the same load; the
ratios ours/Odoo's at p50 and p95 are compared with a target (1.2x).
Afterwards it checks through XML-RPC that no request failed, that every ticket a
client was told it created exists exactly once, that no slot was booked twice and
that every booking a client was told of is in the database.

Prints a short summary and exits non-zero on any violation. Standard library only,
plus ``requests`` from Odoo's Python: run it with the Python that runs Odoo.

    python3 tests/load/portal_load.py --db DB --port 8169 [--duration 30] [--clients 20] [--strict]
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
import xmlrpc.client
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
CSRF_RE = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
SLOT_FORM_RE = re.compile(r'action="/my/tickets/(\d+)/visits/(\d+)/book"(.*?)</form>', re.S)
SLOT_RE = re.compile(r'name="slot"[^>]*?value="([^"]+)"')
TICKET_URL_RE = re.compile(r"/my/tickets/(\d+)\?created=1")
# 2026-01-01 10:00:00,123 4242 ERROR dbname odoo.sql_db: message
LOG_RECORD_RE = re.compile(r"^\d{4}-\d\d-\d\d \S+ \d+ (?P<level>[A-Z]+) \S+ (?P<logger>[^\s:]+): (?P<msg>.*)$")
# ... werkzeug: 127.0.0.1 - - [date] "GET /my/orders HTTP/1.1" 200 - 35 0.074 0.058 (queries, their
# time, the rest of the time in the worker)
REQUEST_LOG_RE = re.compile(
    r'"GET (?P<path>/my/\S*?)(?:\?\S*)? HTTP/[\d.]+" 200 - (?P<queries>\d+) (?P<sql>[\d.]+) (?P<rest>[\d.]+)'
)
ZONE_ZIP = "9990"
VISITS_PER_CLIENT = 4
ORDERS_PER_CLIENT = 4  # as many confirmed orders as prepared tickets: lists of the same length at the start
LINES_PER_ORDER = 2
LOGIN_TIMEOUT = 600  # seconds for all the clients to log in
TARGET = 1.2  # ours within this factor of Odoo's own pages, at p50 and p95
# our read pages and Odoo's that they are measured against
READ_PAIRS = (("my tickets", "my orders"), ("ticket view", "order view"))
# the same pages in Odoo's log, where the ticket page is also the one read before a booking
SERVER_PAGES = (
    ("/my/tickets", re.compile(r"/my/tickets$")),
    ("/my/orders", re.compile(r"/my/orders$")),
    ("/my/tickets/<id>", re.compile(r"/my/tickets/\d+$")),
    ("/my/orders/<id>", re.compile(r"/my/orders/\d+$")),
)


def info(msg: str = "") -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="tests/load/portal_load.py",
        description="Start Odoo with workers on an installed database and load its customer portal: "
        "clients at once open tickets and book visits; then check that nothing was lost, duplicated or "
        "booked twice.",
    )
    parser.add_argument("--db", required=True, help="an installed database with the addons and demo data")
    parser.add_argument("--port", type=int, required=True, help="HTTP port of the Odoo started here")
    parser.add_argument("--gevent-port", type=int, help="port of Odoo's long-polling process (default: --port + 1)")
    parser.add_argument("--clients", type=int, default=20, help="clients at once (default 20)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (default 30)")
    parser.add_argument("--workers", type=int, default=4, help="Odoo HTTP workers (default 4)")
    parser.add_argument("--odoo-bin", default=os.environ.get("ODOO_BIN") or shutil.which("odoo") or "odoo")
    parser.add_argument("--addons-path", help="Odoo's --addons-path (default: ours, then Odoo's own)")
    parser.add_argument("--data-dir", help="Odoo's --data-dir (where the database's filestore is)")
    parser.add_argument("--config", help="Odoo configuration file (default: none)")
    parser.add_argument("--db-host", default=os.environ.get("PGHOST") or "127.0.0.1")
    parser.add_argument("--db-port", default=os.environ.get("PGPORT") or "5432")
    parser.add_argument("--db-user", default=os.environ.get("PGUSER") or "odoo")
    parser.add_argument("--admin-login", default="admin")
    parser.add_argument("--admin-password", default="admin")
    parser.add_argument("--log", default=str(REPO / ".test-results" / "load-odoo.log"), help="Odoo's log file")
    parser.add_argument("--seed", type=int, help="random seed (default: random)")
    parser.add_argument(
        "--strict",
        action="store_true",
        help=f"fail (exit 1) when our pages are not within {TARGET}x of Odoo's own at p50 and p95 "
        "(without it, the verdict is only printed)",
    )
    return parser.parse_args(argv)


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------


def default_addons_path(odoo_bin: str) -> str:
    python = sys.executable
    res = subprocess.run(
        [python, "-c", "import odoo, os; print(os.path.dirname(odoo.__file__))"],
        capture_output=True,
        text=True,
        check=False,
        cwd=os.path.dirname(os.path.realpath(odoo_bin)) if os.path.exists(odoo_bin) else None,
    )
    paths = [str(REPO / "addons")]
    if res.returncode == 0:
        package = Path(res.stdout.strip().splitlines()[-1])
        paths += [str(p) for p in (package / "addons", package.parent / "addons") if p.is_dir()]
    return ",".join(paths)


class Server:
    """Odoo with workers, in its own process group, stopped with it."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.url = f"http://127.0.0.1:{args.port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = Path(args.log)

    def command(self) -> list[str]:
        args = self.args
        cmd = [args.odoo_bin]
        if args.config:
            cmd.append(f"--config={args.config}")
        cmd += [
            f"--addons-path={args.addons_path or default_addons_path(args.odoo_bin)}",
            f"--database={args.db}",
            f"--db-filter=^{re.escape(args.db)}$",
            f"--db_host={args.db_host}",
            f"--db_port={args.db_port}",
            f"--db_user={args.db_user}",
            f"--workers={args.workers}",
            "--max-cron-threads=0",
            "--http-interface=127.0.0.1",
            f"--http-port={args.port}",
            # the long-polling process of a server with workers: beside ours, not on 8072
            f"--gevent-port={args.gevent_port or args.port + 1}",
            "--limit-time-real=300",
            "--log-level=info",
        ]
        if args.data_dir:
            cmd.append(f"--data-dir={args.data_dir}")
        return cmd

    def start(self, timeout: float = 180.0) -> None:
        cmd = self.command()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 (kept open while Odoo runs)
        log.write("$ " + shlex.join(cmd) + "\n")
        log.flush()
        info("$ " + shlex.join(cmd))
        # in our process group: whoever stops us with a signal to the group stops Odoo too
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Odoo stopped at start (exit code {self.proc.returncode}); see {self.log_path}")
            try:
                if requests.get(f"{self.url}/web/login", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise RuntimeError(f"Odoo did not answer on {self.url} within {timeout:.0f}s; see {self.log_path}")

    def stop(self) -> None:
        """Stop Odoo: its main process stops its workers (they also leave when it dies)."""
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def page_figures(self, offset: int) -> dict[str, list[tuple[int, float]]]:
        """(queries, seconds in the worker) of each page read, from Odoo's log past ``offset``: the
        pages' own cost, without the wait for a free worker that the clients' times include."""
        figures = defaultdict(list)
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as log:
                log.seek(offset)
                lines = log.read().splitlines()
        except OSError:
            return figures
        for line in lines:
            match = REQUEST_LOG_RE.search(line)
            if not match:
                continue
            for page, pattern in SERVER_PAGES:
                if pattern.match(match["path"]):
                    seconds = float(match["sql"]) + float(match["rest"])
                    figures[page].append((int(match["queries"]), seconds))
        return figures

    def log_problems(self) -> tuple[list[str], int]:
        """ERROR/CRITICAL records of Odoo's log, and the number of transactions replayed.

        Two bookings of one technician at once end in a serialization failure of the second
        one, which Odoo logs as a bad query and replays on fresh data: expected, only counted.
        A replay that fails for good answers 500, which the clients report.
        """
        problems, replays = [], 0
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return problems, replays
        for number, line in enumerate(lines):
            record = LOG_RECORD_RE.match(line)
            if not record:
                continue
            if record["logger"] == "odoo.service.model" and "SERIALIZATION_FAILURE" in record["msg"]:
                replays += 1
            if record["level"] not in ("ERROR", "CRITICAL"):
                continue
            following = lines[number + 1] if number + 1 < len(lines) else ""
            if record["logger"] == "odoo.sql_db" and "could not serialize access" in following:
                continue
            problems.append(line[:300])
        return problems, replays


# --------------------------------------------------------------------------
# Preparation through XML-RPC
# --------------------------------------------------------------------------


class Admin:
    def __init__(self, url: str, db: str, login: str, password: str):
        self.db, self.password = db, password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise RuntimeError(f"XML-RPC login of {login!r} on {db} refused (a database with demo data is needed)")
        self.url = url

    def __call__(self, model: str, method: str, *args, **kwargs):
        # one proxy per call: xmlrpc.client proxies are not thread-safe
        proxy = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object", allow_none=True)
        return proxy.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)

    def ref(self, xmlid: str) -> int:
        module, name = xmlid.split(".")
        rows = self("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], fields=["res_id"])
        if not rows:
            raise RuntimeError(f"{xmlid} not found: are the addons installed on this database?")
        return rows[0]["res_id"]


@dataclass
class Client:
    index: int
    login: str
    password: str
    partner_id: int
    product_id: int
    visits: list[tuple[int, int]]  # (ticket id, visit id), to book
    order_ids: list[int] = field(default_factory=list)  # confirmed sale orders, read on /my/orders/<id>


@dataclass
class Plan:
    tag: str
    clients: list[Client]
    technician_ids: list[int]
    visit_ids: list[int]


def prepare(admin: Admin, tag: str, count: int) -> Plan:
    """Customers with a portal user and confirmed orders, two technicians for them, visits to book."""
    company_id = admin("res.users", "read", [admin.uid], fields=["company_id"])[0]["company_id"][0]
    country_id = admin.ref("base.be")
    category_id = admin("product.category", "create", {"name": f"Load {tag}"})
    product_id = admin(
        "product.product", "create", {"name": f"Load Washer {tag}", "type": "consu", "categ_id": category_id}
    )
    zone_id = admin(
        "aftersales.zone",
        "create",
        {
            "name": f"Load {tag}",
            "country_ids": [(6, 0, [country_id])],
            "zip_from": ZONE_ZIP,
            "zip_to": ZONE_ZIP,
            "company_id": company_id,
        },
    )
    calendar_id = admin("res.company", "read", [company_id], fields=["resource_calendar_id"])[0][
        "resource_calendar_id"
    ][0]
    technician_group = admin.ref("aftersales_service.aftersales_service_group_technician")
    technician_ids = []
    for number in (1, 2):
        user_id = admin(
            "res.users",
            "create",
            {
                "name": f"Load Tech {number} {tag}",
                "login": f"load-{tag}-tech-{number}",
                "groups_id": [(4, technician_group)],
                "company_id": company_id,
                "company_ids": [(6, 0, [company_id])],
            },
        )
        technician_ids.append(
            admin(
                "aftersales.technician",
                "create",
                {
                    "user_id": user_id,
                    "company_id": company_id,
                    "resource_calendar_id": calendar_id,
                    "zone_ids": [(6, 0, [zone_id])],
                    "skill_ids": [(0, 0, {"product_category_id": category_id, "level": "3"})],
                },
            )
        )
    portal_group = admin.ref("base.group_portal")
    repair_type = admin.ref("aftersales_service.visit_type_repair")
    address = {"zip": ZONE_ZIP, "country_id": country_id, "city": "Loadville", "tz": "Europe/Brussels"}
    # a few calls creating many records each: the preparation stays short
    companies = admin(
        "res.partner",
        "create",
        [{"name": f"Load Customer {index} {tag}", "is_company": True, **address} for index in range(count)],
    )
    contacts = admin(
        "res.partner",
        "create",
        [
            {
                "name": f"Load Contact {index} {tag}",
                "parent_id": company,
                "type": "contact",
                "email": f"load-{tag}-{index}@example.com",
                **address,
            }
            for index, company in enumerate(companies)
        ],
    )
    logins = [(f"load-{tag}-{index}", f"pw-{tag}-{index}") for index in range(count)]
    admin(
        "res.users",
        "create",
        [
            {"login": login, "password": password, "partner_id": contact, "groups_id": [(6, 0, [portal_group])]}
            for (login, password), contact in zip(logins, contacts, strict=True)
        ],
    )
    # the orders that Odoo's own portal pages show (/my/orders, /my/orders/<id>)
    orders = admin(
        "sale.order",
        "create",
        [
            {
                "partner_id": company,
                "company_id": company_id,
                "order_line": [
                    (0, 0, {"product_id": product_id, "product_uom_qty": float(line + 1)})
                    for line in range(LINES_PER_ORDER)
                ],
            }
            for company in companies
            for _number in range(ORDERS_PER_CLIENT)
        ],
    )
    admin("sale.order", "action_confirm", orders)
    tickets = admin(
        "aftersales.ticket",
        "create",
        [
            {
                "name": f"Load visit {number} {tag}",
                "partner_id": contact,
                "product_id": product_id,
                "company_id": company_id,
            }
            for contact in contacts
            for number in range(VISITS_PER_CLIENT)
        ],
    )
    visit_ids = admin(
        "aftersales.visit",
        "create",
        [{"ticket_id": ticket_id, "visit_type_id": repair_type} for ticket_id in tickets],
    )
    pairs = list(zip(tickets, visit_ids, strict=True))
    clients = [
        Client(
            index,
            login,
            password,
            contact,
            product_id,
            pairs[index * VISITS_PER_CLIENT : (index + 1) * VISITS_PER_CLIENT],
            orders[index * ORDERS_PER_CLIENT : (index + 1) * ORDERS_PER_CLIENT],
        )
        for index, ((login, password), contact) in enumerate(zip(logins, contacts, strict=True))
    ]
    return Plan(tag, clients, technician_ids, visit_ids)


# --------------------------------------------------------------------------
# The clients
# --------------------------------------------------------------------------


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    timings: list[tuple[str, float]] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # 5xx, exceptions, unexpected answers
    errors_by_kind: Counter = field(default_factory=Counter)
    tickets_told: dict[str, int] = field(default_factory=dict)  # subject -> id
    tickets_unknown: set[str] = field(default_factory=set)  # posted, but no answer
    bookings: dict[int, str] = field(default_factory=dict)  # visit id -> slot key
    bookings_unknown: set[int] = field(default_factory=set)
    outcomes: Counter = field(default_factory=Counter)

    def error(self, msg: str, kind: str | None = None) -> None:
        with self.lock:
            self.errors.append(msg)
            if kind:
                self.errors_by_kind[kind] += 1


class StartLine:
    """The clients log in at once, then the load runs for ``duration`` from the moment the last one is
    in: the seconds of load go to the portal's pages, not to the hashing of the passwords."""

    def __init__(self, count: int, duration: float):
        self.duration = duration
        self.at: float | None = None
        self.stop_at: float | None = None
        self.barrier = threading.Barrier(count, action=self.go)

    def go(self) -> None:
        self.at = time.monotonic()
        self.stop_at = self.at + self.duration

    def wait(self) -> bool:
        try:
            self.barrier.wait(timeout=LOGIN_TIMEOUT)
        except threading.BrokenBarrierError:
            return False
        return True


class PortalClient(threading.Thread):
    def __init__(self, client: Client, base_url: str, tag: str, results: Results, start: StartLine, seed: int):
        super().__init__(name=f"client-{client.index}", daemon=True)
        self.client, self.base_url, self.tag = client, base_url, tag
        self.results, self.start_line = results, start
        self.random = random.Random(seed)
        self.session = requests.Session()
        self.to_book = list(client.visits)
        self.counter = 0
        # the tickets of the customer: those prepared with its visits, then those it opens
        self.ticket_ids = [ticket_id for ticket_id, _visit_id in client.visits]

    def request(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        started = time.monotonic()
        try:
            response = self.session.request(method, self.base_url + path, allow_redirects=False, timeout=120, **kwargs)
        except requests.RequestException as exc:
            self.results.error(f"{kind} {method} {path}: {exc.__class__.__name__}: {exc}", kind)
            return None
        elapsed = time.monotonic() - started
        with self.results.lock:
            self.results.timings.append((kind, elapsed))
            self.results.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.results.error(f"{kind} {method} {path}: HTTP {response.status_code}", kind)
            return None
        return response

    def csrf(self, response: requests.Response | None) -> str | None:
        match = response is not None and CSRF_RE.search(response.text)
        return html.unescape(match.group(1)) if match else None

    def login(self) -> bool:
        page = self.request("login", "GET", "/web/login")
        token = self.csrf(page)
        if not token:
            self.results.error(f"{self.client.login}: no CSRF token on /web/login")
            return False
        response = self.request(
            "login",
            "POST",
            "/web/login",
            data={
                "login": self.client.login,
                "password": self.client.password,
                "csrf_token": token,
                "redirect": "/my",
            },
        )
        if response is None or response.status_code not in (302, 303):
            self.results.error(f"{self.client.login}: login refused")
            return False
        return True

    def open_ticket(self) -> None:
        form = self.request("ticket form", "GET", "/my/tickets/new")
        token = self.csrf(form)
        if not token:
            self.results.error(f"{self.client.login}: no CSRF token on /my/tickets/new")
            return
        self.counter += 1
        subject = f"Load {self.tag} client {self.client.index} ticket {self.counter}"
        with self.results.lock:
            self.results.tickets_unknown.add(subject)
        response = self.request(
            "ticket create",
            "POST",
            "/my/tickets/new",
            data={
                "name": subject,
                "description": "Opened by the load test",
                "product_id": str(self.client.product_id),
                "csrf_token": token,
            },
        )
        if response is None:
            return
        match = response.status_code in (302, 303) and TICKET_URL_RE.search(response.headers.get("Location", ""))
        if not match:
            self.results.error(f"{self.client.login}: ticket {subject!r} refused (HTTP {response.status_code})")
            return
        with self.results.lock:
            self.results.tickets_unknown.discard(subject)
            self.results.tickets_told[subject] = int(match.group(1))
            self.results.outcomes["ticket created"] += 1
        self.ticket_ids.append(int(match.group(1)))

    def book(self) -> None:
        ticket_id, visit_id = self.to_book[0]
        page = self.request("ticket page", "GET", f"/my/tickets/{ticket_id}")
        if page is None or page.status_code != 200:
            self.results.error(f"{self.client.login}: ticket page {ticket_id} not shown")
            self.to_book.pop(0)
            return
        slots = []
        for form_ticket, form_visit, body in SLOT_FORM_RE.findall(page.text):
            if int(form_ticket) == ticket_id and int(form_visit) == visit_id:
                slots = [html.unescape(key) for key in SLOT_RE.findall(body)]
        token = self.csrf(page)
        if not slots or not token:
            # nothing left to offer: the technicians are fully booked
            with self.results.lock:
                self.results.outcomes["no slot left"] += 1
            self.to_book.pop(0)
            return
        # everyone goes for the earliest times: the races are the point
        key = slots[min(int(self.random.expovariate(1.0)), len(slots) - 1)]
        with self.results.lock:
            self.results.bookings_unknown.add(visit_id)
        response = self.request(
            "booking",
            "POST",
            f"/my/tickets/{ticket_id}/visits/{visit_id}/book",
            data={"slot": key, "csrf_token": token},
        )
        if response is None:
            return
        location = response.headers.get("Location", "")
        code = re.search(r"visit_message=(\w+)", location)
        code = code.group(1) if code else None
        with self.results.lock:
            self.results.outcomes[f"booking {code}"] += 1
            if code == "booked":
                self.results.bookings_unknown.discard(visit_id)
                self.results.bookings[visit_id] = key
            elif code == "taken":
                self.results.bookings_unknown.discard(visit_id)
        if code == "booked":
            self.to_book.pop(0)
        elif code != "taken":
            self.results.error(f"{self.client.login}: booking of visit {visit_id} answered {location!r}")
            self.to_book.pop(0)

    @property
    def stop_at(self) -> float:
        return self.start_line.stop_at

    def read(self, kind: str, path: str) -> None:
        """A page only read: anything but its page (a redirect to /my, a 404) is an error."""
        response = self.request(kind, "GET", path)
        if response is not None and response.status_code != 200:
            self.results.error(f"{self.client.login}: {kind} {path} answered HTTP {response.status_code}", kind)

    def read_pages(self) -> None:
        """Our read pages and Odoo's own, one of each in a shuffled order: both under the same load."""
        reads = [
            ("my tickets", "/my/tickets"),
            ("my orders", "/my/orders"),
            ("ticket view", f"/my/tickets/{self.random.choice(self.ticket_ids)}"),
            ("order view", f"/my/orders/{self.random.choice(self.client.order_ids)}"),
        ]
        self.random.shuffle(reads)
        for kind, path in reads:
            if time.monotonic() >= self.stop_at:
                return
            self.read(kind, path)

    def run(self) -> None:
        try:
            logged_in = self.login()
            if not self.start_line.wait():
                self.results.error(f"{self.client.login}: the clients were not all logged in after {LOGIN_TIMEOUT}s")
                return
            if not logged_in:
                return
            while time.monotonic() < self.stop_at:
                self.read_pages()
                if time.monotonic() >= self.stop_at:
                    break
                if self.to_book and self.random.random() < 0.6:
                    self.book()
                else:
                    self.open_ticket()
        except Exception as exc:  # noqa: BLE001 (a crashed client is a failure to report)
            self.results.error(f"{self.client.login}: {exc.__class__.__name__}: {exc}")


def warm_up(base_url: str, clients: list[Client], workers: int) -> None:
    """Open the pages before the clients, out of the figures: the first visit of a page builds its
    assets, and each worker compiles each template once, which is no measure of the portal. As many
    sessions at once as workers, twice over, so that every worker most likely saw every page."""
    sessions = [
        threading.Thread(target=warm_up_session, args=(base_url, clients[index % len(clients)]), daemon=True)
        for index in range(max(workers, 1) * 2)
    ]
    for session in sessions:
        session.start()
    for session in sessions:
        session.join(timeout=600)


def warm_up_session(base_url: str, client: Client) -> None:
    session = requests.Session()
    try:
        page = session.get(f"{base_url}/web/login", timeout=300)
        match = CSRF_RE.search(page.text)
        if not match:
            return  # the clients report it
        data = {"login": client.login, "password": client.password, "csrf_token": html.unescape(match.group(1))}
        session.post(f"{base_url}/web/login", data=data, timeout=300)
        for path in (
            "/my/tickets/new",
            f"/my/tickets/{client.visits[0][0]}",
            "/my/tickets",
            "/my/orders",
            f"/my/orders/{client.order_ids[0]}",
        ):
            session.get(base_url + path, timeout=300)
    except requests.RequestException:
        pass  # the clients report what fails


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


def check(admin: Admin, plan: Plan, results: Results) -> list[str]:
    violations = [f"request error: {error}" for error in results.errors]

    # tickets: each one told exists once, under the id told; nothing else appeared
    rows = admin(
        "aftersales.ticket",
        "search_read",
        [("name", "=like", f"Load {plan.tag} client %"), ("active", "in", [True, False])],
        fields=["name"],
    )
    by_name = defaultdict(list)
    for row in rows:
        by_name[row["name"]].append(row["id"])
    for subject, ticket_id in results.tickets_told.items():
        if by_name.get(subject) != [ticket_id]:
            violations.append(f"ticket {subject!r}: told #{ticket_id}, database has {by_name.get(subject, [])}")
    for subject, ids in by_name.items():
        if subject not in results.tickets_told and (subject not in results.tickets_unknown or len(ids) > 1):
            violations.append(f"ticket {subject!r}: in the database ({ids}) but no client was told so")

    # bookings: each one told is in the database, no technician twice at the same time
    visits = admin(
        "aftersales.visit",
        "read",
        plan.visit_ids,
        fields=["state", "technician_id", "scheduled_start", "scheduled_end"],
    )
    for visit in visits:
        key = results.bookings.get(visit["id"])
        if key:
            technician_id, start, end, _signature = key.split("|")
            got = (visit["state"], visit["technician_id"] and visit["technician_id"][0], visit["scheduled_start"])
            if got != ("confirmed", int(technician_id), start) or visit["scheduled_end"] != end:
                violations.append(f"visit {visit['id']}: booked at {start} with #{technician_id}, database has {got}")
        elif visit["state"] != "draft" and visit["id"] not in results.bookings_unknown:
            violations.append(f"visit {visit['id']}: {visit['state']} though no client was told it was booked")
    keys = Counter((key.split("|")[0], key.split("|")[1]) for key in results.bookings.values())
    violations += [f"slot {slot} told booked {n} times" for slot, n in keys.items() if n > 1]
    busy = admin(
        "aftersales.visit",
        "search_read",
        [("technician_id", "in", plan.technician_ids), ("state", "not in", ["draft", "cancel"])],
        fields=["technician_id", "scheduled_start", "scheduled_end"],
        order="technician_id, scheduled_start",
    )
    previous = {}
    for visit in busy:
        technician = visit["technician_id"][0]
        before = previous.get(technician)
        if before and visit["scheduled_start"] < before["scheduled_end"]:
            violations.append(
                f"technician #{technician} booked twice: visits {before['id']} and {visit['id']} overlap "
                f"({before['scheduled_start']}-{before['scheduled_end']} / {visit['scheduled_start']})"
            )
        previous[technician] = visit
    return violations


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def summary(results: Results, duration: float) -> None:
    times = [elapsed for _kind, elapsed in results.timings]
    loaded = sum(1 for kind, _elapsed in results.timings if kind != "login")  # the logins come first
    info(
        f"requests: {len(times)}, {loaded} after the logins in {duration:.0f}s ({loaded / max(duration, 1):.1f}/s), "
        f"errors: {len(results.errors)}, "
        f"statuses: {', '.join(f'{code}: {n}' for code, n in sorted(results.statuses.items()))}"
    )
    info(f"times: p50 {percentile(times, 0.5) * 1000:.0f} ms, p95 {percentile(times, 0.95) * 1000:.0f} ms")
    by_kind = timings_by_kind(results)
    for kind, values in sorted(by_kind.items()):
        info(
            f"  {kind:<14} {len(values):>5}  p50 {percentile(values, 0.5) * 1000:>6.0f} ms"
            f"  p95 {percentile(values, 0.95) * 1000:>6.0f} ms  errors {results.errors_by_kind[kind]}"
        )
    info("outcomes: " + ", ".join(f"{name}: {n}" for name, n in sorted(results.outcomes.items())))


def timings_by_kind(results: Results) -> dict[str, list[float]]:
    by_kind = defaultdict(list)
    for kind, elapsed in results.timings:
        by_kind[kind].append(elapsed)
    return by_kind


def in_the_workers(figures: dict[str, list[tuple[int, float]]]) -> None:
    """The pages' cost in Odoo's workers (queries, time), without the wait for a worker."""
    info("in the workers (Odoo's log):")
    for page, _pattern in SERVER_PAGES:
        rows = figures.get(page)
        if not rows:
            continue
        queries, seconds = [q for q, _s in rows], [s for _q, s in rows]
        info(
            f"  {page:<17} {len(rows):>5}  queries {statistics.median(queries):>4.0f}"
            f"  p50 {percentile(seconds, 0.5) * 1000:>6.0f} ms  p95 {percentile(seconds, 0.95) * 1000:>6.0f} ms"
        )


def versus_odoo(results: Results, target: float) -> list[str]:
    """Print our read pages against Odoo's own, measured in the same run; return the misses."""
    by_kind = timings_by_kind(results)
    misses, parts = [], []
    for ours, theirs in READ_PAIRS:
        if not by_kind.get(ours) or not by_kind.get(theirs):
            misses.append(f"{ours} vs {theirs}: not measured")
            continue
        for label, share in (("p50", 0.5), ("p95", 0.95)):
            ratio = percentile(by_kind[ours], share) / max(percentile(by_kind[theirs], share), 1e-6)
            parts.append(f"{ours}/{theirs} {label} {ratio:.2f}x")
            if ratio > target:
                misses.append(f"{ours} {label} at {ratio:.2f}x {theirs}'s (target {target}x)")
    verdict = "within target" if not misses else "target missed"
    info(f"versus Odoo: {', '.join(parts)} ({verdict}: {target}x)")
    return misses


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    tag = datetime.now().strftime("%H%M%S") + uuid.uuid4().hex[:4]
    server = Server(args)
    previous_handler = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        info(f"Load test on {args.db}: {args.clients} clients for {args.duration:.0f}s (seed {seed}, tag {tag})")
        server.start()
        admin = Admin(server.url, args.db, args.admin_login, args.admin_password)
        started = time.monotonic()
        plan = prepare(admin, tag, args.clients)
        info(
            f"prepared in {time.monotonic() - started:.0f}s: {len(plan.clients)} portal customers, "
            f"{len(plan.visit_ids)} visits to book, technicians {plan.technician_ids}"
        )
        warm_up(server.url, plan.clients, args.workers)
        results = Results()
        log_offset = server.log_size()
        started = time.monotonic()
        start = StartLine(len(plan.clients), args.duration)
        clients = [
            PortalClient(client, server.url, tag, results, start, seed + client.index) for client in plan.clients
        ]
        for client in clients:
            client.start()
        for client in clients:
            stop_at = start.stop_at or started + LOGIN_TIMEOUT + args.duration
            client.join(timeout=max(stop_at - time.monotonic(), 0) + 180)
        if start.at:
            info(f"logged in at once in {start.at - started:.0f}s")
        duration = time.monotonic() - (start.at or started)
        if any(client.is_alive() for client in clients):
            results.error("some clients still wait for an answer three minutes after the end")
        summary(results, duration)
        misses = versus_odoo(results, TARGET)
        in_the_workers(server.page_figures(log_offset))
        violations = check(admin, plan, results)
    except (RuntimeError, OSError, xmlrpc.client.Error, requests.RequestException) as exc:
        info(f"load test broken: {exc}")
        return 2
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous_handler)
    problems, replays = server.log_problems()
    info(f"transactions replayed by Odoo after a serialization failure: {replays}")
    violations += [f"Odoo log: {line}" for line in problems]
    if args.strict:
        violations += [f"slower than Odoo's own pages: {miss}" for miss in misses]
    elif misses:
        info("not within the target (printed only; --strict fails on it): " + "; ".join(misses))
    if violations:
        info(f"FAILED: {len(violations)} violation(s)")
        for violation in violations[:50]:
            info(f"  - {violation}")
        if len(violations) > 50:
            info(f"  ... and {len(violations) - 50} more")
        return 1
    info(
        f"PASSED: {len(results.tickets_told)} tickets opened, {len(results.bookings)} visits booked, "
        "none lost, duplicated or booked twice"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
