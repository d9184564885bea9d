#!/usr/bin/env python3
"""Upgrade and uninstall stage of tests/run (tests/README.md, "Upgrade stage").

On a database with our addons installed, with demo data and records made by flows:

1. snapshot: records per model of ours, non-empty values per stored field of ours (on our
   models and on core models), a few stored values record by record (ticket stages,
   warranty states and end dates, return states and refund amounts...);
2. `odoo -u <our first addon>` (which upgrades the ones that depend on it) with this tree;
   checklog-odoo on its log; the snapshot again: same records, same values (a stored field
   that disappeared with values is accepted only when a new field of the same model holds
   as many values: a renaming with its migration script);
3. each addon uninstalled (dependents first: the reverse of manifestoo's order) with
   `button_immediate_uninstall`, checklog-odoo on the log, then checked on a fresh
   registry: its models, fields, views, menus, rules, actions and tables are gone (and, after
   the last one, nothing named after-sales is left anywhere), the sales, inventory and
   invoicing screens load (their actions' views and first records, as the admin), Odoo's
   menus load, and the partners, sale orders, pickings and invoices that are not our data
   are all still there.

With `--upgrade-from REV`, the database is a new one, installed (with demo data) from the
addons of git revision REV, checked out in a worktree, then upgraded to this tree.

Run by tests/run (standard library only); alone:
    tests/upgrade_check.py --db DB            # on a database with the addons installed
    tests/upgrade_check.py --upgrade-from REV # installs REV in a new database first
The part that runs inside Odoo is this file too (`inside ACTION`, with Odoo's Python).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import odoo_env  # noqa: E402
from odoo_env import REPO, EnvError, info, rel, run  # noqa: E402

RESULTS_DIR = REPO / ".test-results"
LOG_DIR = RESULTS_DIR / "upgrade"
CHECKLOG_CONFIG = REPO / "checklog-odoo.cfg"
STEP_TIMEOUT = 1800  # seconds for one Odoo step (install, -u, one uninstall)

# The screens that must still open after each uninstall: sales, inventory, invoicing, contacts.
SCREENS = [
    "sale.action_quotations_with_onboarding",
    "sale.action_orders",
    "stock.action_picking_tree_all",
    "stock.product_template_action_product",
    "account.action_move_out_invoice_type",
    "account.action_move_out_refund_type",
    "account.action_move_in_invoice_type",
    "base.action_partner_form",
]
# Core records that stay whatever addon goes (those that are not our addons' data).
CORE_MODELS = ["res.partner", "sale.order", "stock.picking", "account.move", "product.product"]
# Stored values compared record by record across the upgrade (fields missing in a version are skipped).
TRACKED_VALUES = {
    "aftersales.ticket": ["stage_id", "priority", "closed_date", "user_id"],
    "aftersales.visit": ["state", "technician_id"],
    "aftersales.warranty": ["state", "start_date", "end_date", "covered_until"],
    "aftersales.rma": ["state", "amount_refund", "amount_credited", "amount_claimed"],
    "aftersales.contract": ["state"],
}
# Uninstalling, Odoo tries to delete the addon's data and keeps what other records still use
# (a demo product on an invoice): the DELETE that fails is logged by odoo.sql_db as an ERROR
# "bad query"; then it checks whether the records it kept still exist, which fails the same
# way for those whose table it has just dropped (ir.model.data's _module_data_uninstall).
# Expected there, not elsewhere.
UNINSTALL_EXPECTED_ERRORS = [
    r"^\S+ \S+ \d+ ERROR \S+ odoo\.sql_db: bad query: b?'DELETE FROM \"\w+\" WHERE id IN \([\d, ]+\)'\n"
    r"ERROR: update or delete on table \"\w+\" violates foreign key constraint",
    r"^\S+ \S+ \d+ ERROR \S+ odoo\.sql_db: bad query: b?'SELECT \"(\w+)\"\.\"id\" FROM \"\1\" "
    r"WHERE \"\1\"\.\"id\" IN \([\d, ]+\)'\nERROR: relation \"\1\" does not exist",
]
# The metadata each addon owns, checked gone after its uninstallation.
OWNED_METADATA = ["ir.model", "ir.model.fields", "ir.ui.view", "ir.ui.menu", "ir.rule", "ir.actions.act_window"]


@dataclass
class StageResult:
    passed: bool = True
    details: list[str] = field(default_factory=list)  # what was checked, with times
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.passed = False
        self.problems.append(text)
        info(f"  FAILED: {text}")

    def detail(self, text: str) -> None:
        self.details.append(text)
        info(f"  {text}")


# --------------------------------------------------------------------------
# Driver (any Python 3.10+)
# --------------------------------------------------------------------------


class Stage:
    def __init__(self, odoo: odoo_env.Odoo, pg: odoo_env.Postgres, db: str, result: StageResult):
        self.odoo, self.pg, self.db, self.result = odoo, pg, db, result
        LOG_DIR.mkdir(parents=True, exist_ok=True)

    def options(self, addons_dir: Path = odoo_env.ADDONS_DIR) -> list[str]:
        return odoo_env.odoo_options(self.odoo, self.pg, RESULTS_DIR, addons_dir=addons_dir)

    def odoo_step(self, name: str, args: list[str], addons_dir: Path = odoo_env.ADDONS_DIR) -> bool:
        """`odoo ARGS` on the database; its log in LOG_DIR/NAME.log, checked by checklog-odoo."""
        cmd = [
            self.odoo.bin,
            *self.options(addons_dir),
            f"--database={self.db}",
            *args,
            "--stop-after-init",
            "--no-http",
        ]
        return self.logged(name, cmd)

    def inside(
        self, name: str, action: str, *args: str, ignore: Sequence[str] = (), addons_dir: Path = odoo_env.ADDONS_DIR
    ) -> dict | None:
        """This file's ACTION inside Odoo (with the addons of `addons_dir`); returns the JSON it
        writes (None when it failed)."""
        output = LOG_DIR / f"{name}.json"
        output.unlink(missing_ok=True)
        cmd = odoo_env.script_command(
            self.odoo,
            Path(__file__),
            self.db,
            self.options(addons_dir),
            ["inside", action, "--output", str(output), *args],
        )
        if not self.logged(name, cmd, ignore) or not output.exists():
            return None
        return json.loads(output.read_text())

    def logged(self, name: str, cmd: list[str], ignore: Sequence[str] = ()) -> bool:
        log = LOG_DIR / f"{name}.log"
        started = time.monotonic()
        code = odoo_env.run_teed(cmd, log, STEP_TIMEOUT, lambda line: None, cwd=odoo_env.odoo_cwd(self.odoo))
        seconds = time.monotonic() - started
        if code is None:
            self.result.problem(f"{name}: stopped after {STEP_TIMEOUT}s; see {rel(log)}")
            return False
        if code:
            self.result.problem(f"{name}: exit code {code}; see {rel(log)}")
            tail = [line for line in log.read_text(errors="replace").splitlines() if line.strip()][-15:]
            info("    " + "\n    ".join(tail))
            return False
        passed, report = odoo_env.check_log(log, CHECKLOG_CONFIG, ignore)
        if not passed:
            self.result.problem(f"{name}: checklog-odoo found ERROR or unexpected WARNING records in {rel(log)}")
            info("    " + report.replace("\n", "\n    "))
            return False
        kept = report.count("bad query: b'DELETE") if ignore else 0
        note = f"; Odoo kept {kept} records of its data that others use" if kept else ""
        self.result.detail(f"{name}: {seconds:.0f}s, log clean ({rel(log)}){note}")
        return True


def compare(before: dict, after: dict, result: StageResult) -> None:
    """The snapshot after the upgrade against the one before."""
    for model, count in before["counts"].items():
        now = after["counts"].get(model)
        if now is None and count:
            result.problem(f"model {model} ({count} records) is gone after the upgrade")
        elif now is not None and now != count:
            result.problem(f"{model}: {count} records before the upgrade, {now} after")
    renamed = []
    for model, fields in before["stored"].items():
        now_fields = after["stored"].get(model, {})
        for name, (count, computed) in fields.items():
            if name in now_fields:
                if now_fields[name][0] != count and not computed:
                    result.problem(f"{model}.{name}: {count} values before the upgrade, {now_fields[name][0]} after")
                continue
            if not count:
                continue
            new = [n for n, (c, _computed) in now_fields.items() if n not in fields and c == count]
            new.sort(key=lambda n: not name.endswith(n))  # aftersales_workshop -> workshop first
            if new:
                renamed.append(f"{model}.{name} -> {new[0]}")
            else:
                result.problem(f"{model}.{name}: its {count} values are gone after the upgrade (a migration missing?)")
    if renamed:
        result.detail(f"fields renamed with their values: {', '.join(renamed)}")
    changed = 0
    for model, records in before["values"].items():
        now_records = after["values"].get(model, {})
        for record_id, values in records.items():
            now = now_records.get(record_id)
            if now is None:
                continue  # a missing record is reported by the counts
            diff = {k: (v, now[k]) for k, v in values.items() if k in now and now[k] != v}
            if diff:
                changed += 1
                if changed <= 10:
                    result.problem(f"{model} {record_id}: values changed by the upgrade {diff}")
    if changed > 10:
        result.problem(f"{changed - 10} more records with values changed by the upgrade")
    tracked = sum(len(records) for records in before["values"].values())
    result.detail(
        f"compared across the upgrade: {sum(before['counts'].values())} records of {len(before['counts'])} models, "
        f"the values of {sum(len(f) for f in before['stored'].values())} stored fields, "
        f"{tracked} records' tracked values (ticket stages, visit and warranty states, warranty dates, refunds)"
    )


def install_from(stage: Stage, rev: str) -> Path:
    """A worktree of REV and the database installed from its addons (demo data); returns the worktree."""
    sha = run(["git", "-C", str(REPO), "rev-parse", "--verify", f"{rev}^{{commit}}"]).stdout.strip()
    if not sha:
        raise EnvError(f"--upgrade-from {rev}: not a git revision of {REPO}")
    tree = LOG_DIR / f"src-{sha[:10]}"
    if not tree.exists():
        res = run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), sha], timeout=300)
        if res.returncode:
            raise EnvError(f"git worktree add {tree} {sha}: {res.stderr.strip()}")
    addons = odoo_env.our_addons(tree / "addons")
    stage.result.detail(f"installing {', '.join(addons)} from {rev} ({sha[:10]}) with demo data in {stage.db}")
    stage.odoo_step("install-from", [f"--init={','.join(addons)}"], addons_dir=tree / "addons")
    return tree


def run_stage(
    odoo: odoo_env.Odoo,
    pg: odoo_env.Postgres,
    db: str,
    upgrade_from: str | None = None,
    keep_db: bool = False,
) -> StageResult:
    """The whole stage on `db` (or, with `upgrade_from`, on `<db>_from`, made here)."""
    result = StageResult()
    started = time.monotonic()
    tree = None
    if upgrade_from:
        db = f"{db}_from"
        if odoo_env.database_exists(odoo, pg, db):
            raise EnvError(f"database {db} already exists: drop it first")
    stage = Stage(odoo, pg, db, result)
    try:
        if upgrade_from:
            tree = install_from(stage, upgrade_from)
        if result.passed:
            check_upgrade_and_uninstall(stage, tree / "addons" if tree else odoo_env.ADDONS_DIR)
    finally:
        if upgrade_from:
            if keep_db:
                info(f"  database {db} kept")
            else:
                odoo_env.drop_database(odoo, pg, db, RESULTS_DIR / "odoo-data")
        if tree is not None:
            run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], timeout=300)
    result.detail(f"upgrade stage: {time.monotonic() - started:.0f}s in all")
    return result


def check_upgrade_and_uninstall(stage: Stage, installed_from: Path) -> None:
    """The snapshot with the code the database was installed with (`installed_from`), -u
    with this tree, the snapshot again, the uninstallations."""
    result = stage.result
    ours = odoo_env.our_addons()
    before = stage.inside("snapshot-before", "snapshot", "--addons", ",".join(ours), addons_dir=installed_from)
    if before is None:
        return
    installed = [addon for addon in ours if addon in before["installed"]]
    if not installed:
        result.problem(f"none of {', '.join(ours)} is installed in {stage.db}")
        return
    if not stage.odoo_step("upgrade", [f"--update={installed[0]}"]):
        return
    after = stage.inside("snapshot-after", "snapshot", "--addons", ",".join(ours))
    if after is None:
        return
    compare(before, after, result)
    state_file = LOG_DIR / "snapshot-after.json"  # the uninstall checks read the ownership and core ids there
    gone: list[str] = []
    for addon in reversed(installed):
        if not stage.inside(f"uninstall-{addon}", "uninstall", "--module", addon, ignore=UNINSTALL_EXPECTED_ERRORS):
            return
        gone.append(addon)
        checked = stage.inside(
            f"check-{addon}",
            "check",
            "--gone",
            ",".join(gone),
            "--snapshot",
            str(state_file),
            "--all-gone",
            "1" if len(gone) == len(installed) else "0",
        )
        if checked is None:
            return
        for problem in checked["problems"]:
            result.problem(f"after uninstalling {addon}: {problem}")
        if not checked["problems"]:
            result.detail(f"after uninstalling {addon}: {'; '.join(checked['checked'])}")


# --------------------------------------------------------------------------
# Inside Odoo (Odoo's Python): `upgrade_check.py inside ACTION --db DB --odoo-arg ...`
# --------------------------------------------------------------------------


def inside_snapshot(env, args) -> dict:
    """Counts, stored values and ownership of our addons' records."""
    ours = args.addons.split(",")
    installed = env["ir.module.module"].search([("name", "in", ours), ("state", "=", "installed")]).mapped("name")
    data = env["ir.model.data"].search([("module", "in", installed)])
    owned: dict[str, dict[str, list[int]]] = {}
    for row in data:
        owned.setdefault(row.module, {}).setdefault(row.model, []).append(row.res_id)
    our_models = env["ir.model"].browse(id_ for module in owned.values() for id_ in module.get("ir.model", []))
    counts, stored = {}, {}
    for model_name in sorted(set(our_models.mapped("model"))):
        model = env.get(model_name)
        if model is None or model._abstract or model._transient:
            continue
        counts[model_name] = model.with_context(active_test=False).search_count([])
    our_fields = env["ir.model.fields"].browse(
        id_ for module in owned.values() for id_ in module.get("ir.model.fields", [])
    )
    by_model: dict[str, list[str]] = {}
    for field_rec in our_fields:
        by_model.setdefault(field_rec.model, []).append(field_rec.name)
    for model_name in counts:  # every stored field of our models, inherited ones too
        by_model.setdefault(model_name, [])
        by_model[model_name] = sorted(set(by_model[model_name]) | set(env[model_name]._fields))
    for model_name, names in sorted(by_model.items()):
        model = env.get(model_name)
        if model is None or model._abstract or model._transient or not model._auto:
            continue
        columns = [
            f
            for f in (model._fields.get(n) for n in names)
            if f and f.store and f.column_type and f.type not in ("binary",) and f.name != "id"
        ]
        if not columns:
            continue
        sql = ", ".join(f'count("{f.name}")' for f in columns)
        env.cr.execute(f'SELECT {sql} FROM "{model._table}"')  # noqa: S608 - names from the registry
        stored[model_name] = {f.name: [n, bool(f.compute)] for f, n in zip(columns, env.cr.fetchone(), strict=True)}
    values = {}
    for model_name, names in TRACKED_VALUES.items():
        model = env.get(model_name)
        if model is None:
            continue
        names = [n for n in names if n in model._fields and model._fields[n].store]
        rows = model.with_context(active_test=False).search([]).read(names, load=None)
        values[model_name] = {str(row["id"]): {n: str(row[n]) for n in names} for row in rows}
    core = {}
    ours_data = env["ir.model.data"].search([("module", "in", installed), ("model", "in", CORE_MODELS)])
    owned_core = {(row.model, row.res_id) for row in ours_data}
    for model_name in CORE_MODELS:
        if model_name in env:
            ids = env[model_name].with_context(active_test=False).search([]).ids
            core[model_name] = [id_ for id_ in ids if (model_name, id_) not in owned_core]
    return {
        "installed": installed,
        "counts": counts,
        "stored": stored,
        "values": values,
        "owned": owned,
        "core": core,
        "models_of": {name: env[name]._original_module for name in set(our_models.mapped("model")) if name in env},
    }


