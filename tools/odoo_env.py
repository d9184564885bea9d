"""What tests/run, tests/upgrade_check.py and bench/run share: finding Odoo and its Python,
PostgreSQL, scratch databases, Odoo's command-line options, running a script inside Odoo,
and the PyPI tools that `tests/setup` installs (manifestoo, checklog-odoo, pre-commit).

Standard library only (Python 3.10+): the runners import it with any Python. A script run
inside Odoo (with Odoo's Python) opens its database with `odoo_registry()`.
Nothing here installs anything: a missing piece raises `EnvError` saying how to get it.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDONS_DIR = REPO / "addons"
TOOLS_VENV = REPO / ".venv-tools"  # made by tests/setup from tests/requirements.txt
ODOO_SERIES = "18.0"
SETUP_HINT = "Run `tests/setup` (it installs the tools of tests/requirements.txt into .venv-tools/)."


class EnvError(Exception):
    """A missing or broken piece of the environment, with what to do about it."""


def info(msg: str = "") -> None:
    print(msg, flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command, capturing its output as text."""
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(cmd, check=False, **kwargs)


def rel(path: Path | str) -> str:
    try:
        return str(Path(path).relative_to(REPO))
    except ValueError:
        return str(path)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def git_head(repo: Path = REPO) -> tuple[str, bool]:
    """(commit, has local changes) of the checkout."""
    sha = run(["git", "-C", str(repo), "rev-parse", "HEAD"]).stdout.strip() or "unknown"
    dirty = bool(run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"]).stdout.strip())
    return sha, dirty


# --------------------------------------------------------------------------
# Tools from PyPI (tests/requirements.txt)
# --------------------------------------------------------------------------


def find_tool(name: str) -> str:
    """A tool of tests/requirements.txt: from .venv-tools/, else from PATH."""
    local = TOOLS_VENV / "bin" / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found:
        return found
    raise EnvError(f"`{name}` not found (neither in {rel(TOOLS_VENV)}/bin nor on PATH). {SETUP_HINT}")


def our_addons(addons_dir: Path = ADDONS_DIR) -> list[str]:
    """The addons of `addons_dir`, dependencies first (manifestoo's topological order)."""
    cmd = [find_tool("manifestoo"), "--select-addons-dir", str(addons_dir), "--odoo-series", ODOO_SERIES]
    res = run([*cmd, "list", "--sort", "topological", "--separator", ","], timeout=300)
    if res.returncode:
        raise EnvError(f"manifestoo could not list the addons of {rel(addons_dir)}: {res.stderr.strip()}")
    return [name for name in res.stdout.strip().split(",") if name]


def check_log(log: Path, config: Path, extra_ignore: Sequence[str] = ()) -> tuple[bool, str]:
    """checklog-odoo on an Odoo log: (passed, its report). Its ignore patterns come from
    `config` (an INI file with a [checklog-odoo] section, see checklog-odoo.cfg), plus
    `extra_ignore`."""
    if extra_ignore:  # checklog-odoo's -i replaces the configured patterns: write them all
        parser = configparser.RawConfigParser()
        parser.read(config)
        patterns = parser.get("checklog-odoo", "ignore", fallback="").splitlines()
        parser["checklog-odoo"]["ignore"] = "\n".join([*patterns, *extra_ignore])
        config = log.with_name(log.stem + "-checklog.cfg")
        with open(config, "w", encoding="utf-8") as handle:
            parser.write(handle)
    res = run([find_tool("checklog-odoo"), "--no-echo", "--no-err-if-empty", "-c", str(config), str(log)], timeout=300)
    return res.returncode == 0, (res.stdout + res.stderr).strip()


# --------------------------------------------------------------------------
# Odoo and its Python
# --------------------------------------------------------------------------


@dataclass
class Odoo:
    bin: str
    python: str
    core_paths: list[str]  # Odoo's own addons folders
    extra_paths: list[str] = field(default_factory=list)  # e.g. the bench's OCA peers

    def addons_paths(self, addons_dir: Path = ADDONS_DIR) -> list[str]:
        return [str(addons_dir), *self.core_paths, *self.extra_paths]


def find_odoo() -> Odoo:
    """Odoo 18 from ODOO_BIN or PATH, with its Python (ODOO_PYTHON or the script's shebang)."""
    how = (
        "Install Odoo 18 and put `odoo` on PATH, or set ODOO_BIN to its odoo / odoo-bin script "
        "(README.md also shows the docker-compose way)."
    )
    odoo_bin = os.environ.get("ODOO_BIN") or shutil.which("odoo")
    if not odoo_bin:
        raise EnvError(f"Odoo not found: no `odoo` on PATH and ODOO_BIN is not set.\n{how}")
    if not (os.path.isfile(odoo_bin) and os.access(odoo_bin, os.X_OK)):
        raise EnvError(f"Odoo not found: {odoo_bin} is not an executable file.\n{how}")
    res = run([odoo_bin, "--version"], timeout=120)
    version = (res.stdout + res.stderr).strip()
    if not re.search(rf"\b{re.escape(ODOO_SERIES)}\b", version):
        raise EnvError(f"{odoo_bin} --version says {version!r}, Odoo {ODOO_SERIES} is needed.\n{how}")
    python = os.environ.get("ODOO_PYTHON") or python_of_script(odoo_bin)
    if not python:
        raise EnvError(f"cannot tell which Python runs {odoo_bin}; set ODOO_PYTHON to it.")
    # From the script's folder, so that a source checkout (odoo-bin beside odoo/) imports too.
    res = run(
        [python, "-c", "import odoo, os; print(os.path.dirname(odoo.__file__))"],
        cwd=os.path.dirname(os.path.realpath(odoo_bin)),
    )
    if res.returncode:
        raise EnvError(f"{python} cannot import odoo ({res.stderr.strip()[-300:]}); set ODOO_PYTHON to Odoo's Python.")
    package = Path(res.stdout.strip().splitlines()[-1])
    core_paths = [str(p) for p in (package / "addons", package.parent / "addons") if p.is_dir()]
    return Odoo(bin=odoo_bin, python=python, core_paths=core_paths)


def python_of_script(script: str) -> str | None:
    """The interpreter named by a script's shebang (`#!/path/python3` or `#!/usr/bin/env python3`)."""
    try:
        with open(script, "rb") as handle:
            first = handle.readline().decode(errors="replace").strip()
    except OSError:
        return None
    if not first.startswith("#!"):
        return None
    words = shlex.split(first[2:])
    if not words:
        return None
    if os.path.basename(words[0]) == "env":
        words = [w for w in words[1:] if not w.startswith("-")]
        return shutil.which(words[0]) if words else None
    return words[0]


def python_has(python: str, module: str) -> bool:
    return run([python, "-c", f"import {module}"]).returncode == 0


# --------------------------------------------------------------------------
# PostgreSQL (through Odoo's Python, which always has psycopg2)
# --------------------------------------------------------------------------


@dataclass
class Postgres:
    host: str
    port: str
    user: str

    def options(self) -> list[str]:
        return [f"--db_host={self.host}", f"--db_port={self.port}", f"--db_user={self.user}"]


PG_HELPER = """
import json, sys
import psycopg2
host, port, user, action, name = sys.argv[1:6]
def connect(dbname):
    conn = psycopg2.connect(dbname=dbname, host=host, port=port, user=user, connect_timeout=10)
    conn.autocommit = True
    return conn, conn.cursor()
conn, cur = connect("postgres")
out = {"exists": False, "installed": [], "createdb": False}
cur.execute("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user")
out["createdb"] = bool(cur.fetchone()[0])
if name:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    out["exists"] = bool(cur.fetchone())
if action == "drop" and out["exists"]:
    force = " WITH (FORCE)" if conn.server_version >= 130000 else ""
    cur.execute('DROP DATABASE "%s"%s' % (name.replace('"', '""'), force))
elif out["exists"]:
    conn.close()
    conn, cur = connect(name)
    cur.execute("SELECT to_regclass('ir_module_module') IS NOT NULL")
    if cur.fetchone()[0]:
        cur.execute("SELECT name FROM ir_module_module WHERE state = 'installed'")
        out["installed"] = [row[0] for row in cur.fetchall()]
print(json.dumps(out))
"""


def find_postgres(odoo: Odoo) -> Postgres:
    """The server of PGHOST/PGPORT/PGUSER (127.0.0.1, 5432, odoo), checked: it answers and the
    role may create databases."""
    pg = Postgres(
        host=os.environ.get("PGHOST") or "127.0.0.1",
        port=os.environ.get("PGPORT") or "5432",
        user=os.environ.get("PGUSER") or "odoo",
    )
    if pg.user == "postgres":
        raise EnvError(
            "PGUSER is 'postgres': Odoo refuses to run as the PostgreSQL superuser. "
            "Unset PGUSER (the default is 'odoo') or set it to another role."
        )
    if not pg_call(odoo, pg, "exists", "")["createdb"]:
        raise EnvError(f"PostgreSQL role {pg.user!r} may not create databases: ALTER ROLE {pg.user} CREATEDB;")
    return pg


def pg_call(odoo: Odoo, pg: Postgres, action: str, name: str) -> dict:
    """`{"exists": bool, "installed": [module names], "createdb": bool}` of database `name`;
    drops it first when `action` is "drop"."""
    res = run([odoo.python, "-c", PG_HELPER, pg.host, pg.port, pg.user, action, name], timeout=300)
    if res.returncode:
        # psycopg2's message: the last line of the traceback that is not indented
        lines = [line for line in res.stderr.splitlines() if line.strip()]
        message = next((line for line in reversed(lines) if not line[0].isspace()), "")
        hint = ""
        if "role" in message and "does not exist" in message:
            hint = (
                f"\nCreate the role: psql -U postgres -c 'CREATE ROLE {pg.user} LOGIN CREATEDB' (or run tests/setup)."
            )
        raise EnvError(
            f"cannot use PostgreSQL at {pg.host}:{pg.port} as {pg.user!r}: {message}\n"
            "Start it, or point PGHOST/PGPORT/PGUSER (and PGPASSWORD) at a running server." + hint
        )
    return json.loads(res.stdout.strip().splitlines()[-1])


def database_exists(odoo: Odoo, pg: Postgres, name: str) -> bool:
    return pg_call(odoo, pg, "exists", name)["exists"]


def drop_database(odoo: Odoo, pg: Postgres, name: str, data_dir: Path) -> None:
    """Drop the database and its filestore; a failure is only reported."""
    try:
        pg_call(odoo, pg, "drop", name)
    except EnvError as exc:
        info(f"warning: could not drop database {name}: {exc}")
    shutil.rmtree(data_dir / "filestore" / name, ignore_errors=True)


# --------------------------------------------------------------------------
# Odoo's command line, scripts inside Odoo
# --------------------------------------------------------------------------


def odoo_options(
    odoo: Odoo, pg: Postgres, results_dir: Path, log_level: str = "info", addons_dir: Path = ADDONS_DIR
) -> list[str]:
    """The options every Odoo process of a run gets: an empty config file (keeps ~/.odoorc
    out), the addons path, the data dir and the database server, no workers, no cron."""
    results_dir.mkdir(parents=True, exist_ok=True)
    config = results_dir / "odoo.conf"
    config.write_text("[options]\n")
    return [
        f"--config={config}",
        f"--addons-path={','.join(odoo.addons_paths(addons_dir))}",
        f"--data-dir={results_dir / 'odoo-data'}",
        *pg.options(),
        "--workers=0",
        "--max-cron-threads=0",
        f"--log-level={log_level}",
    ]


def odoo_cwd(odoo: Odoo) -> str:
    """Where to run Odoo's Python so that a source checkout (odoo-bin beside odoo/) imports."""
    return os.path.dirname(os.path.realpath(odoo.bin))


def script_command(odoo: Odoo, script: Path, db: str, odoo_args: list[str], script_args: list[str]) -> list[str]:
    """A script run inside Odoo with Odoo's Python: `script --db DB --odoo-arg=... ARGS`
    (the script opens the database with `odoo_registry()`)."""
    return [odoo.python, str(script), "--db", db, *(f"--odoo-arg={arg}" for arg in odoo_args), *script_args]


def run_group(cmd: list[str], timeout: float, cwd: str | None = None, **popen) -> int:
    """Run a command in its own process group (its output to the console unless redirected
    with `stdout=`); on a timeout or an interruption the whole group is ended, forks too.
    Raises subprocess.TimeoutExpired."""
    process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True, **popen)
    try:
        return process.wait(timeout=timeout)
    except BaseException:
        kill_group(process)
        raise


