#!/usr/bin/env python3
"""Take the screenshots of the addons' pages (static/description/*.png) from a demo database.

Start Odoo on a database with the three addons and their demo data, then::

    python3 tools/take_screenshots.py --base http://127.0.0.1:8069 --db DB
    python3 tools/take_screenshots.py --base ... --db DB --only dispatch_board

Headless Chromium (CHROMIUM, else chromium on PATH) driven over the DevTools protocol with
websocket-client (which Odoo's browser tests use too), logged in by the session cookie of the
demo users (password: the login). The pictures are reduced with ImageMagick (`convert`) when it
is there: 128 colours, no metadata, to stay well under 200 KB. Then run
tools/gen_addon_readme.py if a fragment refers to a new picture.
"""

from __future__ import annotations

import argparse
import base64
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import websocket

REPO = Path(__file__).resolve().parent.parent
DESKTOP = (1366, 820)
PHONE = (390, 844)


@dataclass
class Shot:
    addon: str
    name: str
    path: str  # {xmlid} is replaced by the record's id
    wait_for: str  # CSS selector present once the view is drawn
    login: str = "admin"
    size: tuple[int, int] = DESKTOP
    script: str = ""  # JavaScript run once the view is drawn
    crop_height: int = 0


SHOTS = [
    Shot(
        "aftersales_service",
        "ticket_form",
        "/odoo/action-aftersales_service.aftersales_ticket_action/{aftersales_service.aftersales_ticket_1_demo}",
        ".o_form_view .o_field_widget",
    ),
    Shot(
        "aftersales_service",
        "dispatch_board",
        "/odoo/action-aftersales_service.aftersales_visit_action_board",
        ".o_action",
        # the week view, one week on: the demo visits are planned from tomorrow
        script="(() => { const buttons = () => [...document.querySelectorAll('button')];"
        " buttons().find(b => b.textContent.trim() === 'Week').click();"
        " setTimeout(() => buttons().find(b => b.textContent.trim() === 'Today').nextElementSibling.click(), 1200);"
        " })()",
    ),
    Shot(
        "aftersales_service",
        "visit_phone_list",
        "/odoo/action-aftersales_service.aftersales_visit_action_my",
        ".o_action .o_kanban_record, .o_action .o_data_row",
        login="marco",
        size=PHONE,
    ),
    Shot(
        "aftersales_service",
        "visit_phone_form",
        "/odoo/action-aftersales_service.aftersales_visit_action_my/{aftersales_service.aftersales_visit_field_28_demo}",
        ".o_form_view .o_field_widget",
        login="marco",
        size=PHONE,
    ),
    Shot(
        "aftersales_warranty",
        "warranty_form",
        "/odoo/action-aftersales_warranty.aftersales_warranty_action/"
        "{aftersales_warranty.aftersales_warranty_washing_machine_demo}",
        ".o_form_view .o_field_widget",
    ),
    Shot(
        "aftersales_parts",
        "rma_form",
        "/odoo/action-aftersales_parts.aftersales_rma_action/{aftersales_parts.aftersales_rma_dealer_demo}",
        ".o_form_view .o_field_widget",
    ),
    Shot(
        "aftersales_parts",
        "carry_in_kanban",
        "/odoo/action-aftersales_parts.aftersales_carry_in_action",
        ".o_kanban_record",
        crop_height=430,
    ),
]
# Pictures made of two shots side by side: (addon, name, left, right); the parts are not kept.
PAIRS = [("aftersales_service", "visit_phone", "visit_phone_list", "visit_phone_form")]


class Odoo:
    def __init__(self, base: str, db: str):
        self.base, self.db = base.rstrip("/"), db
        self.sessions: dict[str, str] = {}

    def rpc(self, route: str, params: dict, session: str | None = None) -> tuple[dict, str | None]:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        headers = {"Content-Type": "application/json"}
        if session:
            headers["Cookie"] = f"session_id={session}"
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        req = urllib.request.Request(self.base + route, data=body, headers=headers)
        res = json.loads(opener.open(req, timeout=300).read())
        if res.get("error"):
            raise SystemExit(f"{route}: {res['error'].get('data', {}).get('message') or res['error']}")
        return res["result"], next((c.value for c in jar if c.name == "session_id"), None)

    def session(self, login: str) -> str:
        if login not in self.sessions:
            params = {"db": self.db, "login": login, "password": login}
            _result, self.sessions[login] = self.rpc("/web/session/authenticate", params)
        return self.sessions[login]

    def xmlid(self, xmlid: str) -> int:
        module, name = xmlid.split(".", 1)
        params = {
            "model": "ir.model.data",
            "method": "search_read",
            "args": [[("module", "=", module), ("name", "=", name)], ["res_id"]],
            "kwargs": {"limit": 1},
        }
        records, _session = self.rpc("/web/dataset/call_kw", params, self.session("admin"))
        if not records:
            raise SystemExit(f"{xmlid} not found: is the demo data installed?")
        return records[0]["res_id"]