def inside_uninstall(env, args) -> dict:
    module = env["ir.module.module"].search([("name", "=", args.module)])
    if module.state != "installed":
        raise SystemExit(f"{args.module} is not installed ({module.state or 'unknown'})")
    module.button_immediate_uninstall()
    return {"uninstalled": args.module}


def inside_check(env, args) -> dict:
    """After uninstalling: what the gone addons owned is gone, the screens open, core records stay."""
    snapshot = json.loads(Path(args.snapshot).read_text())
    gone = args.gone.split(",")
    problems, checked = [], []
    modules = env["ir.module.module"].search([("name", "in", gone)])
    problems += [f"{m.name} is {m.state}, not uninstalled" for m in modules if m.state != "uninstalled"]
    # What they owned alone is gone; Odoo keeps the records also declared by other addons (a
    # model or a field that they extend) and the data other records still use (with its xml id).
    kept = env["ir.model.data"].search([("module", "in", gone)])
    if kept:
        models = sorted(set(kept.mapped("model")))
        dangling = [m for m in models if m not in env]
        checked.append(
            f"{len(kept)} records of their data kept by Odoo, still used ({', '.join(models)})"
            + (
                f", their xml ids on models now gone left as Odoo leaves them ({', '.join(dangling)})"
                if dangling
                else ""
            )
        )
    for module in gone:
        for model_name, ids in snapshot["owned"].get(module, {}).items():
            if model_name not in OWNED_METADATA:
                continue
            still = env[model_name].with_context(active_test=False).browse(ids).exists()
            shared = env["ir.model.data"].search(
                [("model", "=", model_name), ("res_id", "in", still.ids), ("module", "not in", gone)]
            )
            still = still.browse(set(still.ids) - set(shared.mapped("res_id")))
            if model_name == "ir.model.fields":
                names = still.mapped(lambda f: f"{f.model}.{f.name}")
            else:
                names = still.mapped("display_name")
            if still:
                problems.append(f"{len(still)} {model_name} of {module} left: {', '.join(names[:10])}")
    checked.append(f"no {', '.join(OWNED_METADATA)} of {', '.join(gone)} left")
    # tables and columns of the fields they owned
    env.cr.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
    )
    columns = set(env.cr.fetchall())
    tables = {table for table, _column in columns}
    for model_name, owner in snapshot["models_of"].items():
        table = model_name.replace(".", "_")
        if owner in gone and model_name not in env and table in tables:
            problems.append(f"table {table} of {model_name} left")
    if args.all_gone == "1":
        problems += leftovers_named_aftersales(env, tables, columns)
        checked.append("nothing named aftersales left (models, fields, views, menus, rules, actions, tables, columns)")
    problems += screens_open(env, checked)
    admin = env.ref("base.user_admin")
    env["ir.ui.menu"].with_user(admin).load_menus(debug=False)
    checked.append("the admin's menus load")
    for model_name, ids in snapshot["core"].items():
        if model_name not in env:
            problems.append(f"model {model_name} is gone")
            continue
        missing = set(ids) - set(env[model_name].with_context(active_test=False).browse(ids).exists().ids)
        if missing:
            problems.append(f"{len(missing)} of {len(ids)} {model_name} records gone: {sorted(missing)[:10]}")
    checked.append(
        "core records all there (" + ", ".join(f"{len(ids)} {m}" for m, ids in snapshot["core"].items()) + ")"
    )
    return {"problems": problems, "checked": checked}


