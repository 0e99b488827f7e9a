"""One read per question: a page and the API that ask the same thing give the same answer.

Each test asks the same question, as the same actor with the same parameters, of the page and of
the endpoint, and compares what both show: they render one selector, so they cannot drift apart.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from attendance.models import Punch, WorkMode
from attendance.services.staffing import compute_staffing
from scheduling import services
from scheduling.models import CoveragePolicy, Kind

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # Tuesday 1 December, 09:00 WIB
MONDAY = dt.date(2026, 12, 7)

pytestmark = pytest.mark.now(NOW, tick=False)


def api(user, language: str = "id") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def page(client, user, name: str, params=None, **kwargs):
    client.force_login(user)
    response = client.get(reverse(name, **kwargs), params or {})
    assert response.status_code == 200, response.content[:500]
    return response.context


@pytest.fixture
def busy_week(team, ani, budi, kabid):
    """Budi is away Monday (approved); Ani asks for the whole week (cap 2, 60% must stay in)."""
    (monday,) = services.request_submit(actor=budi.user, kind=Kind.WFH, dates=[MONDAY]).days
    services.request_day_approve(actor=kabid.user, day_id=monday.pk)
    return {"kind": "WFH", "date_mode": "range", "start": MONDAY.isoformat(),
            "end": (MONDAY + dt.timedelta(days=4)).isoformat()}


def test_it_checks_a_request_and_suggests_days_the_same_way(client, busy_week, ani):
    form = page(client, ani.user, "scheduling:request-preview", busy_week)
    on_page = {r["preview"].date.isoformat(): (r["preview"].worst, [d.isoformat() for d in r["nearest"]])
               for r in form["rows"]}
    body = api(ani.user).post("/api/v1/requests/preview/", {"kind": "WFH", "start": busy_week["start"],
                                                            "end": busy_week["end"]}, format="json").json()
    in_api = {d["date"]: (d["worst"], d["nearest"]) for d in body["days"]}
    assert on_page == in_api
    assert any(nearest for _worst, nearest in in_api.values())  # there were refusals to suggest for


def test_it_shows_the_same_effective_policy_with_the_same_sources(client, hr, team, dinkes, bidang_p2p):
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2026, 1, 1), weekly_cap=1,
                                  mandatory_weekdays=[0])
    rows = page(client, hr, "scheduling:policies", {"tanggal": MONDAY.isoformat()})["rows"]
    on_page = {r["unit"].pk: (r["effective"].values, {k: getattr(v, "pk", None)
                                                      for k, v in r["effective"].sources.items()}) for r in rows}
    results = api(hr).get("/api/v1/policies/effective/", {"date": MONDAY.isoformat()}).json()["results"]
    in_api = {r["unit"]["id"]: ({k: v for k, v in r["values"].items()},
                                {k: (v or {}).get("id") for k, v in r["sources"].items()}) for r in results}
    assert {pk: (values | {"blackout_dates": [d.isoformat() for d in values["blackout_dates"]]}, sources)
            for pk, (values, sources) in on_page.items()} == in_api
    assert in_api[bidang_p2p.pk][1]["weekly_cap"] == bidang_p2p.pk
    assert in_api[bidang_p2p.pk][1]["min_office_share"] == dinkes.pk


def test_it_shows_the_same_team_calendar(client, kabid, busy_week, bidang_p2p):
    days = page(client, kabid.user, "scheduling:team", {"bulan": "2026-12"})["days"]
    on_page = {d.date.isoformat(): ([p["employee_id"] for p in d.present], [a["employee_id"] for a in d.away],
                                    d.minimum) for d in days}
    body = api(kabid.user).get("/api/v1/team/", {"month": "2026-12"}).json()
    in_api = {d["date"]: ([p["employee_id"] for p in d["present"]], [a["employee_id"] for a in d["away"]],
                          d["minimum"]) for d in body["days"]}
    assert on_page == in_api and body["unit"]["id"] == bidang_p2p.pk


def test_it_tells_the_same_history_of_a_day(client, busy_week, budi):
    items = page(client, budi.user, "scheduling:my-requests")["items"]
    day = items[0]
    on_page = [(e.verb, e.label, e.actor, e.acting_for) for e in day.history]
    body = api(budi.user).get(f"/api/v1/requests/{day.pk}/history/").json()
    assert on_page == [(e["verb"], e["label"], e["actor"], e["acting_for"]) for e in body]
    assert [e["label"] for e in body] == ["Diajukan", "Disetujui"]


def test_it_shows_the_same_staffing_rows(client, kabid, busy_week, bidang_p2p):
    compute_staffing(MONDAY, MONDAY + dt.timedelta(days=4), unit_ids=[bidang_p2p.pk])
    rows = page(client, kabid.user, "staffing-dashboard", {"unit": bidang_p2p.pk, "bulan": "2026-12"})["rows"]
    on_page = {r.date.isoformat(): (r.headcount, r.in_office, r.wfh, r.minimum, r.status) for r in rows}
    body = api(kabid.user).get("/api/v1/staffing/", {"unit": bidang_p2p.pk, "start": "2026-12-01",
                                                     "end": "2026-12-31"}).json()
    in_api = {d["date"]: (d["headcount"], d["in_office"], d["wfh"], d["minimum"], d["status"]) for d in body["days"]}
    assert on_page == in_api and on_page[MONDAY.isoformat()][2] == 1


def test_it_tells_the_same_audit_trail(client, hr, busy_week, budi, bidang_p2p):
    params = {"person": "Budi Santoso", "unit": bidang_p2p.pk}
    rows = page(client, hr, "hr-audit", params)["rows"]
    on_page = [(r.event.pk, r.sentence, r.actor_name, r.actor_nip, r.acting, r.local_at.isoformat()) for r in rows]
    body = api(hr).get("/api/v1/hr/audit/", params).json()
    in_api = [(e["id"], e["sentence"], e["actor_name"], e["actor_nip"], e["acting"], e["local_time"])
              for e in body["results"]]
    assert on_page == in_api and len(in_api) == 2  # Budi's request, his supervisor's approval


@pytest.mark.now(dt.datetime(2026, 12, 10, 3, 0, tzinfo=dt.UTC), tick=False)
def test_it_puts_the_same_numbers_in_the_exported_file_as_on_the_page(client, hr, dinkes, ani, budi,
                                                                      django_capture_on_commit_callbacks):
    """The monthly recap: the page's table against the file an export job writes (the API's way)."""
    for day in (1, 2, 3):
        date = dt.date(2026, 12, day)
        Punch.objects.create(employee=ani, unit=ani.unit, date=date, work_mode=WorkMode.WFO,
                             check_in_at=dt.datetime.combine(date, dt.time(7, 40 + day), tzinfo=dt.UTC),
                             check_out_at=dt.datetime.combine(date, dt.time(9, 0), tzinfo=dt.UTC))
    params = {"report": "monthly-recap", "unit": dinkes.pk, "month": "2026-12"}
    context = page(client, hr, "attendance-reports", params)
    on_page = [[str(h) for h in context["header"]]] + [[_text(v) for v in row] for row in context["rows"]]
    on_page.append([_text(v) for v in context["totals"]])  # the table's footer: the file's last row
    with django_capture_on_commit_callbacks(execute=True):
        job = api(hr).post("/api/v1/exports/", {**params, "format": "csv"}, format="json").json()
    detail = api(hr).get(f"/api/v1/exports/{job['id']}/").json()
    assert detail["status"] == "done", detail
    file = api(hr).get(f"/api/v1/exports/{job['id']}/file/")
    in_file = list(csv.reader(io.StringIO(b"".join(file.streaming_content).decode("utf-8").lstrip("\ufeff"))))
    assert on_page == in_file


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)
