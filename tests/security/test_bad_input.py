"""Bad input answers a clear, translated 400 and changes nothing: never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from scheduling.models import RequestDay, WorkRequest

pytestmark = pytest.mark.now(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), tick=False)


def api(user, language="id") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def test_it_answers_json_nested_a_thousand_deep_with_400(team, ani):
    body = "[" * 1000 + "]" * 1000
    response = api(ani.user).post("/api/v1/requests/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"


@pytest.mark.parametrize("payload", [
    {"kind": "WFH", "dates": ["9999-12-31"]},
    {"kind": "WFH", "dates": ["0001-01-01"]},
    {"kind": "WFH", "start": "9999-12-01", "end": "9999-12-31"},
    {"kind": "WFH", "start": "0001-01-01", "end": "0001-01-05"},
])
@pytest.mark.parametrize("path", ["/api/v1/requests/", "/api/v1/requests/preview/"])
def test_it_answers_dates_out_of_any_working_life_with_400(team, ani, payload, path):
    response = api(ani.user).post(path, payload, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert any("1900" in m for messages in error["fields"].values() for m in messages)
    english = api(ani.user, "en").post(path, payload, format="json").json()["error"]
    assert any("between" in m for messages in english["fields"].values() for m in messages)
    assert not WorkRequest.objects.exists() and not RequestDay.objects.exists()


def test_it_answers_a_page_form_with_an_extreme_date_with_an_error_not_a_crash(client, team, ani):
    client.force_login(ani.user)
    response = client.get("/rencana/ajukan/periksa/", {"kind": "WFH", "date_mode": "single", "date": "9999-12-31"})
    assert response.status_code == 200 and "1900" in response.content.decode()


def test_it_answers_a_malformed_xlsx_import_with_400(hr):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("pegawai.xlsx", b"PK\x03\x04 not really a zip", content_type="application/octet-stream")
    response = api(hr).post("/api/v1/hr/import/", {"kind": "employees", "file": upload, "dry_run": True},
                            format="multipart")
    assert response.status_code == 400, response.content
    assert "tidak dapat dibaca" in str(response.json()["error"])
