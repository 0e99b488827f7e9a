"""The CI guard rails: postgres-only tests skip on SQLite, and skips fail a services run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

SAMPLE = '''
import pytest

@pytest.mark.postgres
def test_it_needs_postgres():
    pass

def test_it_runs_anywhere():
    pass
'''


def _pytest(tmp_path, source: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_sample.py").write_text(source)
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
             "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PORTAL_VAR_DIR": str(tmp_path / "var"), **env}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(BASE_DIR / "pytest.ini"), "--rootdir", str(BASE_DIR),
         "-rs", "-q", *args, str(tmp_path)],
        cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60,
    )


def test_it_skips_postgres_tests_on_sqlite(tmp_path):
    result = _pytest(tmp_path, SAMPLE)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 skipped" in result.stdout
    assert "needs PostgreSQL" in result.stdout


def test_it_fails_a_services_run_that_skipped_anything(tmp_path):
    result = _pytest(tmp_path, SAMPLE, PORTAL_REQUIRE_SERVICES="1")
    assert result.returncode == 1, result.stdout
    assert "skipped tests are failures" in result.stdout
    assert "test_it_needs_postgres" in result.stdout


def test_it_fails_a_services_run_that_collected_nothing(tmp_path):
    result = _pytest(tmp_path, "# no tests here\n", PORTAL_REQUIRE_SERVICES="1")
    assert result.returncode == 1, result.stdout


def test_it_passes_a_services_run_without_skips(tmp_path):
    result = _pytest(tmp_path, "def test_it_runs():\n    pass\n", PORTAL_REQUIRE_SERVICES="1")
    assert result.returncode == 0, result.stdout


def test_it_runs_postgres_tests_on_postgresql(tmp_path):
    # The sample touches no database, so no server is needed to see the marker honoured.
    result = _pytest(tmp_path, SAMPLE, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert result.returncode == 0, result.stdout
    assert "2 passed" in result.stdout


CLOCK_SAMPLE = '''
import datetime as dt

import pytest

@pytest.fixture
def made_today():
    return dt.date.today()

@pytest.mark.now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
def test_it_builds_fixtures_at_the_pinned_moment(made_today):
    assert made_today == dt.date(2026, 12, 1) == dt.date.today()

def test_it_runs_under_the_session_today(made_today):
    assert made_today == dt.date.today()
    print("TODAY", dt.date.today().isoformat())

@pytest.mark.real_clock
def test_it_keeps_the_real_clock_when_asked():
    print("REAL", dt.date.today().isoformat())
'''


def test_it_pins_fixtures_and_test_to_one_moment(tmp_path):
    result = _pytest(tmp_path, CLOCK_SAMPLE)
    assert result.returncode == 0, result.stdout


def test_it_runs_the_suite_under_another_today(tmp_path):
    result = _pytest(tmp_path, CLOCK_SAMPLE, "-s", "--today=2028-02-29")
    assert result.returncode == 0, result.stdout
    assert "TODAY 2028-02-29" in result.stdout
    assert "REAL 2028-02-29" not in result.stdout
