"""Emergencies through the API (/api/v1/emergencies/) and HR's page (/hr/keadaan-darurat/): the same
validation (one clean function), the error envelope, nothing written on bad input, scope as 404."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from rest_framework.test import APIClient

from portal.models import AuditEvent
from scheduling.models import Emergency

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
MON, FRI = dt.date(2026, 12, 7), dt.date(2026, 12, 11)
URL = "/api/v1/emergencies/"
PAGE = "/hr/keadaan-darurat/"

pytestmark = pytest.mark.now(dt.datetime(2026, 12, 7, 8, 0, tzinfo=WIB), tick=False)


def api(user, language: str = "id") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def body(unit, **changes) -> dict:
    return {"name": "Banjir", "legal_basis": "SE Sekda 800/1/2026", "profile": "essential_only",
            "start": MON.isoformat(), "end": FRI.isoformat(), "units": [unit.pk], **changes}


def written() -> tuple[int, int]:
    return Emergency.objects.count(), AuditEvent.objects.filter(verb__startswith="emergency.").count()


def test_hr_declares_lists_and_ends_an_emergency(hr, dinkes, bidang_p2p):
    created = api(hr).post(URL, body(dinkes), format="json")
    assert created.status_code == 201, created.json()
    item = created.json()
    assert item["profile"] == "essential_only" and item["units"][0]["id"] == dinkes.pk
    assert item["last_day"] == FRI.isoformat() and item["ended_early_at"] is None
    listed = api(hr).get(URL, {"active_on": MON.isoformat(), "unit": dinkes.pk}).json()
    assert [e["id"] for e in listed["results"]] == [item["id"]]
    ended = api(hr).post(f"{URL}{item['id']}/end/")
    assert ended.status_code == 200
    assert ended.json()["last_day"] == (MON - dt.timedelta(days=1)).isoformat()
    again = api(hr).post(f"{URL}{item['id']}/end/")
    assert again.status_code == 400 and "sudah berakhir" in again.json()["error"]["fields"]["emergency"][0]


def test_an_overlap_is_a_400_envelope_and_nothing_is_written(hr, dinkes, bidang_p2p):
    assert api(hr).post(URL, body(dinkes), format="json").status_code == 201
    before = written()
    refused = api(hr).post(URL, body(bidang_p2p, name="Kabut asap", start="2026-12-10", end="2026-12-18"),
                           format="json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["status"] == 400 and "Bertumpang tindih" in error["fields"]["units"][0]
    assert written() == before


@pytest.mark.parametrize(("changes", "field"), [
    ({"end": "2026-12-01"}, "end"),
    ({"units": []}, "units"),
    ({"profile": "holiday"}, "profile"),
    ({"legal_basis": ""}, "legal_basis"),
])
def test_bad_input_is_a_400_on_its_field(hr, dinkes, changes, field):
    before = written()
    refused = api(hr).post(URL, body(dinkes, **changes), format="json")
    assert refused.status_code == 400 and field in refused.json()["error"]["fields"]
    assert written() == before


def test_units_outside_the_scope_are_not_found_and_others_emergencies_are_404(hr, hr_other, dinkes, pemprov_lain):
    refused = api(hr).post(URL, body(pemprov_lain), format="json")
    assert refused.status_code == 400 and "Unit tidak ditemukan" in refused.json()["error"]["fields"]["units"][0]
    item = api(hr).post(URL, body(dinkes), format="json").json()
    assert api(hr_other).get(f"{URL}{item['id']}/").status_code == 404
    assert api(hr_other).post(f"{URL}{item['id']}/end/").status_code == 404
    assert api(hr_other).get(URL).json()["results"] == []


def test_the_error_is_translated(hr, dinkes):
    refused = api(hr, "en").post(URL, body(dinkes, end="2026-12-01"), format="json")
    assert refused.status_code == 400 and refused.json()["error"]["fields"]["end"]


def test_a_day_decided_under_an_emergency_says_so(hr, dinkes, team, ani):
    from scheduling import services

    item = api(hr).post(URL, body(dinkes, profile="wfh_auto"), format="json").json()
    day = services.request_submit(actor=ani.user, kind="WFH", dates=[dt.date(2026, 12, 8)]).days[0]
    listed = api(ani.user).get(f"/api/v1/requests/{day.pk}/").json()
    assert listed["status"] == "approved" and listed["emergency"] == item["id"]
    assert any(v["rule"] == "emergency" and v["params"]["basis"] == "SE Sekda 800/1/2026" for v in listed["verdicts"])


def test_the_schema_describes_the_endpoints(client, db):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/emergencies/"])
    assert "post" in paths["/api/v1/emergencies/{id}/end/"]


# --- The page -------------------------------------------------------------------------------------


def form(unit, **changes) -> dict:
    return {"name": "Banjir", "legal_basis": "SE Sekda 800/1/2026", "document_ref": "", "profile": "wfh_auto",
            "start": MON.isoformat(), "end": FRI.isoformat(), "units": [unit.pk], **changes}


def test_the_page_declares_lists_by_state_and_ends(client, hr, dinkes, upt):
    client.force_login(hr)
    response = client.post(PAGE, form(dinkes))
    assert response.status_code == 302
    client.post(PAGE, form(upt, name="Kunjungan", start="2026-12-09", end="2026-12-10"))  # overlaps: refused
    later = client.post(PAGE, form(dinkes, name="Sidang Umum", start="2026-12-21", end="2026-12-22",
                                   profile="all_in_office"))
    assert later.status_code == 302
    page = client.get(PAGE)
    lists = page.context["lists"]
    assert [e.name for e in lists.active] == ["Banjir"] and [e.name for e in lists.upcoming] == ["Sidang Umum"]
    assert "Keadaan darurat" in page.content.decode()
    client.post(f"{PAGE}{lists.active[0].pk}/akhiri/")
    lists = client.get(PAGE).context["lists"]
    assert [e.name for e in lists.ended] == ["Banjir"] and not lists.active


def test_the_page_shows_the_overlap_error_and_writes_nothing(client, hr, dinkes, bidang_p2p):
    client.force_login(hr)
    client.post(PAGE, form(dinkes))
    before = written()
    response = client.post(PAGE, form(bidang_p2p, name="Kabut asap"))
    assert response.status_code == 200
    assert "Bertumpang tindih" in response.content.decode()
    assert written() == before


def test_the_page_is_hr_only(client, ani, hr_other, hr, dinkes):
    client.force_login(ani.user)
    assert client.get(PAGE).status_code == 404
    client.force_login(hr)
    client.post(PAGE, form(dinkes))
    emergency = Emergency.objects.get()
    client.force_login(hr_other)
    assert client.post(f"{PAGE}{emergency.pk}/akhiri/").status_code == 404
    emergency.refresh_from_db()
    assert emergency.ended_early_at is None
