#!/usr/bin/env python3
"""Packaging check: the addons install from their wheels like any Odoo addon from PyPI.

What an integrator does, end to end, in a scratch folder:

1. builds a wheel of each addon with pip (the whool backend of its pyproject.toml), from the
   files git tracks (an untracked file is not shipped);
2. checks each wheel: name, dependencies derived from the manifests (Odoo, our addons,
   external Python packages), the page (README.rst, static/description/index.html) and every
   file the manifest loads;
3. creates a virtual environment that sees the installed Odoo (--system-site-packages) and
   installs the wheels into it with pip, offline (--no-index: Odoo itself and the external
   packages must already be there, nothing is downloaded or reinstalled);
4. runs `odoo -i <addons> --stop-after-init` on a scratch database with an addons path that
   does NOT contain this repository: Odoo finds the addons in the environment's
   site-packages/odoo/addons; the install must succeed with no ERROR in the log, every addon
   ends up installed, from the environment;
5. drops the database and the scratch folder.

Standard library only. Run it with the Python that runs Odoo 18 (or set ODOO_PYTHON)::

    python3 tests/packaging_check.py                    # the three addons, with demo data
    python3 tests/packaging_check.py --without-demo     # faster
    python3 tests/packaging_check.py --keep             # keep the folder and the database

Environment: ODOO_PYTHON, PGHOST (127.0.0.1), PGPORT (5432), PGUSER (odoo), PGPASSWORD.
Exit code 0 when every step passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import email.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDONS_DIR = REPO / "addons"
ADDONS = ["aftersales_service", "aftersales_warranty", "aftersales_parts"]  # dependency order
ODOO_SERIES = "18.0"
LOG_LINE_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (?P<level>[A-Z]+) ")


class CheckFailed(Exception):
    pass


def say(message: str) -> None:
    print(message, flush=True)


def run(cmd: list[str], *, timeout: int, **kwargs) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    if res.returncode:
        tail = "\n".join((res.stdout + res.stderr).strip().splitlines()[-30:])
        raise CheckFailed(f"`{' '.join(cmd[:6])} ...` exited with {res.returncode}:\n{tail}")
    return res


def pg_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PGHOST", "127.0.0.1")
    env.setdefault("PGPORT", "5432")
    env.setdefault("PGUSER", "odoo")
    return env


def odoo_python(explicit: str | None) -> tuple[str, Path]:
    """The Python that imports Odoo 18, and Odoo's package folder."""
    candidates = [explicit, os.environ.get("ODOO_PYTHON"), sys.executable, shutil.which("python3")]
    for python in filter(None, candidates):
        res = subprocess.run(
            [python, "-c", "import odoo, os; print(odoo.release.series, os.path.dirname(odoo.__file__))"],
            capture_output=True,
            text=True,
            check=False,
            cwd=tempfile.gettempdir(),
        )
        if res.returncode == 0:
            series, package = res.stdout.strip().splitlines()[-1].split(" ", 1)
            if series == ODOO_SERIES:
                return python, Path(package)
    raise CheckFailed(f"no Python here imports Odoo {ODOO_SERIES}: run this with Odoo's Python or set ODOO_PYTHON")


def manifest(addon: str) -> dict:
    return ast.literal_eval((ADDONS_DIR / addon / "__manifest__.py").read_text(encoding="utf-8"))


def expected_requirements(addon: str) -> set[str]:
    """Requires-Dist as whool derives it: Odoo, our addons it depends on, external packages."""
    data = manifest(addon)
    reqs = {f"odoo=={ODOO_SERIES}.*"}
    reqs |= {f"odoo-addon-{dep}=={ODOO_SERIES}.*" for dep in data.get("depends", []) if dep in ADDONS}
    reqs |= set(data.get("external_dependencies", {}).get("python", []))
    return reqs


