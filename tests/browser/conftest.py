"""Headless Chromium (Debian's package) driven by Playwright, against pytest-django's live server.

The browser is launched once per session; every test gets a fresh context (cookies,
viewport, locale) and page. ``live_server`` makes the test transactional, so data made
by the cast fixtures is committed and visible to the server thread.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# the ORM calls the fixtures make from it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from tests.conftest import PASSWORD  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHROMIUM_MISSING = "Chromium not found"
ENABLE_BROWSERS = "run `sudo apt-get install chromium` (or make browsers) to enable them"
_SKIPPED = pytest.StashKey[int]()


@pytest.fixture(scope="session")
def browser() -> Browser:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.skip(f"{CHROMIUM_MISSING} at {path} (or set CHROMIUM_PATH): {ENABLE_BROWSERS}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_context(browser: Browser, *, viewport=None, locale="id-ID") -> BrowserContext:
    """A clean browser profile; Indonesian Accept-Language like most users' phones."""
    return browser.new_context(viewport=viewport or DESKTOP, locale=locale, timezone_id="Asia/Jakarta")


@pytest.fixture
def context(browser) -> BrowserContext:
    ctx = new_context(browser)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context) -> Page:
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def login(page: Page, live_server, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and wait for the next page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot when BROWSER_SCREENSHOTS names a directory."""
    target = os.environ.get("BROWSER_SCREENSHOTS")
    if target:
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)


# A machine without Chromium skips every browser test (CI, with PORTAL_REQUIRE_SERVICES=1, fails on
# any skip instead): the run's very last line says how many and the one command that enables them.
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    config.stash[_SKIPPED] = sum(1 for report in terminalreporter.stats.get("skipped", [])
                                 if CHROMIUM_MISSING in _skip_reason(report))


def pytest_unconfigure(config):
    skipped = config.stash.get(_SKIPPED, 0)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if skipped and reporter is not None:
        reporter.write_line(f"{skipped} browser tests skipped: {ENABLE_BROWSERS}", yellow=True, bold=True)


def _skip_reason(report) -> str:
    return str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
