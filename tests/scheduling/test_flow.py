"""End-to-end service flow: submit, coverage verdicts, approve race-safely, audit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from portal.models import AuditEvent
from scheduling import services
from scheduling.models import Kind, RequestDay, Status

MONDAY = dt.date(2026, 12, 7)


@pytest.mark.now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
def test_it_submits_and_approves_with_audit(team, ani, kabid):
    result = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MONDAY])
    (day,) = result.days
    assert day.status == Status.PENDING
    decision = services.request_day_approve(actor=kabid.user, day_id=day.pk)
    assert decision.changed and decision.day.status == Status.APPROVED
    again = services.request_day_approve(actor=kabid.user, day_id=day.pk)
    assert not again.changed
    assert AuditEvent.objects.filter(verb="request_day.approved", object_id=str(day.pk)).count() == 1


@pytest.mark.now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
def test_it_blocks_the_day_that_breaks_the_minimum(team, kabid):
    # 5 people, 60% -> 3 must stay: two may go.
    first, second, third = team[1], team[2], team[3]
    for person in (first, second):
        (d,) = services.request_submit(actor=person.user, kind=Kind.WFH, dates=[MONDAY]).days
        services.request_day_approve(actor=kabid.user, day_id=d.pk)
    with pytest.raises(services.RequestBlocked) as exc:
        services.request_submit(actor=third.user, kind=Kind.WFH, dates=[MONDAY])
    (preview,) = exc.value.previews
    assert preview.blocked
    assert "2 dari 5" in preview.verdicts[0].message
    assert not RequestDay.objects.filter(employee=third).exists()


@pytest.mark.now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
def test_it_enforces_the_weekly_cap_and_skips_holidays(team, ani):
    result = services.request_submit(actor=ani.user, kind=Kind.WFH, start=MONDAY, end=MONDAY + dt.timedelta(days=6),
                                     skip_blocked=True)
    assert [d.date for d in result.days] == [MONDAY, MONDAY + dt.timedelta(days=1)]
    assert {p.date for p in result.blocked} == {MONDAY + dt.timedelta(days=i) for i in (2, 3, 4)}
    assert len(result.skipped) == 2  # the weekend


@pytest.mark.now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
def test_it_hides_other_units_days_from_a_supervisor(team, ani, outsider):
    (day,) = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MONDAY]).days
    with pytest.raises(Http404):
        services.request_day_approve(actor=outsider.user, day_id=day.pk)


@pytest.mark.now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
def test_it_lets_the_plh_decide_on_behalf(team, ani, plh):
    (day,) = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MONDAY]).days
    decision = services.request_day_approve(actor=plh.user, day_id=day.pk)
    assert decision.day.acting_for == "Plh. Kepala Bidang P2P"


@pytest.mark.now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
def test_it_requires_a_reason_to_reject(team, ani, kabid):
    (day,) = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MONDAY]).days
    with pytest.raises(ValidationError):
        services.request_day_reject(actor=kabid.user, day_id=day.pk, reason=" ")


@pytest.mark.now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
def test_it_never_lets_a_plh_decide_their_own_day(team, plh):
    (day,) = services.request_submit(actor=plh.user, kind=Kind.WFH, dates=[MONDAY]).days
    with pytest.raises(Http404):
        services.request_day_approve(actor=plh.user, day_id=day.pk)