def check_wheel(addon: str, wheel: Path) -> None:
    data = manifest(addon)
    prefix = f"odoo/addons/{addon}/"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.HeaderParser().parsestr(archive.read(metadata_name).decode())
    problems = []
    if metadata["Name"] != f"odoo-addon-{addon}":
        problems.append(f"distribution name {metadata['Name']!r}")
    if not metadata["Version"].startswith(data["version"]):
        problems.append(f"version {metadata['Version']} does not start with the manifest's {data['version']}")
    requires = set(metadata.get_all("Requires-Dist") or [])
    if requires != expected_requirements(addon):
        problems.append(f"Requires-Dist {sorted(requires)}, expected {sorted(expected_requirements(addon))}")
    wanted = ["__manifest__.py", "__init__.py", "README.rst", "static/description/index.html"]
    wanted += data.get("data", []) + data.get("demo", [])
    problems += [f"{name} missing from the wheel" for name in wanted if prefix + name not in names]
    problems += [f"{name} should not be in the wheel" for name in names if name.startswith(prefix + "pyproject")]
    if problems:
        raise CheckFailed(f"{wheel.name}:\n  " + "\n  ".join(problems))
    say(f"  {wheel.name}: {len(names)} files, requires {', '.join(sorted(requires))}")


def main(argv: list[str] | None = None) -> int:  # noqa: C901 - the steps, in order
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--addons", default=",".join(ADDONS), help="addons to build (default: all three)")
    parser.add_argument("--install", default=ADDONS[-1], help="addon(s) given to odoo -i (default: %(default)s)")
    parser.add_argument("--db", default=f"packaging_check_{os.getpid()}", help="scratch database name")
    parser.add_argument("--without-demo", action="store_true", help="install without demo data")
    parser.add_argument("--python", help="the Python that runs Odoo 18 (default: ODOO_PYTHON, then this one)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and the database")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds allowed for the Odoo install")
    args = parser.parse_args(argv)
    addons = [a.strip() for a in args.addons.split(",") if a.strip()]

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="aftersales_packaging_"))
    env = pg_env()
    db_created = False
    try:
        python, odoo_package = odoo_python(args.python)
        say(f"Odoo {ODOO_SERIES}: {odoo_package} (Python {python})")
        untracked = run(
            ["git", "ls-files", "--others", "--exclude-standard", "--", *addons], cwd=ADDONS_DIR, timeout=60
        ).stdout.split()
        if untracked:
            say(f"note: not tracked by git, so not in the wheels: {', '.join(untracked[:10])}")

        say("1. building the wheels (pip wheel, whool backend)")
        wheels_dir = work / "wheels"
        t0 = time.monotonic()
        run(
            [python, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(wheels_dir)]
            + [str(ADDONS_DIR / addon) for addon in addons],
            timeout=1800,
            cwd=work,
        )
        say(f"   built in {time.monotonic() - t0:.0f} s")

        say("2. checking the wheels")
        for addon in addons:
            found = sorted(wheels_dir.glob(f"odoo_addon_{addon}-*.whl"))
            if len(found) != 1:
                raise CheckFailed(f"expected one wheel of {addon} in {wheels_dir}, found {found}")
            check_wheel(addon, found[0])

        say("3. installing them into a virtual environment that sees the installed Odoo")
        venv = work / "venv"
        run([python, "-m", "venv", "--system-site-packages", str(venv)], timeout=300)
        venv_python = str(venv / "bin" / "python")
        t0 = time.monotonic()
        run(
            [venv_python, "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(wheels_dir)]
            + [f"odoo-addon-{addon}" for addon in addons],
            timeout=600,
            cwd=work,
        )
        site = run(
            [venv_python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], timeout=60, cwd=work
        ).stdout.strip()
        for addon in addons:
            if not (Path(site) / "odoo" / "addons" / addon / "__manifest__.py").is_file():
                raise CheckFailed(f"{addon} is not in {site}/odoo/addons after pip install")
        say(f"   installed in {site}/odoo/addons in {time.monotonic() - t0:.0f} s")

        say(f"4. odoo -i {args.install} on database {args.db}, addons path without this repository")
        # An Odoo source checkout installed in editable mode is found through setuptools' import
        # finder, which comes after the site-packages/odoo/ folder the wheels create (a namespace
        # package without Odoo's __init__): start Odoo from its source folder then, as odoo-bin does.
        odoo_bin = odoo_package.parent / "odoo-bin"
        launcher = [venv_python, str(odoo_bin)] if odoo_bin.is_file() else [venv_python, "-m", "odoo"]
        venv_env = dict(env)
        if odoo_bin.is_file():
            venv_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(odoo_bin.parent), env.get("PYTHONPATH")]))
        core_paths = [p for p in (odoo_package / "addons", odoo_package.parent / "addons") if p.is_dir()]
        addons_path = ",".join(str(p) for p in core_paths)
        if str(ADDONS_DIR) in addons_path:
            raise CheckFailed("the addons path must not contain the repository")
        run(["createdb", args.db], env=env, timeout=120)
        db_created = True
        log = work / "odoo.log"
        cmd = [
            *launcher,
            "server",
            f"--database={args.db}",
            f"--db_host={env['PGHOST']}",
            f"--db_port={env['PGPORT']}",
            f"--db_user={env['PGUSER']}",
            f"--addons-path={addons_path}",
            f"--data-dir={work / 'data'}",
            f"--init={args.install}",
            f"--logfile={log}",
            "--log-level=info",
            "--stop-after-init",
            "--workers=0",
            "--max-cron-threads=0",
            "--http-port=0",
        ]
        if env.get("PGPASSWORD"):
            cmd.append(f"--db_password={env['PGPASSWORD']}")
        if args.without_demo:
            cmd.append("--without-demo=all")
        t0 = time.monotonic()
        res = subprocess.run(
            cmd, capture_output=True, text=True, timeout=args.timeout, cwd=work, env=venv_env, check=False
        )
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.is_file() else []
        errors = [
            line for line in lines if (m := LOG_LINE_RE.match(line)) and m.group("level") in ("ERROR", "CRITICAL")
        ]
        if res.returncode or errors:
            tail = "\n".join((errors or lines or (res.stdout + res.stderr).splitlines())[-30:])
            raise CheckFailed(f"odoo -i exited with {res.returncode}, {len(errors)} ERROR line(s):\n{tail}")
        say(f"   installed in {time.monotonic() - t0:.0f} s")
        sql = "SELECT name || ' ' || state FROM ir_module_module WHERE name LIKE 'aftersales%' ORDER BY name"
        states = run(["psql", "-d", args.db, "-tAc", sql], env=env, timeout=60).stdout.split("\n")
        states = dict(line.split(" ", 1) for line in states if line.strip())
        not_installed = [a for a in addons if states.get(a) != "installed"]
        if not_installed:
            raise CheckFailed(f"not installed: {', '.join(not_installed)} (states: {states})")
        where = run(
            [
                venv_python,
                "-c",
                "import sys, odoo; from odoo.modules.module import get_module_path;"
                "odoo.tools.config.parse_config(sys.argv[1:2]);"
                "print(*(get_module_path(a) for a in sys.argv[2:]), sep='\\n')",
                f"--addons-path={addons_path}",
                *addons,
            ],
            timeout=120,
            cwd=work,
            env=venv_env,
        ).stdout.split()
        outside = [path for path in where if not path.startswith(site)]
        if outside or len(where) != len(addons):
            raise CheckFailed(f"Odoo finds the addons at {where}, not in {site}")
        say(f"   {', '.join(f'{a} {states[a]}' for a in addons)}")
    except (CheckFailed, subprocess.TimeoutExpired) as error:
        say(f"FAILED: {error}")
        if args.keep:
            say(f"kept: {work} and database {args.db}")
        return 1
    finally:
        if not args.keep:
            if db_created:
                subprocess.run(["dropdb", "--if-exists", args.db], env=env, capture_output=True, check=False)
            shutil.rmtree(work, ignore_errors=True)
    if args.keep:
        say(f"kept: {work} and database {args.db}")
    say(f"packaging check passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
