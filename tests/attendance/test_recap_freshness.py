"""Recap freshness as a per-month marker (issue 15.3): the nightly pass leaves each institution's
months final up to a day; the recap checks only the days after it employee by employee, and a
change that makes past days stale pulls the marker back."""

from __future__ import annotations

import datetime as dt

from attendance.models import DayStatus, RecapFreshness
from attendance.selectors import reports
from attendance.services import recompute
from attendance.tasks import recompute_after_records_change
from tests.attendance.test_reports import AUG, august, deductions, september  # noqa: F401  (fixtures)

D = dt.date


def _marks(unit) -> dict:
    return dict(RecapFreshness.objects.filter(unit=unit).values_list("month", "through"))


def test_the_nightly_pass_leaves_each_month_final_up_to_yesterday(hr, pemkot, dinkes, august,  # noqa: F811 - the fixture imported above
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the pass's batches run after commit
        recompute.recompute_recent(today=D(2026, 9, 10), days=45)  # from 27 July: August whole, July late
    assert _marks(pemkot) == {D(2026, 8, 1): D(2026, 8, 31), D(2026, 9, 1): D(2026, 9, 9)}
    selection = reports.report_resolve(hr, report=reports.MONTHLY_RECAP, unit=dinkes.pk, month=AUG)
    assert reports.final_through(selection, D(2026, 8, 1), D(2026, 8, 31)) == D(2026, 8, 31)
    # Trusted: a row removed behind the pass's back is not looked for employee by employee.
    DayStatus.objects.filter(employee=august[0], date=D(2026, 8, 4)).delete()
    assert reports.stale_employee_ids(selection) == []


def test_a_month_entered_in_its_middle_counts_only_after_its_first_days(hr, pemkot, dinkes, august):  # noqa: F811 - the fixture imported above
    recompute.recompute_institution(pemkot.pk, D(2026, 8, 10), D(2026, 8, 31))
    assert _marks(pemkot) == {}  # 1–9 August were never covered
    recompute.recompute_institution(pemkot.pk, D(2026, 8, 1), D(2026, 8, 9))
    assert _marks(pemkot) == {D(2026, 8, 1): D(2026, 8, 9)}
    recompute.recompute_institution(pemkot.pk, D(2026, 8, 10), D(2026, 8, 31))
    assert _marks(pemkot) == {D(2026, 8, 1): D(2026, 8, 31)}


def test_a_records_change_pulls_the_marker_back_and_the_recap_checks_those_days(
        hr, pemkot, dinkes, august, django_capture_on_commit_callbacks):  # noqa: F811 - the fixture imported above
    ani = august[0]
    recompute.recompute_institution(pemkot.pk, D(2026, 8, 1), D(2026, 9, 10))
    DayStatus.objects.filter(employee=ani, date=D(2026, 8, 20)).delete()
    selection = reports.report_resolve(hr, report=reports.MONTHLY_RECAP, unit=dinkes.pk, month=AUG)
    assert reports.stale_employee_ids(selection) == []
    with django_capture_on_commit_callbacks(execute=False):
        recompute_after_records_change(employee_ids=[ani.pk], start=D(2026, 8, 18), end=D(2026, 9, 10))
    assert _marks(pemkot) == {D(2026, 8, 1): D(2026, 8, 17)}  # September's marker is gone
    assert reports.final_through(selection, D(2026, 8, 1), D(2026, 8, 31)) == D(2026, 8, 17)
    assert reports.stale_employee_ids(selection) == [ani.pk]  # 18–31 August, per employee again


def test_a_calendar_change_pulls_the_marker_back_to_its_first_day(hr, pemkot, dinkes, august,  # noqa: F811 - the fixture imported above
                                                                  django_capture_on_commit_callbacks):
    recompute.recompute_institution(pemkot.pk, D(2026, 8, 1), D(2026, 9, 10))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        recompute.enqueue_recompute(institution_id=pemkot.pk, start=D(2026, 8, 1), end=D(2026, 8, 31))
    assert len(queued) == 1
    assert _marks(pemkot) == {}  # from the first of August: both months lose their marker
    selection = reports.report_resolve(hr, report=reports.MONTHLY_RECAP, unit=dinkes.pk, month=AUG)
    assert reports.final_through(selection, D(2026, 8, 1), D(2026, 8, 31)) == D(2026, 7, 31)


def test_a_selection_without_a_unit_needs_every_institution_final(superuser, pemkot, pemprov_lain, august):  # noqa: F811 - the fixture imported above
    recompute.recompute_institution(pemkot.pk, D(2026, 8, 1), D(2026, 9, 10))
    selection = reports.report_resolve(superuser, report=reports.MONTHLY_RECAP, month=AUG)
    assert reports.final_through(selection, D(2026, 8, 1), D(2026, 8, 31)) == D(2026, 7, 31)
    recompute.recompute_institution(pemprov_lain.pk, D(2026, 8, 1), D(2026, 9, 10))
    assert reports.final_through(selection, D(2026, 8, 1), D(2026, 8, 31)) == D(2026, 8, 31)


def test_a_national_change_is_a_task_per_institution_and_month(superuser, pemkot, pemprov_lain, august,  # noqa: F811 - the fixture imported above
                                                               monkeypatch):
    """At a million people one task per month outlived the task time limit: the institutions are
    separate tasks, which the workers share; run, they leave every institution final again."""
    sent = []
    monkeypatch.setattr(recompute, "enqueue_on_commit", lambda name, kwargs: sent.append((name, kwargs)))
    recompute.enqueue_recompute(institution_id=None, start=D(2026, 8, 10), end=D(2026, 9, 9))
    assert {name for name, _kw in sent} == {"attendance.recompute_institution"}
    assert sorted((kw["institution_id"], kw["start"], kw["end"]) for _name, kw in sent) == sorted(
        (i, start, end) for i in (pemkot.pk, pemprov_lain.pk)
        for start, end in (("2026-08-10", "2026-08-31"), ("2026-09-01", "2026-09-09")))
    recompute.recompute_institution(pemkot.pk, D(2026, 8, 1), D(2026, 8, 9))  # the days before the change
    for _name, kw in sent:
        recompute.recompute_institution(kw["institution_id"], D.fromisoformat(kw["start"]),
                                        D.fromisoformat(kw["end"]), kw["unit_id"])
    assert _marks(pemkot) == {D(2026, 8, 1): D(2026, 8, 31), D(2026, 9, 1): D(2026, 9, 9)}
    assert _marks(pemprov_lain)[D(2026, 9, 1)] == D(2026, 9, 9)
