#!/usr/bin/env python3
"""The day planner on the public VRPTW benchmarks, beside PyVRP and OR-Tools.

No Odoo and no database: the planner's modules (addons/aftersales_service/tools)
are pure Python and are loaded from their files. Each instance of the data
folder (Solomon's 100-customer and Gehring-Homberger's 200-customer sets, see
its README.md) becomes one day: the vehicles are workers at the depot who
return there (``returns=True``), the depot's time window is their free time, the
customers are jobs with their window, service time and demand. Every solution
(ours and the peers') is checked here, independently of the solvers: each
customer served once, windows, capacities, fleet size, back at the depot before
it closes; its distance is counted in the instance's unit (Solomon: floor(10 d)
per arc; 200 customers: round(1000 d) per arc) and compared with best_known.tsv.
Travel times are those same arc values (scaled back), for every solver.

Run it through ``bench/run vrptw`` or directly: ``bench/bench_vrptw.py --help``.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
TOOLS = REPO / "addons" / "aftersales_service" / "tools"
DATA_BESIDE = Path("..") / "shared" / "bench-data" / "vrptw"  # relative to the repository
RESULTS_JSON = REPO / ".bench-results" / "vrptw.json"
PEERS = ("pyvrp", "ortools")
SOLOMON_CLASSES = ("C1", "C2", "R1", "R2", "RC1", "RC2")
# targets of the issue: mean gap per group of classes, seconds per instance
TARGETS = {"solomon R1, C1, RC1": 5.0, "200 customers": 8.0}
MAX_SECONDS = 10.0
ORIGIN = datetime(2000, 1, 1)
EPS = 1e-6


def load_planner():
    """The planner's modules, loaded as a package of their own (no Odoo import)."""
    spec = importlib.util.spec_from_file_location(
        "aftersales_route_tools", TOOLS / "__init__.py", submodule_search_locations=[str(TOOLS)]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = package
    spec.loader.exec_module(package)
    return importlib.import_module(f"{spec.name}.route_planning")


# ----------------------------------------------------------------------
# Instances
# ----------------------------------------------------------------------


def class_of(name: str) -> str:
    """C1 ... RC2 for Solomon's instances (C101, RC208), C1_2 ... RC2_2 for 200 customers."""
    if "_" in name:
        return "_".join(name.split("_")[:2])
    return re.match(r"[A-Z]+\d", name).group(0)


class Instance:
    """One VRPTW instance; nodes are numbered as in the file (1 is the depot)."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name.split(".")[0]
        self.group = "solomon" if path.parent.name.startswith("solomon") else "homberger"
        self.klass = class_of(self.name)
        header, sections, current = {}, {}, None
        for raw in path.read_text().splitlines():
            line = raw.strip()
            if not line or line == "EOF":
                continue
            if line.endswith("SECTION"):
                current = sections.setdefault(line, [])
            elif ":" in line:
                key, value = (part.strip() for part in line.split(":", 1))
                header[key] = value
                current = None
            elif current is not None:
                current.append([float(value) for value in line.split()])
        self.vehicles = int(header["VEHICLES"])
        self.capacity = int(header["CAPACITY"])
        self.service = float(header.get("SERVICE_TIME", 0))
        self.floor = header.get("EDGE_WEIGHT_TYPE") == "FLOOR_2D"
        self.scale = int(header.get("SCALE", 10)) if self.floor else 1000
        self.coords = {int(row[0]): (row[1], row[2]) for row in sections["NODE_COORD_SECTION"]}
        self.demand = {int(row[0]): int(row[1]) for row in sections["DEMAND_SECTION"]}
        self.window = {int(row[0]): (row[1], row[2]) for row in sections["TIME_WINDOW_SECTION"]}
        self.nodes = sorted(self.coords)
        self.depot = 1
        self.customers = [node for node in self.nodes if node != self.depot]
        self.cost = {}
        for a in self.nodes:
            ax, ay = self.coords[a]
            for b in self.nodes:
                bx, by = self.coords[b]
                d = math.hypot(ax - bx, ay - by)
                self.cost[a, b] = (
                    math.floor(self.scale * d + EPS) if self.floor else round(self.scale * d)
                )

    def service_of(self, node):
        return 0.0 if node == self.depot else self.service

    def travel(self, a, b):
        """Distance and travel time, in the instance's own unit (an arc's cost scaled back)."""
        return self.cost[a, b] / self.scale

    def check(self, routes):
        """``(feasible, distance in the unit of best_known, the first problem or '')``."""
        seen, total = {}, 0
        if len(routes) > self.vehicles:
            return False, None, f"{len(routes)} routes for {self.vehicles} vehicles"
        depot_open, depot_close = self.window[self.depot]
        for number, route in enumerate(routes, start=1):
            if sum(self.demand[node] for node in route) > self.capacity:
                return False, None, f"route {number} over capacity"
            clock, previous = depot_open, self.depot
            for node in route:
                if node not in self.window or node == self.depot:
                    return False, None, f"route {number}: unknown customer {node}"
                seen[node] = seen.get(node, 0) + 1
                early, late = self.window[node]
                start = max(clock + self.travel(previous, node), early)
                if start > late + EPS:
                    return (
                        False,
                        None,
                        f"route {number}: customer {node} starts at {start:.1f} after {late:g}",
                    )
                total += self.cost[previous, node]
                clock, previous = start + self.service_of(node), node
            if route:
                total += self.cost[previous, self.depot]
                if clock + self.travel(previous, self.depot) > depot_close + EPS:
                    return False, None, f"route {number} back at the depot after it closes"
        missing = [node for node in self.customers if node not in seen]
        twice = [node for node, count in seen.items() if count > 1]
        if missing or twice:
            return False, None, f"{len(missing)} customers not served, {len(twice)} served twice"
        return True, total, ""


def default_data() -> Path:
    """The data beside the repository; from a git worktree, beside its main repository."""
    found = REPO / DATA_BESIDE
    if not found.exists():
        common = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if common:
            beside_main = Path(common).parent / DATA_BESIDE
            found = beside_main if beside_main.exists() else found
    return found.resolve()


def best_known(data: Path) -> dict:
    known = {}
    lines = (data / "best_known.tsv").read_text().splitlines()
    for line in lines[1:]:
        cells = line.split("\t")
        if len(cells) >= 4:
            known[cells[0]] = {"vehicles": int(cells[2]), "distance": int(cells[3])}
    return known


# ----------------------------------------------------------------------
# Solvers: each returns a list of routes (customer nodes in visiting order)
# ----------------------------------------------------------------------


def solve_ours(instance: Instance, seconds: float, seed: int):
    planning = load_planner()
    at = lambda minutes: ORIGIN + timedelta(minutes=minutes)  # noqa: E731
    depot_open, depot_close = instance.window[instance.depot]
    workers = [
        planning.Worker(
            key=number,
            home=instance.depot,
            free=[(at(depot_open), at(depot_close))],
            capacity=instance.capacity,
            returns=True,
        )
        for number in range(instance.vehicles)
    ]
    keys = tuple(range(instance.vehicles))
    jobs = [
        planning.Job(
            key=node,
            point=node,
            duration=timedelta(minutes=instance.service),
            candidates=keys,
            window=(at(instance.window[node][0]), at(instance.window[node][1])),
            demand=instance.demand[node],
        )
        for node in instance.customers
    ]
    planner = planning.RoutePlanner(
        workers,
        speed_kmh=60.0,  # a unit of distance per unit of time
        step=None,
        time_limit=seconds,
        max_rounds=10**9,
        seed=seed,
        distance=instance.travel,
    )
    plan = planner.plan(jobs)
    return [[stop.job.key for stop in stops] for stops in plan.rounds.values() if stops]


def _integer_data(instance: Instance):
    """Times in the arc cost's unit (scaled), so that every number is an integer."""
    scale = instance.scale
    window = {
        node: (round(early * scale), round(late * scale))
        for node, (early, late) in instance.window.items()
    }
    return window, round(instance.service * scale)