class Browser:
    """One headless Chromium page over the DevTools protocol."""

    def __init__(self):
        binary = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            raise SystemExit("Chromium not found: set CHROMIUM")
        self.profile = tempfile.mkdtemp(prefix="aftersales_shots_")
        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--lang=en-US"]
            + ["--remote-debugging-port=0", f"--user-data-dir={self.profile}", "about:blank"],
            stderr=subprocess.PIPE,
            text=True,
        )
        port = None
        for line in self.proc.stderr:
            match = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if match:
                port = match.group(1)
                break
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30).read())
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=300, suppress_origin=True)
        self.counter = 0
        self.user_agent = self.call("Browser.getVersion")["userAgent"]

    def call(self, method: str, **params) -> dict:
        self.counter += 1
        self.ws.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.counter:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        shutil.rmtree(self.profile, ignore_errors=True)


def take(browser: Browser, odoo: Odoo, shot: Shot, out: Path, settle: float) -> None:
    host = re.match(r"https?://([^:/]+)", odoo.base).group(1)
    browser.call("Network.clearBrowserCookies")
    browser.call("Network.setCookie", name="session_id", value=odoo.session(shot.login), domain=host, path="/")
    phone = shot.size == PHONE
    width, height = shot.size
    browser.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=phone)
    browser.call("Emulation.setTouchEmulationEnabled", enabled=phone)
    agent = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
    browser.call("Emulation.setUserAgentOverride", userAgent=agent if phone else browser.user_agent)
    path = re.sub(r"\{([\w.]+)\}", lambda m: str(odoo.xmlid(m.group(1))), shot.path)
    browser.call("Page.navigate", url=odoo.base + path)
    deadline = time.monotonic() + 180
    while not browser.evaluate(f"!!document.querySelector({json.dumps(shot.wait_for)})"):
        if time.monotonic() > deadline:
            raise SystemExit(f"{shot.name}: {shot.wait_for} never showed on {path}")
        time.sleep(0.5)
    if shot.script:
        browser.evaluate(shot.script)
    time.sleep(settle)
    out.write_bytes(base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"]))
    if shot.crop_height and shutil.which("convert"):
        subprocess.run(["convert", out, "-crop", f"{width}x{shot.crop_height}+0+0", "+repage", out], check=True)


def reduce(path: Path) -> None:
    if shutil.which("convert"):
        subprocess.run(
            ["convert", path, "-strip", "-colors", "128", "-define", "png:compression-level=9", path], check=True
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8069", help="URL of the running Odoo")
    parser.add_argument("--db", required=True, help="database with the demo data")
    parser.add_argument("--only", action="append", help="picture name(s) to take again (default: all)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait once the view is drawn")
    args = parser.parse_args()

    odoo = Odoo(args.base, args.db)
    work = Path(tempfile.mkdtemp(prefix="aftersales_shots_out_"))
    wanted = set(args.only or [])
    pair_parts = {part: pair for pair in PAIRS for part in pair[2:]}
    browser = Browser()
    try:
        for shot in SHOTS:
            pair = pair_parts.get(shot.name)
            if wanted and shot.name not in wanted and not (pair and pair[1] in wanted):
                continue
            take(browser, odoo, shot, work / f"{shot.name}.png", args.settle)
    finally:
        browser.close()
    results = []
    for shot in SHOTS:
        if (work / f"{shot.name}.png").exists() and shot.name not in pair_parts:
            results.append((shot.addon, shot.name, work / f"{shot.name}.png"))
    for addon, name, left, right in PAIRS:
        if (work / f"{left}.png").exists() and (work / f"{right}.png").exists():
            joined = work / f"{name}.png"
            subprocess.run(["convert", work / f"{left}.png", work / f"{right}.png", "+append", joined], check=True)
            results.append((addon, name, joined))
    for addon, name, path in results:
        reduce(path)
        target = REPO / "addons" / addon / "static" / "description" / f"{name}.png"
        shutil.copyfile(path, target)
        print(f"{target.relative_to(REPO)}: {target.stat().st_size // 1024} KB")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