def leftovers_named_aftersales(env, tables: set, columns: set) -> list[str]:
    problems = []
    queries = {
        "ir.model": "SELECT model FROM ir_model WHERE model LIKE 'aftersales.%%'",
        "ir.model.fields": "SELECT model || '.' || name FROM ir_model_fields "
        "WHERE model LIKE 'aftersales.%%' OR relation LIKE 'aftersales.%%' OR name LIKE 'aftersales%%'",
        "ir.ui.view": "SELECT name FROM ir_ui_view WHERE model LIKE 'aftersales.%%' OR key LIKE 'aftersales%%' "
        "OR arch_db::text LIKE '%%aftersales\\_%%'",
        "ir.ui.menu": "SELECT name::text FROM ir_ui_menu WHERE name::text ILIKE '%%after-sales%%'",
        "ir.rule": "SELECT r.name FROM ir_rule r JOIN ir_model m ON m.id = r.model_id "
        "WHERE m.model LIKE 'aftersales.%%' OR r.domain_force LIKE '%%aftersales%%'",
        "ir.actions.act_window": "SELECT name::text FROM ir_act_window WHERE res_model LIKE 'aftersales.%%'",
        "ir.actions.server": "SELECT name::text FROM ir_act_server WHERE code LIKE '%%aftersales%%'",
        "ir.cron": "SELECT cron_name::text FROM ir_cron WHERE cron_name::text LIKE '%%aftersales%%'",
    }
    for what, sql in queries.items():
        env.cr.execute(sql)
        names = [row[0] for row in env.cr.fetchall()]
        if names:
            problems.append(f"{len(names)} {what} about aftersales left: {', '.join(map(str, names[:10]))}")
    left_tables = sorted(t for t in tables if t.startswith("aftersales_"))
    if left_tables:
        problems.append(f"tables left: {', '.join(left_tables[:10])}")
    left_columns = sorted(f"{t}.{c}" for t, c in columns if "aftersales" in c and not t.startswith("aftersales_"))
    if left_columns:
        problems.append(f"columns left: {', '.join(left_columns[:10])}")
    return problems


