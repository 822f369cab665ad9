"""Browser tests: the real app served by uvicorn, driven by Debian's chromium through Playwright.

The server is a subprocess started once per session with the environment that `tests/conftest.py`
set (the same throwaway database, Redis database, secret key and var dir), so the per-test
`clean_state` empties what the server reads. Each test gets fresh browser contexts (fresh
cookies), sized like a phone and set to Chinese.

Playwright's sync API marks its asyncio loop as running in the main thread for as long as it is
started, which breaks every `asyncio.run` in that thread (anyio tests among them). Hence the
browser lives for this package only.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.conftest import PASSWORD

PROJECT = Path(__file__).resolve().parents[2]
UVICORN = PROJECT / ".venv" / "bin" / "uvicorn"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-quic",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
SERVER_START_SECONDS = 30
EXPECT_TIMEOUT_MS = 10_000

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _tail(log: Path, lines: int = 80) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


SERVER_LOG = pytest.StashKey[Path]()
LOG_OFFSET = pytest.StashKey[int]()


@pytest.fixture(scope="session")
def live_server(
    database: None, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The app served by uvicorn on a free port, on the test database; yields its base URL.

    Depends on the session `database` fixture so that migrations have run before it starts. What
    the server writes goes to a log file; a failing browser test shows the part written during it.
    """
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("live-server") / "uvicorn.log"
    request.config.stash[SERVER_LOG] = log
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(UVICORN), "app:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT,
            env=os.environ.copy(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not _answers(f"{base_url}/login"):
            if process.poll() is not None:
                pytest.fail(
                    f"the live server exited with code {process.returncode} at start:\n{_tail(log)}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the live server did not answer GET /login within {SERVER_START_SECONDS} s:\n{_tail(log)}",
                    pytrace=False,
                )
            # Wait for the server to die, for a tenth of a second; then ask it again.
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        del request.config.stash[SERVER_LOG]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach to a failing browser test what the live server logged while it ran."""
    report = yield
    log = item.config.stash.get(SERVER_LOG, None)
    if report.failed and log is not None and log.exists():
        with log.open("rb") as handle:
            handle.seek(item.stash.get(LOG_OFFSET, 0))
            text = handle.read().decode(errors="replace")
        report.sections.append(("live server log", text or "(nothing)"))
    return report


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Started for the browser tests only: see the module's docstring."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's chromium (`apt-get install -y chromium`). "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def new_page(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Callable[[], Page]]:
    """A factory of pages, each in its own phone-sized context (own cookies) on the live server."""
    request.node.stash[LOG_OFFSET] = request.config.stash[SERVER_LOG].stat().st_size
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(base_url=live_server, **PHONE)  # type: ignore[arg-type]
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    """One phone-sized page with fresh cookies."""
    return new_page()


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the Chinese login form and wait for the signed-in header."""
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