def solve_pyvrp(instance: Instance, seconds: float, seed: int):
    from pyvrp import Model  # noqa: PLC0415
    from pyvrp.stop import MaxRuntime  # noqa: PLC0415

    window, service = _integer_data(instance)
    model = Model()
    places = {node: model.add_location(*instance.coords[node]) for node in instance.nodes}
    depot_open, depot_close = window[instance.depot]
    depot = model.add_depot(places[instance.depot], tw_early=depot_open, tw_late=depot_close)
    model.add_vehicle_type(
        num_available=instance.vehicles,
        capacity=instance.capacity,
        tw_early=depot_open,
        tw_late=depot_close,
    )
    for node in instance.customers:
        model.add_client(
            places[node],
            delivery=instance.demand[node],
            service_duration=service,
            tw_early=window[node][0],
            tw_late=window[node][1],
        )
    for a in instance.nodes:
        for b in instance.nodes:
            cost = instance.cost[a, b]
            model.add_edge(places[a], places[b], distance=cost, duration=cost)
    del depot
    result = model.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    # a route's activities: a client's index counts the clients from 0, in the order they were added
    return [
        [instance.customers[activity.idx] for activity in route if activity.is_client()]
        for route in result.best.routes()
    ]


def solve_ortools(instance: Instance, seconds: float, seed: int):
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2  # noqa: PLC0415

    window, service = _integer_data(instance)
    node_of = [instance.depot, *instance.customers]
    size = len(node_of)
    manager = pywrapcp.RoutingIndexManager(size, instance.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    cost = [[instance.cost[a, b] for b in node_of] for a in node_of]
    times = [[cost[i][j] + (service if i else 0) for j in range(size)] for i in range(size)]

    def arc_cost(i, j):
        return cost[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def arc_time(i, j):
        return times[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def load(i):
        return instance.demand[node_of[manager.IndexToNode(i)]]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(arc_cost))
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitCallback(load),
        0,
        [instance.capacity] * instance.vehicles,
        True,
        "load",
    )
    depot_open, depot_close = window[instance.depot]
    routing.AddDimension(
        routing.RegisterTransitCallback(arc_time), depot_close, depot_close, False, "time"
    )
    clock = routing.GetDimensionOrDie("time")
    # a customer may be left out at a high cost, so that a first solution always exists
    dropped = 100 * max(max(row) for row in cost)
    for position in range(1, size):
        routing.AddDisjunction([manager.NodeToIndex(position)], dropped)
    for position, node in enumerate(node_of[1:], start=1):
        clock.CumulVar(manager.NodeToIndex(position)).SetRange(*window[node])
    for vehicle in range(instance.vehicles):
        clock.CumulVar(routing.Start(vehicle)).SetRange(depot_open, depot_close)
        clock.CumulVar(routing.End(vehicle)).SetRange(depot_open, depot_close)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(int(seconds * 1000))
    del seed  # OR-Tools' routing search is deterministic
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        return []
    routes = []
    for vehicle in range(instance.vehicles):
        index, route = solution.Value(routing.NextVar(routing.Start(vehicle))), []
        while not routing.IsEnd(index):
            route.append(node_of[manager.IndexToNode(index)])
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes


SOLVERS = {"ours": solve_ours, "pyvrp": solve_pyvrp, "ortools": solve_ortools}


def peer_available(peer: str) -> bool:
    module = {"pyvrp": "pyvrp", "ortools": "ortools"}[peer]
    return importlib.util.find_spec(module) is not None


def run_one(task):
    """One solver on one instance, in its own process: the routes checked and timed."""
    path, solver, seconds, seed, known = task
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    instance = Instance(Path(path))
    started = time.perf_counter()
    try:
        routes = SOLVERS[solver](instance, seconds, seed)
        error = ""
    except Exception as exc:  # noqa: BLE001 - a peer's failure is reported, not fatal
        routes, error = [], f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - started
    feasible, distance, problem = instance.check(routes)
    row = {
        "routes": routes,
        "distance": distance / instance.scale if distance is not None else None,
        "distance_units": distance,
        "gap": (100.0 * (distance - known) / known) if distance is not None and known else None,
        "seconds": round(elapsed, 2),
        "feasible": feasible,
        "vehicles": len(routes),
        "problem": error or problem,
    }
    return instance.name, instance.klass, instance.group, solver, row


# ----------------------------------------------------------------------
# Summary and report
# ----------------------------------------------------------------------


def _mean(values):
    values = [value for value in values if value is not None]
    return sum(values) / len(values) if values else None


def summarize(results: list[dict], solvers: list[str]) -> dict:
    groups = {}
    for row in results:
        for name in (
            row["class"],
            "solomon" if row["group"] == "solomon" else "200 customers",
            "overall",
        ):
            groups.setdefault(name, []).append(row)
        if row["class"] in ("R1", "C1", "RC1"):
            groups.setdefault("solomon R1, C1, RC1", []).append(row)
    summary = {}
    for name, rows in groups.items():
        summary[name] = {"instances": len(rows)}
        for solver in solvers:
            runs = [row[solver] for row in rows if solver in row]
            summary[name][solver] = {
                "mean_gap": _mean([run["gap"] if run["feasible"] else None for run in runs]),
                "seconds": _mean([run["seconds"] for run in runs]),
                "infeasible": sum(1 for run in runs if not run["feasible"]),
            }
    return summary


def targets(summary: dict, solvers: list[str], seconds: float) -> list[dict]:
    checks = []
    for name, limit in TARGETS.items():
        if name in summary:
            gap = summary[name]["ours"]["mean_gap"]
            checks.append(
                {
                    "target": f"mean gap {name} <= {limit:g} %",
                    "value": gap,
                    "met": gap is not None and gap <= limit,
                }
            )
    overall = summary.get("overall")
    if overall:
        ours = overall["ours"]
        checks.append(
            {
                "target": f"seconds per instance <= {MAX_SECONDS:g}",
                "value": ours["seconds"],
                "met": round(ours["seconds"], 1) <= MAX_SECONDS,
            }
        )
        checks.append(
            {
                "target": "all our solutions feasible",
                "value": ours["infeasible"],
                "met": ours["infeasible"] == 0,
            }
        )
        for peer in solvers[1:]:
            theirs = overall[peer]
            met = ours["infeasible"] <= theirs["infeasible"] and (
                theirs["mean_gap"] is None
                or (ours["mean_gap"] is not None and ours["mean_gap"] <= theirs["mean_gap"])
            )
            checks.append(
                {
                    "target": f"ours no worse than {peer} in {seconds:g} s",
                    "value": [ours["mean_gap"], theirs["mean_gap"]],
                    "met": met,
                }
            )
    return checks


def _cell(solver, run):
    shown = f"{solver} {fmt(run['gap'])}%"
    return shown if run["feasible"] else f"{shown} INFEASIBLE ({run['problem']})"


def fmt(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def report(summary: dict, checks: list[dict], solvers: list[str]) -> list[str]:
    order = [
        *SOLOMON_CLASSES,
        "solomon",
        "solomon R1, C1, RC1",
        "C1_2",
        "C2_2",
        "R1_2",
        "R2_2",
        "RC1_2",
        "RC2_2",
    ]
    order += ["200 customers", "overall"]
    header = ["class", "n"]
    for solver in solvers:
        header += [f"gap % {solver}", f"s {solver}", f"infeasible {solver}"]
    rows = []
    for name in order:
        if name not in summary:
            continue
        row = [name, str(summary[name]["instances"])]
        for solver in solvers:
            cell = summary[name][solver]
            row += [fmt(cell["mean_gap"]), fmt(cell["seconds"], 1), str(cell["infeasible"])]
        rows.append(row)
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(header, widths, strict=True))]
    lines += [
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.append("")
    for check in checks:
        value = check["value"]
        if isinstance(value, list):
            shown = ", ".join(fmt(v) for v in value)
        else:
            shown = str(value) if isinstance(value, int) else fmt(value)
        lines.append(f"{'met    ' if check['met'] else 'NOT MET'}  {check['target']} ({shown})")
    return lines


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        help=f"the VRPTW data folder (default: {DATA_BESIDE} beside the repository)",
    )
    parser.add_argument(
        "--instances",
        default="*",
        help="comma-separated globs of instance names, e.g. 'R1*,C1*' (default: all)",
    )
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="time per instance and solver (default: 10)"
    )
    parser.add_argument(
        "--peer", default="pyvrp,ortools", help="peer solvers, comma-separated, or 'none'"
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="instances run in parallel processes (default: 1)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=RESULTS_JSON)
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target is missed"
    )
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.jobs <= 0:
        parser.error("--seconds and --jobs must be positive")
    args.peers = [
        peer.strip() for peer in args.peer.split(",") if peer.strip() and peer.strip() != "none"
    ]
    unknown = [peer for peer in args.peers if peer not in PEERS]
    if unknown:
        parser.error(f"unknown peer {', '.join(unknown)}: choose among {', '.join(PEERS)}")
    return args


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    data = args.data.resolve() if args.data else default_data()
    if not (data / "best_known.tsv").exists():
        print(f"No VRPTW data in {data} (give its folder with --data)")
        return 2
    known = best_known(data)
    patterns = [pattern.strip() for pattern in args.instances.split(",") if pattern.strip()]
    paths = sorted(
        (
            path
            for folder in ("solomon_100", "homberger_200")
            for path in (data / folder).glob("*.vrptw")
        ),
        key=lambda path: (path.parent.name, path.name),
    )
    paths = [
        path
        for path in paths
        if any(fnmatch.fnmatch(path.name.split(".")[0], pattern) for pattern in patterns)
    ]
    if not paths:
        print(f"No instance matches {args.instances!r}")
        return 2
    solvers = ["ours"]
    for peer in args.peers:
        if peer_available(peer):
            solvers.append(peer)
        else:
            print(f"Peer {peer} is not installed (pip install {peer}): skipped")
    print(
        f"VRPTW: {len(paths)} instances, {', '.join(solvers)}, {args.seconds:g} s each", flush=True
    )
    tasks = [
        (
            str(path),
            solver,
            args.seconds,
            args.seed,
            known.get(path.name.split(".")[0], {}).get("distance"),
        )
        for path in paths
        for solver in solvers
    ]
    by_name = {}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for name, klass, group, solver, row in pool.map(run_one, tasks):
            entry = by_name.setdefault(name, {"name": name, "class": klass, "group": group})
            entry[solver] = row
            if len(entry) == 3 + len(solvers):
                cells = "  ".join(_cell(solver, entry[solver]) for solver in solvers)
                print(f"  {name:10} {cells}", flush=True)
    results = list(by_name.values())
    summary = summarize(results, solvers)
    checks = targets(summary, solvers, args.seconds)
    print()
    for line in report(summary, checks, solvers):
        print(line)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "seconds": args.seconds,
                "solvers": solvers,
                "instances": results,
                "summary": summary,
                "targets": checks,
            },
            indent=1,
        )
    )
    print(f"\nWritten {args.output}")
    return 1 if args.check and not all(check["met"] for check in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
