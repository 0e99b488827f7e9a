"""axe-core on every page of every persona, at phone (390 px) and desktop (1366 px) width.

The pages come from the authorization matrix (tests/security/test_authz_matrix.py), which has
an entry for every route of the URLconf: each persona visits every GET page its column says
"ok" to, with the matrix's own cast (the same people and objects), so a new page is checked as
soon as it has its authorization entry. What is not a page (JSON, downloads, fragments,
redirects) is in ``EXCLUDED`` with the reason; ``EXTRAS`` adds the states a bare URL does not
reach (a filled report table, a month of past days, a flash message).

Any violation of impact "serious" or "critical" (and the rules in ``RAISED``) fails, naming the
rule, the element and the page. axe-core ships inside axe-playwright-python: nothing is
downloaded at run time. To stay fast there is one context per persona and viewport, signed in
once, and the cast is built once per persona.

Run only this:  .venv/bin/pytest tests/browser/test_accessibility.py
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.db import transaction
from django.urls import reverse

from tests.browser.conftest import login, new_context
from tests.security.conftest import NOW, build_cast
from tests.security.conftest import PERSONAS as MATRIX_COLUMNS
from tests.security.test_authz_matrix import ENTRIES, Entry, _url, route_names

FAILING_IMPACTS = ("serious", "critical")
# Rules the pinned axe-core (4.4, inside axe-playwright-python 0.1.4) rates "moderate" and its
# current releases "serious": they fail here too, so an upgrade of axe does not start with a backlog.
RAISED = {"scrollable-region-focusable": "a table scrolled sideways on a phone must be reachable by keyboard"}
APPROVED_PAST_DAY = dt.date(2026, 12, 3)  # the day after the cast's "now"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}

# Persona -> (its column in the authorization matrix, username). Public pages are checked as
# "anonymous" only (signed in, the login page redirects home); hr_other checks only what no
# other persona can open (the rules, Ramadan periods and leave settings of its own instansi).
PERSONAS = {
    "anonymous": ("anonymous", None),
    "employee": ("employee", "ani"),
    "supervisor": ("supervisor", "kabid"),
    "hr": ("hr", "hr_dinkes"),
    "hr_other": ("hr_other", "hr_lain"),
}
ONLY_WHAT_OTHERS_CANNOT_OPEN = {"hr_other"}

# Routes of the URLconf that are not pages to check, each with the reason. POST-only routes
# never appear: only the matrix's GET entries are visited.
EXCLUDED = {
    "favicon": "a redirect to the static icon",
    "health": "JSON counters for the proxy",
    "scheduling:request-preview": "an HTML fragment the request form loads into itself",
    "scheduling:request-evidence": "a file download",
    "attendance-correction-evidence": "a file download",
    "attendance-export-download": "a file download",
    "staffing-export": "a CSV download",
    "hr-audit-checkpoint-download": "a signed checkpoint as a JSON download",
    "scheduling:calendar-feed": "an iCalendar file for calendar apps (text/calendar), not a page",
    "notifications:open": "marks the notification read and redirects to its link (checked as a page of its own)",
}
EXCLUDED_PREFIXES = {
    "api-": "the JSON API (its documentation page, api-docs, is checked)",
    "admin:": "Django's own admin templates; everything HR does has a portal page, checked here",
}
INCLUDED = {"api-docs"}
# Pages drawn by script after "load": axe waits for this element.
READY = {"api-docs": ".swagger-ui .info"}


@dataclass(frozen=True)
class Extra:
    """A page state the matrix's bare URL does not reach. ``post``: submitted as a form from the
    previous page (the redirect then shows a flash message)."""

    persona: str
    route: str
    query: dict
    why: str
    post: bool = False


EXTRAS = [
    Extra("employee", "scheduling:my-calendar", {"bulan": "2026-12"},
          "the cast's month: past days (an approved one), weekends, the pending day"),
    Extra("employee", "scheduling:day-cancel", {}, "refused while pending: the flash message, nothing changes",
          post=True),
    Extra("supervisor", "attendance-reports", {"report": "monthly-recap", "month": "2026-12", "unit": "p2p"},
          "a supervisor's report table"),
    Extra("supervisor", "scheduling:team", {"bulan": "2026-12"}, "the team's month with ani's request"),
    Extra("hr", "attendance-reports", {"report": "monthly-recap", "month": "2026-11", "unit": "p2p"},
          "the report table and its horizontal scroll area"),
]


@dataclass(frozen=True)
class Visit:
    route: str
    url: str
    post: bool = False


def excluded_reason(route: str) -> str:
    if route in INCLUDED:
        return ""
    if route in EXCLUDED:
        return EXCLUDED[route]
    return next((why for prefix, why in EXCLUDED_PREFIXES.items() if route.startswith(prefix)), "")


def _opens(entry: Entry, column: str) -> bool:
    return entry.expect.split()[MATRIX_COLUMNS.index(column)] == "ok"


def page_entries(persona: str) -> list[Entry]:
    """The GET pages ``persona`` may open, in the matrix's order."""
    pages = [e for e in ENTRIES if e.method == "GET" and not excluded_reason(e.route)]
    if persona == "anonymous":
        return [e for e in pages if _opens(e, "anonymous")]
    mine = [e for e in pages if _opens(e, PERSONAS[persona][0]) and not _opens(e, "anonymous")]
    if persona in ONLY_WHAT_OTHERS_CANNOT_OPEN:
        others = [PERSONAS[p][0] for p in PERSONAS if p not in ONLY_WHAT_OTHERS_CANNOT_OPEN]
        mine = [e for e in mine if not any(_opens(e, column) for column in others)]
    return mine


