"""The OCA peers of the benchmarks: installed from their PyPI wheels, and their columns.

``bench/run`` measures our tickets beside OCA's ``helpdesk_mgmt`` (``helpdesk.ticket``) and
our returns beside OCA's ``rma`` with its link to sales, ``rma_sale`` (the returns measured are
of sale orders). When the ``tickets`` or ``rma`` suite runs, ``prepare``
downloads the peer's wheel for Odoo 18.0 (``pip download --no-deps``), reads the
``odoo-addon-*`` requirements of its metadata to fetch the OCA addons it depends on, and
installs the whole set with ``pip install --no-deps --target`` into a folder of the bench
run (``.bench-results/peers/``, never committed): its ``odoo/addons`` goes on the addons
path of the bench database and the peers are installed in that same database (they share
no model and no field with ours). The ``odoo`` requirement itself is never installed: the
Odoo of the run is the one measured. When PyPI cannot be reached, the peer is "not
available" and the rest of the run goes on.

The functions below the installation build the peers' columns of the tables of
``bench/run`` (``text_table``'s rows), and their targets: ours at least as fast as each peer.

Standard library only, like ``bench/run``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

SERIES = "18.0"
# suite: (module, its PyPI distribution)
PEERS = {
    "tickets": ("helpdesk_mgmt", "odoo-addon-helpdesk_mgmt"),
    # returns of sale orders: OCA's rma with its link to sales (rma_sale, which installs rma)
    "rma": ("rma_sale", "odoo-addon-rma_sale"),
}
PEER_MODEL = {"tickets": "helpdesk.ticket", "rma": "OCA rma"}
MIN_RATIO = 1.0  # ours / peer: at least as fast
ADDON_REQUIREMENT = re.compile(r"^odoo-addon-([A-Za-z0-9_]+)\b\s*(.*)$", re.IGNORECASE)
NAME_OF = re.compile(r"^([A-Za-z0-9._-]+)")


def _run(cmd: list[str], timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=timeout,
    )


def _requirements(wheel: Path) -> list[str]:
    """The ``Requires-Dist`` lines of a wheel's metadata (environment markers dropped)."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode("utf-8", errors="replace")
    return [
        line.split(":", 1)[1].split(";", 1)[0].strip()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    ]


