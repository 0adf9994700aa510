"""Browser journeys: the demo district served by a real server process, driven by Chromium.

A session fixture builds a scratch SQLite database (``caseflow db upgrade`` then
``caseflow demo --seed 2008`` with the clock frozen on a working-day morning), starts
``caseflow run`` on a free loopback port and stops it at the end. Playwright drives the
distribution's Chromium (``/usr/bin/chromium``), never a downloaded browser.

Screenshots go to ``screenshots/<journey>/NN-<screen>.png`` at the repository root
(git-ignored; CI keeps the folder) and the axe-core results to
``screenshots/axe-results.json``.

``CASEFLOW_BROWSER_DB=/path/to/demo.db`` reuses a database already built the same way
(it is copied, never changed) — handy when iterating on the journeys locally.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
NOW = "2026-11-25T09:30:00"  # a Wednesday morning, China Standard Time
PASSWORD = "caseflow2026"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

try:  # the whole folder is skipped, with the reason, when the browser or the driver is missing
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

_MISSING = None
if sync_playwright is None:
    _MISSING = "browser journeys need the playwright package: pip install -e '.[test]'"
elif not os.path.exists(CHROMIUM):
    _MISSING = "browser journeys need /usr/bin/chromium: apt-get install chromium"
elif os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
    _MISSING = "browser journeys run once, in the SQLite pass (the server is a separate process)"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if _MISSING:
                item.add_marker(pytest.mark.skip(reason=_MISSING))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _caseflow() -> list[str]:
    exe = Path(sys.executable).with_name("caseflow")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "caseflow.cli"]


def _run(cmd: list[str], env: dict, log: Path) -> None:
    with log.open("a") as out:
        proc = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, timeout=900)
    if proc.returncode:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        pytest.fail(f"{' '.join(cmd[-3:])} failed ({proc.returncode}):\n{tail}", pytrace=False)


@pytest.fixture(scope="session")
def server():
    """The demo district served by ``caseflow run`` on loopback: an object with ``url`` and ``db``."""
    tmp = Path(tempfile.mkdtemp(prefix="caseflow-browser-"))
    db_file = tmp / "caseflow.db"
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "FLASK_APP", "CASEFLOW_ENV")}
    env.update(DATABASE_URL=f"sqlite:///{db_file}", CASEFLOW_DATA_DIR=str(tmp / "data"), CASEFLOW_NOW=NOW,
               PYTHONUNBUFFERED="1", SECRET_KEY="browser-journeys")
    log = tmp / "server.log"
    reuse = os.environ.get("CASEFLOW_BROWSER_DB")
    if reuse:
        shutil.copy(reuse, db_file)
        if Path(reuse).with_name("data").is_dir():
            shutil.copytree(Path(reuse).with_name("data"), tmp / "data")
    else:
        _run([*_caseflow(), "db", "upgrade"], env, log)
        _run([*_caseflow(), "demo", "--seed", "2008"], env, log)
    port = _free_port()
    with log.open("a") as out:
        proc = subprocess.Popen([*_caseflow(), "run", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/login", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the server did not start:\n" + log.read_text(errors="replace")[-3000:], pytrace=False)
            time.sleep(0.3)
        yield Server(url, db_file, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(log, SHOTS / "server.log")  # the server's own log, for failures in CI
        shutil.rmtree(tmp, ignore_errors=True)


class Server:
    def __init__(self, url: str, db: Path, log: Path):
        self.url, self.db, self.log = url, db, log
        self._tokens: dict[str, str] = {}

    def query(self, sql: str, *args):
        """Read the demo database directly (read-only): to find a demo user's unit and the like."""
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def api(self, method: str, path: str, *, token: str | None = None, json_body=None):
        """A JSON API call (used to set up what a journey needs that another role would do)."""
        data = json.dumps(json_body).encode() if json_body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:  # pragma: no cover - diagnostic
            raise AssertionError(f"{method} {path} -> {e.code}: {e.read()[:500]!r}") from None

    def upload(self, path: str, token: str, filename: str, content: bytes, mime: str):
        boundary = "----caseflowbrowser"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                f"Content-Type: {mime}\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        req = urllib.request.Request(self.url + path, data=body, method="POST")
        req.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())

    def token(self, username: str) -> str:
        """A bearer token per demo user, fetched once (log-ins are rate-limited per address)."""
        if username not in self._tokens:
            self._tokens[username] = self.api("POST", "/api/v1/tokens",
                                              json_body={"username": username, "password": PASSWORD})["token"]
        return self._tokens[username]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def axe_results():
    """Per-page axe-core counts by impact, written to screenshots/axe-results.json at the end."""
    results: dict[str, dict] = {}
    yield results
    if not results:
        return
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "axe-results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, sort_keys=True))


@pytest.fixture
def new_page(browser, server):
    """``new_page(viewport=DESKTOP, locale='zh-CN')`` → a page in a fresh context; all closed afterwards."""
    contexts = []

    def make(viewport=DESKTOP, locale="zh-CN"):
        ctx = browser.new_context(viewport=viewport, locale=locale, base_url=server.url, accept_downloads=True,
                                  bypass_csp=True)
        ctx.set_default_timeout(30_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.errors = []  # uncaught script errors, checked by the journeys
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    yield make
    for ctx in contexts:
        ctx.close()
