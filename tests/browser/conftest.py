"""A real server process and Debian's headless Chromium driven by Playwright."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import TEST_EMBEDDING_CACHE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server_env() -> dict:
    """Extra FORUM_* settings for the server (a test module overrides this fixture)."""
    return {}


@pytest.fixture
def live_server(db_url, tmp_path, live_server_env):
    """Run `scripts.asgi:build` under uvicorn in a subprocess on this test's database."""
    port = _free_port()
    env = {**os.environ, "FORUM_DATABASE_URL": db_url, "FORUM_DATA_DIR": str(tmp_path / "data"),
           "FORUM_SECRET_KEY": "browser-test-secret-" + "y" * 32, "FORUM_CACHE_DIR": str(TEST_EMBEDDING_CACHE),
           **live_server_env}
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "scripts.asgi:build", "--factory", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((tmp_path / "server.log").read_text())
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture
def browser():
    """Debian's Chromium, never a downloaded browser."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium tidak terpasang: jalankan `apt-get install chromium` (scripts/test.sh melakukannya).")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


def log_in(page, base: str, username: str, password: str) -> None:
    """Log in through the real form and wait for the welcome message."""
    page.goto(base + "/masuk")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]:has-text('Masuk')")
    page.wait_for_selector(".flash")


@contextmanager
def writing_session(engine):
    """A session on the live server's database whose transaction takes SQLite's write lock first (BEGIN IMMEDIATE),
    as the app's own writes do. A plain read-then-write transaction fails at once with "database is locked" when
    the server's index worker commits in between (seen once in CI); this one waits its turn."""
    from models.db import begin_writing, make_session_factory
    with make_session_factory(engine)() as db:
        begin_writing(db)
        yield db

