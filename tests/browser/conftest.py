"""Fixtures of the browser tests of `nshed serve`: a server on a copy of a model (a fresh
port, `--no-open`), and a page in Debian's chromium (a fresh profile) that records every
console error and uncaught exception, which fail the test."""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
NSHED = Path(os.environ.get("NSHED_BIN", ROOT / "target" / "release" / "nshed")).resolve()
CHROMIUM = os.environ.get("NSHED_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # The DNS-rebinding test reaches the server under a name of its own.
    "--host-resolver-rules=MAP rebind.test 127.0.0.1",
]


def nshed(*args, check=True):
    """Runs the nshed binary; its standard output."""
    done = subprocess.run([str(NSHED), *args], capture_output=True, text=True, timeout=120)
    if check and done.returncode != 0:
        raise AssertionError(f"nshed {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def nshed_json(*args):
    return json.loads(nshed(*args, "--json"))


class Server:
    """`nshed serve` on a copy of a model, stopped (SIGINT, as Ctrl-C) at the end."""

    def __init__(self, model, tmp, shown=None):
        """`shown`: the path the server is given, relative to `tmp` (default: absolute)."""
        self.path = Path(tmp) / (shown or Path(model).name)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / model, self.path)
        self.process = subprocess.Popen(
            [str(NSHED), "serve", shown or str(self.path), "--port", "0", "--no-open"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp,
        )
        first = self.process.stdout.readline()
        assert first.startswith("listening on http://127.0.0.1:"), first
        self.url = first.split()[-1]
        self.port = int(self.url.rstrip("/").rsplit(":", 1)[1])

    def stop(self):
        self.process.send_signal(2)
        code = self.process.wait(timeout=20)
        assert code == 0, self.process.stderr.read()


@pytest.fixture
def serve(tmp_path):
    """Starts servers on copies of models: `serve("examples/fruit.nshed")`."""
    servers = []

    def start(model="examples/fruit.nshed"):
        s = Server(model, tmp_path)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()


@pytest.fixture(scope="session")
def browser_context():
    profile = tempfile.mkdtemp(prefix="nshed-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 1000}, accept_downloads=True,
        )
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser_context):
    """A new tab; any console error or page exception fails the test."""
    page = browser_context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"exception: {e}"))
    page.errors = errors
    yield page
    page.close()
    assert errors == [], errors


def open_page(page, server):
    """Loads the page and waits until the graph is drawn."""
    page.goto(server.url)
    page.wait_for_selector('[data-testid="graph"] [data-node]')
    return page