def _download(python: str, spec: str, wheels: Path) -> Path:
    """Download one wheel (no dependencies) into ``wheels``; return its file."""
    before = set(wheels.glob("*.whl"))
    res = _run(
        [python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest"]
        + [str(wheels), "--disable-pip-version-check", "--quiet", spec]
    )
    if res.returncode:
        lines = [line for line in (res.stderr or res.stdout).splitlines() if line.strip()]
        raise RuntimeError(lines[-1] if lines else f"pip download {spec} failed")
    distribution = NAME_OF.match(spec)[1].replace("-", "_").lower()
    found = [
        path
        for path in (set(wheels.glob("*.whl")) - before or wheels.glob("*.whl"))
        if path.name.lower().startswith(distribution + "-")
    ]
    if not found:
        raise RuntimeError(f"pip download {spec} left no wheel")
    return max(found, key=lambda path: path.stat().st_mtime)


def _resolve(python: str, distribution: str, wheels: Path) -> tuple[list[Path], list[str]]:
    """The wheels of a peer and of the OCA addons it needs (``odoo-addon-*``, for this
    series), and its other Python requirements; never ``odoo`` itself."""
    todo = [f"{distribution}=={SERIES}.*"]
    seen, files, others = set(), [], []
    while todo:
        spec = todo.pop()
        name = NAME_OF.match(spec)[1].lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        wheel = _download(python, spec, wheels)
        files.append(wheel)
        for requirement in _requirements(wheel):
            addon = ADDON_REQUIREMENT.match(requirement)
            if addon:
                todo.append(f"odoo-addon-{addon[1]}=={SERIES}.*")
            elif NAME_OF.match(requirement)[1].lower() != "odoo":
                others.append(requirement)
    return files, others


def prepare(python: str, suites: list[str], folder: Path, log) -> dict:
    """Install the peers of the suites asked for into ``folder``.

    Returns ``{"addons_path": str | None, "modules": [...], "versions": {module: version},
    "unavailable": {module: reason}}``."""
    result = {"addons_path": None, "modules": [], "versions": {}, "unavailable": {}}
    wanted = [PEERS[suite] for suite in suites if suite in PEERS]
    if not wanted:
        return result
    wheels, target = folder / "wheels", folder / "site"
    # the peers share the wheels' top folder ``odoo``, which pip replaces whole: the peers of
    # earlier runs are installed again with these (a reused database may hold them), but
    # not installed in the database of this run
    present = target / "odoo" / "addons"
    kept = [peer for peer in PEERS.values() if peer not in wanted and (present / peer[0]).is_dir()]
    shutil.rmtree(wheels, ignore_errors=True)
    wheels.mkdir(parents=True)
    to_install, others = [], []
    for module, distribution in wanted + kept:
        try:
            files, extra = _resolve(python, distribution, wheels)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            if (module, distribution) in kept:
                continue
            result["unavailable"][module] = f"not available ({error})"
            log(f"    {module}: not available ({error})")
            continue
        to_install += files
        others += extra
        if (module, distribution) in kept:
            continue
        result["modules"].append(module)
        result["versions"][module] = files[0].name.split("-")[1]
    if not to_install:
        return result
    # --upgrade replaces the peers of earlier runs (see above: they are in the set)
    cmd = [python, "-m", "pip", "install", "--no-deps", "--upgrade", "--target", str(target)]
    cmd += ["--disable-pip-version-check", "--quiet", "--no-compile"]
    res = _run(cmd + [str(path) for path in dict.fromkeys(to_install)] + others)
    if res.returncode:
        reason = f"not available (pip install: {res.stderr.strip()[-300:]})"
        for module in result["modules"]:
            result["unavailable"][module] = reason
        result["modules"] = []
        return result
    result["addons_path"] = str(target / "odoo" / "addons")
    return result


def addons_path_of(folder: Path) -> str | None:
    """The peers' addons folder of an earlier run, if any (a reused database may hold them)."""
    path = folder / "site" / "odoo" / "addons"
    return str(path) if path.is_dir() else None


# --------------------------------------------------------------------------
# Columns and targets
# --------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def ticket_peer_ratios(creates: list[dict], ours: str, peer: str) -> None:
    """``ratio_vs_peer`` (records/s of ours / of the peer) on our rows, by batch size."""
    by_key = {(row["model"], row["batch_size"]): row for row in creates}
    for row in creates:
        other = by_key.get((peer, row["batch_size"]))
        if row["model"] == ours and other and other["records_per_second"]:
            row["ratio_vs_peer"] = row["records_per_second"] / other["records_per_second"]


def ticket_peer_target(results: dict, ours: str) -> list[dict]:
    """The target against helpdesk.ticket: ours at least as fast at every batch size."""
    peer = results.get("peer") or {}
    if not peer.get("model"):
        return []  # no peer, no target: the notes say why
    ours_rows = sorted(
        (row for row in results["create"] if row["model"] == ours), key=lambda r: r["batch_size"]
    )
    return [
        {
            "target": f"ticket creation at least as fast as OCA {peer['model']}'s "
            f"(every batch size, ratio >= {MIN_RATIO:g})",
            "met": bool(ours_rows)
            and all(row.get("ratio_vs_peer", 0) >= MIN_RATIO for row in ours_rows),
            "measured": ", ".join(
                f"batch {row['batch_size']}: {row.get('ratio_vs_peer', 0):.2f}x"
                for row in ours_rows
            ),
            "peer": True,
        }
    ]


def ticket_peer_cells(row: dict, ours: str, peer_model: str | None) -> str:
    """The ``ours/helpdesk speed`` cell of a creation row."""
    if row["model"] != ours:
        return ""
    if not peer_model:
        return "not available"
    ratio = row.get("ratio_vs_peer")
    return f"{ratio:.2f}x" if ratio is not None else "-"


def ticket_statements(results: dict, ours: str, limit: int = 12) -> list[str]:
    """Per record at each batch size: the statements of ours beside the peer's, where ours
    make more (what to cut when we are behind)."""
    peer = (results.get("peer") or {}).get("model")
    if not peer:
        return []
    by_key = {(row["model"], row["batch_size"]): row for row in results["create"]}
    lines = []
    for (model, size), row in sorted(by_key.items(), key=lambda item: item[0][1]):
        other = by_key.get((peer, size))
        if model != ours or not other:
            continue
        kinds = set(row["query_kinds"]) | set(other["query_kinds"])
        diff = sorted(
            (
                (
                    row["query_kinds"].get(kind, 0) / row["records"]
                    - other["query_kinds"].get(kind, 0) / other["records"],
                    kind,
                )
                for kind in kinds
            ),
            reverse=True,
        )
        listed = ", ".join(
            f"{kind} {row['query_kinds'].get(kind, 0) / row['records']:.2f} vs "
            f"{other['query_kinds'].get(kind, 0) / other['records']:.2f}"
            for delta, kind in diff[:limit]
            if delta > 0.005
        )
        lines.append(
            f"- batch {size:,}: {row['queries_per_record']:.2f} queries per ticket against "
            f"{other['queries_per_record']:.2f}; ours more on: {listed or 'nothing'}"
        )
    return lines


def rma_peer_header(results: dict, target: float = MIN_RATIO) -> list[str]:
    if "peer" not in results:
        return []
    return [
        "OCA rma ms/return",
        "OCA queries/return",
        "speed ours/OCA",
        "with its same work",
        f"speed >= {target:g}x",
    ]


def rma_peer_cells(results: dict, size: int) -> list[str]:
    """The OCA rma columns of a batch size's row of the returns table: the speed ratio to OCA's
    path alone, then to OCA's path followed by what it leaves to the user that ours does (the
    same full return), which the verdict is about."""
    peer = results.get("peer")
    if peer is None:
        return []
    comparison = next(
        (row for row in results.get("peer_comparison", []) if row["batch_size"] == size), None
    )
    row = next((r for r in results["rows"] if r["path"] == "oca" and r["batch_size"] == size), None)
    if not comparison or not row:
        return ["not available", "-", "-", "-", "-"]
    ratio = comparison["same_work_speed_ratio"]
    return [
        _fmt(row["ms_per_return"], 0),
        _fmt(row["queries_per_return"], 1),
        _fmt(comparison["speed_ratio"], 2),
        _fmt(ratio, 2),
        "PASS" if ratio >= MIN_RATIO else "behind",
    ]


def rma_statements(results: dict, limit: int = 12) -> list[str]:
    """Per return at each batch size: the statements of ours beside OCA rma's, where ours
    make more."""
    by_key = {(row["path"], row["batch_size"]): row for row in results["rows"]}
    lines = []
    for (path, size), row in sorted(by_key.items(), key=lambda item: item[0][1]):
        other = by_key.get(("oca", size))
        if path != "ours" or not other or "query_kinds" not in row:
            continue
        mine, theirs = row["query_kinds"], other["query_kinds"]
        diff = sorted(
            (
                (mine.get(kind, 0) / row["returns"] - theirs.get(kind, 0) / other["returns"], kind)
                for kind in set(mine) | set(theirs)
            ),
            reverse=True,
        )
        listed = ", ".join(
            f"{kind} {mine.get(kind, 0) / row['returns']:.1f} vs "
            f"{theirs.get(kind, 0) / other['returns']:.1f}"
            for delta, kind in diff[:limit]
            if delta > 0.05
        )
        lines.append(
            f"batch {size:,}: {row['queries_per_return']:.1f} queries per return against "
            f"{other['queries_per_return']:.1f}; ours more on: {listed or 'nothing'}"
        )
    return lines