def kill_group(process: subprocess.Popen, grace: float = 10) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            pass


def odoo_registry(db: str, odoo_args: list[str]):
    """Inside Odoo (Odoo's Python): configure Odoo with `odoo_args` and open the registry of `db`."""
    import odoo  # noqa: PLC0415 - only inside Odoo's Python
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(["--database", db, *odoo_args], setup_logging=True)
    odoo.service.server.load_server_wide_modules()
    return Registry(db)


def run_teed(
    cmd: list[str], log_path: Path, timeout: float, on_line, grace: float = 20, cwd: str | None = None
) -> int | None:
    """Run a command in its own process group, writing its output (stdout and stderr) to
    `log_path` and passing each line to `on_line`. Returns its exit code, or None when it
    was stopped after `timeout` seconds. Nothing of the group outlives the call: on a
    timeout, an interruption or at the end the group is ended."""
    timed_out = threading.Event()
    with open(log_path, "w", encoding="utf-8") as log:
        log.write("$ " + shlex.join(cmd) + "\n")
        log.flush()
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            bufsize=1,
            start_new_session=True,  # own process group: Chrome, workers go down with it
        )

        def on_timeout() -> None:
            timed_out.set()
            kill_group(proc, grace)

        timer = threading.Timer(timeout, on_timeout)
        timer.daemon = True
        timer.start()
        try:
            for line in proc.stdout:
                log.write(line)
                on_line(line.rstrip("\n"))
            proc.wait()
        except BaseException:  # Ctrl-C: stop it before the caller cleans up
            kill_group(proc, grace)
            raise
        finally:
            timer.cancel()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return None if timed_out.is_set() else proc.returncode
