"""Every kind of page works in Chromium under the Content Security Policy, with no violation.

The policy allows no inline script or style, so a page that still had one would either
break or report a violation: both are caught here, through the browser's own
``securitypolicyviolation`` events and its console.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script (injected by the browser, so the CSP does not apply to it).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""


@pytest.fixture
def watched(browser):
    """A page whose CSP violations, console errors and script errors are collected."""
    context = new_context(browser)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if m.type == "error" or "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    yield page, problems
    context.close()


def visit(page: Page, problems: list[str], url: str) -> None:
    problems.clear()
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")


def assert_clean(page: Page, problems: list[str], url: str) -> None:
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], f"{url}: {violations}"
    assert problems == [], f"{url}: {problems}"


def test_it_runs_the_employee_pages_under_the_policy(watched, live_server, ani):
    page, problems = watched
    login(page, live_server, "ani")
    for path in ("/", "/rencana/ajukan/", "/presensi/"):
        url = f"{live_server.url}{path}"
        visit(page, problems, url)
        expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))  # portal.js ran
        if path == "/presensi/":
            expect(page.locator("#server-clock")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))  # attendance.js
        assert_clean(page, problems, url)


def test_it_runs_the_staffing_dashboard_under_the_policy(watched, live_server, kabid, ani):
    page, problems = watched
    login(page, live_server, "kabid")
    url = f"{live_server.url}/staffing/"
    visit(page, problems, url)
    expect(page.locator("main h1")).to_contain_text("Bidang P2P")
    expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))
    assert_clean(page, problems, url)


def test_it_runs_the_api_docs_under_the_policy(watched, live_server, ani):
    page, problems = watched
    login(page, live_server, "ani")
    url = f"{live_server.url}/api/docs/"
    visit(page, problems, url)
    # Swagger UI's bundle and split init script ran and rendered the schema.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Portal Kerja Fleksibel ASN API")
    # (Past a number of operations Swagger UI draws a virtual list without .opblock-tag-section.)
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert_clean(page, problems, url)


def test_it_runs_the_admin_under_the_policy(watched, live_server, superuser):
    page, problems = watched
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", "rahasia-123")
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    for path in ("/admin/", "/admin/portal/unit/add/"):
        url = f"{live_server.url}{path}"
        visit(page, problems, url)
        expect(page.locator("#site-name")).to_be_visible()
        assert_clean(page, problems, url)
    # The change form's scripts (jQuery, the i18n catalogue, the form helpers) all ran.
    assert page.evaluate("typeof django.jQuery === 'function' && typeof window.gettext === 'function'")
