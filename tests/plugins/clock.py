"""One clock for a test and its fixtures, and the whole suite run under another "today".

``@pytest.mark.now(moment)`` travels *before* the test's fixtures are built and stays there
until they are torn down, so a fixture that reads the clock (a Plh delegation "from
yesterday", a punch "this morning") and the test agree on what now is. A decorator such as
``@time_machine.travel`` only covers the test body: fixtures built before it would see the
real date, and the test would pass or fail with the calendar.

``--today=YYYY-MM-DD`` (or ``PORTAL_TEST_TODAY``) runs the whole session as if it were that
day (10:00 WIB, the clock ticking), so CI proves the suite does not depend on the real date:
a Sunday, 31 December, a day in Ramadan, 29 February. Tests pinned with ``now`` travel on
from there as usual. ``@pytest.mark.real_clock`` opts a test out of the session's "today":
a real Celery worker subprocess keeps the real clock, and a task sent with a countdown from a
process a year ahead would wait a year.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo

import pytest
import time_machine

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
_SESSION = pytest.StashKey[time_machine.travel]()
_TEST = pytest.StashKey[time_machine.travel]()


def pytest_addoption(parser):
    parser.addoption("--today", default=os.environ.get("PORTAL_TEST_TODAY", ""),
                     help="Run the suite as if today were this date (YYYY-MM-DD, 10:00 WIB).")


def pytest_configure(config):
    config.addinivalue_line("markers", "now(moment, tick=True): the test and its fixtures run at this moment "
                                       "(time_machine.travel arguments)")
    config.addinivalue_line("markers", "real_clock: ignore --today (talks to a process on the real clock)")
    today = config.getoption("--today")
    if today:
        moment = dt.datetime.combine(dt.date.fromisoformat(today), dt.time(10, 0), tzinfo=WIB)
        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        config.stash[_SESSION] = traveller


def pytest_unconfigure(config):
    traveller = config.stash.get(_SESSION, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    today = config.getoption("--today")
    return f"today: {today} (time-machine, 10:00 WIB)" if today else None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    session = item.config.stash.get(_SESSION, None)
    if session is not None and item.get_closest_marker("real_clock"):
        session.stop()
    marker = item.get_closest_marker("now")
    if marker is None:
        return
    traveller = time_machine.travel(*marker.args, **marker.kwargs)
    traveller.start()
    item.stash[_TEST] = traveller


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    traveller = item.stash.get(_TEST, None)
    if traveller is not None:
        traveller.stop()
        del item.stash[_TEST]
    session = item.config.stash.get(_SESSION, None)
    if session is not None and item.get_closest_marker("real_clock"):
        session.start()