def screens_open(env, checked: list[str]) -> list[str]:
    """The actions of SCREENS as the admin: their views load, their first records read."""
    problems, opened = [], []
    admin = env.ref("base.user_admin")
    for xmlid in SCREENS:
        action = env.ref(xmlid, raise_if_not_found=False)
        if action is None:
            problems.append(f"action {xmlid} is missing")
            continue
        try:
            with env.cr.savepoint():
                model = env[action.res_model].with_user(admin).with_context(**safe_context(action))
                views = model.get_views(action.views + [(False, "search")], {"toolbar": True, "load_filters": True})
                fields = list(views["models"][action.res_model]["fields"])
                model.search_read([], fields, limit=20)
            opened.append(xmlid)
        except Exception as exc:  # noqa: BLE001 - every failure is a broken screen to report
            problems.append(f"screen {xmlid} does not open: {type(exc).__name__}: {exc}")
    checked.append(f"{len(opened)} screens open ({', '.join(opened)})")
    return problems


def safe_context(action) -> dict:
    from odoo.tools.safe_eval import safe_eval  # noqa: PLC0415 - inside Odoo only

    try:
        return dict(safe_eval(action.context or "{}", {"uid": action.env.uid, "active_id": False}))
    except Exception:  # noqa: BLE001 - a context needing more than uid: open the screen without it
        return {}


