"""FWA windows and calendar FWA days lift the weekly and monthly caps (Permen PANRB 4/2025) for the
days a KemenPAN-RB circular names, so a national window (SE MenPAN-RB 2/2026: Wed 25 – Fri 27 March
2026, after the Idul Fitri cuti bersama) can be booked whole in one request; coverage still holds."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import AuditEvent, CalendarOverride, OverrideKind
from scheduling import rules, selectors, services
from scheduling.models import CoveragePolicy, FwaWindow, Kind, RequestDay, Status
from tests.factories import EmployeeFactory

SE = "SE MenPAN-RB 2/2026"
WED, THU, FRI = dt.date(2026, 3, 25), dt.date(2026, 3, 26), dt.date(2026, 3, 27)
WINDOW = [WED, THU, FRI]
# 13–17 April 2026: an ordinary week (no holidays) for the counting tests.
A_MON, A_TUE, A_WED, A_THU, A_FRI = (dt.date(2026, 4, 13) + dt.timedelta(days=i) for i in range(5))

pytestmark = pytest.mark.now(dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))),
                             tick=False)


@pytest.fixture
def capped(dinkes):
    """Dinkes: the Permen's two flexible days a week, three a month, and 60% in the office."""
    return CoveragePolicy.objects.create(unit=dinkes, effective_from=dt.date(2025, 1, 1), weekly_cap=2,
                                         monthly_cap=3, min_office_share=60)


@pytest.fixture
def team(bidang_p2p, kabid, ani, budi):
    return [ani, budi, *(EmployeeFactory(unit=bidang_p2p, supervisor=kabid) for _ in range(3))]  # 6 with kabid


def window(hr, unit, start=WED, end=FRI, **kwargs):
    return services.fwa_window_open(actor=hr, name=kwargs.pop("name", SE), start=start, end=end, units=[unit],
                                    **kwargs).window


def submit(person, days, **kwargs):
    return services.request_submit(actor=person.user, kind=kwargs.pop("kind", Kind.WFH), dates=days, **kwargs)


def rules_of(preview) -> list[tuple[str, str]]:
    return [(v.rule, v.severity) for v in preview.verdicts]


# --- the pure rule ----------------------------------------------------------------------------


def test_the_caps_say_so_instead_of_refusing_on_a_cap_free_day():
    policy = rules.Policy(weekly_cap=2, monthly_cap=3)
    ctx = rules.DayContext(date=FRI, flexible=True, unit_name="P2P", headcount=10, away_others=0,
                           own_flexible_week=2, own_flexible_month=3)
    assert [v.rule for v in rules.evaluate_day(policy, ctx)] == ["weekly_cap", "monthly_cap"]
    (verdict,) = rules.evaluate_day(policy, dataclasses.replace(ctx, cap_free=True, cap_free_basis=SE))
    assert (verdict.rule, verdict.severity) == ("fwa_day", rules.INFO)
    assert SE in verdict.message and "batas hari fleksibel" in verdict.message


# --- which days are cap-free ------------------------------------------------------------------


