"""With PORTAL_REQUIRE_SERVICES=1 (CI's PostgreSQL + Redis run), a skipped test fails the run.

A test that skips because a service is missing would otherwise let CI pass while
testing nothing; "no tests collected" (exit code 5) counts as a failure too.
"""

from __future__ import annotations

import os

import pytest


def _required() -> bool:
    return os.environ.get("PORTAL_REQUIRE_SERVICES", "").strip().lower() in ("1", "true", "yes", "on")


def _skipped(session) -> list:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return []
    return reporter.stats.get("skipped", [])


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if not _required():
        return
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif _skipped(session) and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _required():
        return
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.section("PORTAL_REQUIRE_SERVICES=1: skipped tests are failures", red=True)
        for report in skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            terminalreporter.write_line(f"SKIPPED {report.nodeid}: {reason}", red=True)