def inside_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="upgrade_check.py inside")
    parser.add_argument("action", choices=["snapshot", "uninstall", "check"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-arg", action="append", default=[])
    parser.add_argument("--output", required=True)
    parser.add_argument("--addons")
    parser.add_argument("--module")
    parser.add_argument("--gone")
    parser.add_argument("--snapshot")
    parser.add_argument("--all-gone", default="0")
    args = parser.parse_args(argv)
    import odoo  # noqa: PLC0415 - inside Odoo only
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    registry = odoo_env.odoo_registry(args.db, args.odoo_arg)
    action = {"snapshot": inside_snapshot, "uninstall": inside_uninstall, "check": inside_check}[args.action]
    with registry.cursor() as cr:
        out = action(api.Environment(cr, SUPERUSER_ID, {}), args)
        if args.action == "check":
            cr.rollback()  # the checks change nothing
    Path(args.output).write_text(json.dumps(out, indent=1, default=str) + "\n")
    odoo.sql_db.close_all()
    return 0


def main(argv: list[str]) -> int:
    if "inside" in argv:  # script_command() puts --db and --odoo-arg first
        argv.remove("inside")
        return inside_main(argv)
    parser = argparse.ArgumentParser(prog="tests/upgrade_check.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database with the addons installed (its addons get uninstalled!)")
    parser.add_argument("--upgrade-from", metavar="REV", help="install REV's addons in DB_from first")
    parser.add_argument("--keep-db", action="store_true", help="keep the --upgrade-from database")
    args = parser.parse_args(argv)
    if not (args.db or args.upgrade_from):
        parser.error("give --db, --upgrade-from or both")
    odoo = odoo_env.find_odoo()
    pg = odoo_env.find_postgres(odoo)
    db = args.db or f"upgrade_check_{time.strftime('%Y%m%d_%H%M%S')}"
    info(f"$ {shlex.join(['tests/upgrade_check.py', *argv])}")
    result = run_stage(odoo, pg, db, upgrade_from=args.upgrade_from, keep_db=args.keep_db)
    info(f"Upgrade stage: {'passed' if result.passed else 'failed'}")
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