def test_it_reads_cap_free_days_from_windows_and_calendar_fwa_days(hr, pemkot, dinkes, bidang_p2p, upt,
                                                                   pemprov_lain):
    window(hr, dinkes)  # with its sub-units
    window(hr, upt, start=A_MON, end=A_TUE, name="Tanpa pembebasan", lifts_caps=False)
    CalendarOverride.objects.create(institution=pemkot, date=A_WED, kind=OverrideKind.FWA_DAY, name="SE Pemkot")
    CalendarOverride.objects.create(institution=None, date=A_THU, kind=OverrideKind.FWA_DAY, name="SE nasional")
    CalendarOverride.objects.create(institution=pemprov_lain, date=A_FRI, kind=OverrideKind.FWA_DAY, name="Lain")
    span = (dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    assert selectors.cap_free_days(bidang_p2p, *span) == {
        WED: SE, THU: SE, FRI: SE, A_WED: "SE Pemkot", A_THU: "SE nasional"}
    # The upt's window opens its days (auto-approval) without freeing them from the caps.
    opened = selectors.open_days(upt, *span)
    assert opened[A_MON] == selectors.OpenDay("Tanpa pembebasan", False)
    assert A_MON not in selectors.cap_free_days(upt, *span)
    assert selectors.cap_free_days(pemprov_lain, *span) == {A_THU: "SE nasional", A_FRI: "Lain"}


def test_a_window_without_its_sub_units_frees_only_the_unit_named(hr, dinkes, bidang_p2p):
    window(hr, dinkes, include_subunits=False)
    assert selectors.cap_free_days(bidang_p2p, WED, FRI) == {}
    assert set(selectors.cap_free_days(dinkes, WED, FRI)) == set(WINDOW)


# --- booking a whole window -------------------------------------------------------------------


def test_it_books_the_whole_national_window_in_one_request(capped, team, hr, dinkes, ani):
    window(hr, dinkes)
    result = submit(ani, WINDOW)
    assert [d.date for d in result.days] == WINDOW and not result.blocked
    assert all(d.status == Status.APPROVED and d.auto_approved for d in result.days)
    assert {d.acting_for for d in result.days} == {f"Jendela FWA: {SE}"}
    for day in result.days:
        assert ("fwa_day", rules.INFO) in [(v["rule"], v["severity"]) for v in day.verdicts]
    assert AuditEvent.objects.filter(verb="request_day.approved", actor=None).count() == 3


def test_a_window_that_keeps_the_caps_refuses_the_third_day(capped, team, hr, dinkes, ani):
    window(hr, dinkes, lifts_caps=False)
    previews = selectors.preview_days(ani, Kind.WFH, WINDOW)
    assert [p.blocked for p in previews] == [False, False, True]
    assert ("weekly_cap", rules.BLOCK) in rules_of(previews[2])
    with pytest.raises(services.RequestBlocked):
        submit(ani, WINDOW)
    assert not RequestDay.objects.exists()


def test_cap_free_days_count_towards_no_other_days_cap(capped, team, hr, dinkes, ani):
    window(hr, dinkes, start=A_WED, end=A_THU)
    assert all(d.status == Status.APPROVED for d in submit(ani, [A_WED, A_THU]).days)
    # Two more days that week: the window's days are not counted.
    assert [d.date for d in submit(ani, [A_MON, A_TUE]).days] == [A_MON, A_TUE]
    (friday,) = selectors.preview_days(ani, Kind.WFH, [A_FRI])
    assert ("weekly_cap", rules.BLOCK) in rules_of(friday)
    assert friday.verdicts[0].params["used"] == 2
    # The month: Monday and Tuesday count (2 of 3), the window's days do not.
    later = dt.date(2026, 4, 20)
    assert [p.blocked for p in selectors.preview_days(ani, Kind.WFH, [later, later + dt.timedelta(days=1)])] == [
        False, True]


def test_coverage_still_holds_on_a_cap_free_day(capped, team, hr, dinkes):
    window(hr, dinkes)
    # Six in the unit, 60% in: four stay, so two may be away.
    for person in team[:2]:
        assert submit(person, [WED]).days[0].status == Status.APPROVED
    (third,) = selectors.preview_days(team[2], Kind.WFH, [WED])
    assert third.blocked and ("coverage", rules.BLOCK) in rules_of(third)
    assert ("fwa_day", rules.INFO) in rules_of(third)


def test_a_calendar_fwa_day_lifts_the_caps_and_approves_like_a_window(capped, team, pemkot, ani):
    for day in WINDOW:
        CalendarOverride.objects.create(institution=pemkot, date=day, kind=OverrideKind.FWA_DAY, name=SE)
    result = submit(ani, WINDOW)
    assert [d.status for d in result.days] == [Status.APPROVED] * 3
    assert all(d.auto_approved and d.acting_for == f"Jendela FWA: {SE}" for d in result.days)


def test_a_calendar_fwa_day_frees_flexible_days_not_absences(capped, team, pemkot, ani):
    CalendarOverride.objects.create(institution=pemkot, date=WED, kind=OverrideKind.FWA_DAY, name=SE)
    (preview,) = selectors.preview_days(ani, Kind.WFA, [WED])
    assert ("fwa_day", rules.INFO) in rules_of(preview)
    (leave,) = selectors.preview_days(ani, Kind.SAKIT, [WED])
    assert "fwa_day" not in [v.rule for v in leave.verdicts]  # an absence meets no flexible-day cap


def test_a_supervisor_approves_a_waiting_cap_free_day_past_the_cap(capped, team, hr, dinkes, kabid, ani):
    """Days asked before the window opened, then the window: approval re-checks with the caps lifted."""
    assert len(submit(ani, [WED, THU]).days) == 2
    opened = services.fwa_window_open(actor=hr, name=SE, start=WED, end=FRI, units=[dinkes])
    assert (opened.pending, opened.auto_approved) == (2, 2)
    (friday,) = submit(ani, [FRI]).days
    assert friday.status == Status.APPROVED


# --- HR page, API, admin ----------------------------------------------------------------------


def test_the_hr_page_opens_a_window_that_keeps_the_caps(client, hr, dinkes):
    client.force_login(hr)
    page = client.get(reverse("scheduling:fwa"))
    assert page.context["form"].fields["lifts_caps"].initial is True
    assert "Bebaskan dari batas hari fleksibel" in page.content.decode()
    response = client.post(reverse("scheduling:fwa"), {"name": SE, "start": "2026-03-25", "end": "2026-03-27",
                                                       "units": [dinkes.pk], "include_subunits": "on"})
    assert response.status_code == 302
    assert FwaWindow.objects.get().lifts_caps is False  # an unticked box
    assert "tetap berlaku" in client.get(reverse("scheduling:fwa")).content.decode()
    event = AuditEvent.objects.get(verb="fwa_window.opened")
    assert event.after["lifts_caps"] is False


def test_the_api_shows_and_takes_lifts_caps(hr, dinkes):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="id")
    client.force_authenticate(hr)
    body = {"name": SE, "start": "2026-03-25", "end": "2026-03-27", "units": [dinkes.pk]}
    created = client.post("/api/v1/fwa-windows/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["item"]["lifts_caps"] is True
    kept = client.post("/api/v1/fwa-windows/", {**body, "lifts_caps": False}, format="json").json()
    assert kept["item"]["lifts_caps"] is False
    listed = client.get("/api/v1/fwa-windows/").json()["results"]
    assert sorted(w["lifts_caps"] for w in listed) == [False, True]


def test_the_admin_opens_a_window_that_lifts_the_caps(client, superuser, dinkes):
    client.force_login(superuser)
    assert "lifts_caps" in client.get(reverse("admin:scheduling_fwawindow_add")).context["adminform"].form.fields
    response = client.post(reverse("admin:scheduling_fwawindow_add"), {
        "name": SE, "start": "2026-03-25", "end": "2026-03-27", "units": [dinkes.pk], "include_subunits": "on",
        "lifts_caps": "on"})
    assert response.status_code == 302
    assert FwaWindow.objects.get().lifts_caps is True


# --- the employee sees it ---------------------------------------------------------------------


def test_the_request_panel_names_the_circular(client, capped, team, hr, dinkes, ani):
    window(hr, dinkes)
    client.force_login(ani.user)
    response = client.get(reverse("scheduling:request-preview"), {
        "kind": Kind.WFH, "date_mode": "range", "start": "2026-03-25", "end": "2026-03-27"})
    html = response.content.decode()
    assert f"Hari kerja fleksibel menurut {SE}" in html
    assert "Batas 2 hari kerja fleksibel per minggu" not in html


def test_the_month_calendar_offers_every_window_day_past_the_caps(client, capped, team, hr, dinkes, ani):
    window(hr, dinkes)
    submit(ani, [dt.date(2026, 3, 16)])
    submit(ani, [dt.date(2026, 3, 30), dt.date(2026, 3, 31)])  # three of the month's three
    client.force_login(ani.user)
    response = client.get(reverse("scheduling:my-calendar"), {"bulan": "2026-03"})
    cells = {c.date: c for c in response.context["cells"]}
    assert all(cells[d].free and cells[d].fwa == SE for d in WINDOW)
    tuesday = cells[dt.date(2026, 3, 17)]
    assert not tuesday.free and tuesday.refusal.rule == "monthly_cap"
    html = response.content.decode()
    assert "?tanggal=2026-03-25" in html and "?tanggal=2026-03-17" not in html
    assert "batas bulanan tercapai" in html