def _extra_url(extra: Extra, cast) -> str:
    entry = next(e for e in ENTRIES if e.route == extra.route)
    url = reverse(extra.route, kwargs=entry.args(cast) if entry.args else None)
    query = {k: cast.bidang_p2p.pk if v == "p2p" else v for k, v in extra.query.items()}
    return url + ("?" + urlencode(query) if query else "")


def visits(persona: str, cast) -> list[Visit]:
    found = [Visit(e.route, _url(e, cast)) for e in page_entries(persona)]
    found += [Visit(x.route, _extra_url(x, cast), x.post) for x in EXTRAS if x.persona == persona]
    return list(dict.fromkeys(found))


def failing(results: dict) -> list[dict]:
    return [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS or v["id"] in RAISED]


def describe(violation: dict, where: str) -> list[str]:
    """One line per offending element: rule, impact, selector, page, and what axe says to fix."""
    lines = []
    for node in violation["nodes"]:
        target = " ".join(str(t) for t in node["target"])
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"{violation['id']} [{violation['impact']}] {target} on {where}: {summary}")
    return lines


SUBMIT_FORM = """url => {
  const token = document.querySelector('input[name=csrfmiddlewaretoken]');
  if (!token) { throw new Error('no CSRF token on ' + location.pathname + ' to post ' + url); }
  const form = document.createElement('form');
  form.method = 'post';
  form.action = url;
  form.appendChild(token.cloneNode());
  document.body.appendChild(form);
  form.submit();
}"""


def open_page(page, live_server, visit: Visit):
    if not visit.post:
        return page.goto(live_server.url + visit.url)
    with page.expect_navigation() as navigation:  # from the page before, with its CSRF token
        page.evaluate(SUBMIT_FORM, visit.url)
    return navigation.value


AXE = Axe()


def check_pages(browser, live_server, persona: str, planned: list[Visit]) -> tuple[list[str], int]:
    """axe on every visit at every viewport: the failure lines and the number of pages checked."""
    username = PERSONAS[persona][1]
    problems, runs = [], 0
    for name, viewport in VIEWPORTS.items():
        context = new_context(browser, viewport=viewport)
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            if username:
                login(page, live_server, username)
            for visit in planned:
                response = open_page(page, live_server, visit)
                shown = page.url.removeprefix(live_server.url)
                where = f"{shown if not visit.post else f'{shown} after POST {visit.url}'} ({persona}, {name})"
                if response is None or response.status >= 400:
                    problems.append(f"{where}: answered {response.status if response else 'nothing'}")
                    continue
                if visit.route in READY:
                    page.wait_for_selector(READY[visit.route])
                runs += 1
                for violation in failing(AXE.run(page).response):
                    problems.extend(describe(violation, where))
        finally:
            context.close()
    return problems, runs


def _build_cast():
    """The authorization matrix's cast on its own day, committed so the live server sees it, and an
    approved WFH day of ani's that is past by now (its pill on a past day of the calendar)."""
    from scheduling.services import request_day_approve, request_submit

    with time_machine.travel(NOW, tick=False), transaction.atomic():
        cast = build_cast()
        day = request_submit(actor=cast.ani.user, kind="WFH", dates=[APPROVED_PAST_DAY]).days[0]
        request_day_approve(actor=cast.kabid.user, day_id=day.pk)
        return cast


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_page_passes_axe(browser, live_server, persona):
    planned = visits(persona, _build_cast())
    assert planned, f"{persona} has no page to check"
    started = time.monotonic()
    problems, runs = check_pages(browser, live_server, persona, planned)
    print(f"axe: {runs} pages checked for {persona} in {time.monotonic() - started:.1f}s")
    assert not problems, f"{len(problems)} accessibility problem(s):\n" + "\n".join(problems)


def test_every_page_route_is_checked_or_excluded_with_a_reason():
    """A page nobody visits escapes the check: each GET route is visited or excluded with a reason."""
    visited = {e.route for persona in PERSONAS for e in page_entries(persona)}
    get_routes = {e.route for e in ENTRIES if e.method == "GET"}
    unchecked = sorted(r for r in get_routes if r not in visited and not excluded_reason(r))
    assert not unchecked, "GET routes no persona checks (add a persona or an EXCLUDED reason): " + ", ".join(unchecked)
    stale = sorted((set(EXCLUDED) | INCLUDED | set(READY) | {x.route for x in EXTRAS}) - route_names())
    assert not stale, "names of routes that no longer exist: " + ", ".join(stale)
