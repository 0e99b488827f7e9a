"""Attendance test fixtures.

A punch derives its day's status after the commit (a coalesced task); a test's transaction never
commits, so tests that check the derivation through punches get the task run as soon as the punch
returns, as a worker that picked it up at once would. A module that tests the deferral itself sets
``REAL_AFTER_COMMIT = True`` and keeps the real after-commit path.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _punch_status_derived_at_once(request, monkeypatch):
    if getattr(request.module, "REAL_AFTER_COMMIT", False):
        return
    from attendance import tasks
    from attendance.services import presence

    def at_once(punch):
        tasks.recompute_day(punch.employee_id, punch.date.isoformat())

    monkeypatch.setattr(presence, "_derive_status_after_commit", at_once)
