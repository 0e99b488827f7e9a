"""Export jobs: eager lifecycle, progress, download permission re-checks, expiry, failure."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from rest_framework.test import APIClient

from attendance.models import ExportJob, ExportStatus, Punch
from attendance.services import export_jobs
from portal import exports
from portal.models import AuditEvent, HRAdminScope

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def september(time_machine, settings, tmp_path):
    time_machine.move_to(dt.datetime(2026, 9, 10, 10, 0, tzinfo=WIB), tick=False)
    settings.MEDIA_ROOT = tmp_path  # export files land here, not in var/


@pytest.fixture
def month(ani, budi):
    day = dt.date(2026, 8, 3)
    Punch.objects.create(employee=ani, unit=ani.unit, date=day, check_in_at=dt.datetime(2026, 8, 3, 7, 20, tzinfo=WIB),
                         check_out_at=dt.datetime(2026, 8, 3, 16, 5, tzinfo=WIB))
    return ani, budi


def create(user, unit, fmt="csv", **kwargs):
    return export_jobs.export_job_create(actor=user, report=kwargs.pop("report", "monthly-recap"), unit_id=unit.pk,
                                         month="2026-08", format=fmt, **kwargs)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_runs_a_job_from_pending_to_done(hr, dinkes, month, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = create(hr, dinkes, "xlsx")
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.PENDING
    for callback in callbacks:
        callback()  # the broker hand-off; the task runs eagerly in tests
    job.refresh_from_db()
    assert (job.status, job.progress, job.rows) == (ExportStatus.DONE, 100, 4)  # kadis, kabid, ani, budi
    assert job.filename == "rekap-bulanan_DINKES_2026-08.xlsx"
    assert job.expires_at == job.finished_at + dt.timedelta(hours=24)
    assert default_storage.exists(job.file.name) and job.file.name.startswith("exports/")
    sheet = openpyxl.load_workbook(job.file.open("rb")).active
    ani_row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Ani Lestari")
    assert ani_row[5] == 1  # present once
    assert AuditEvent.objects.filter(verb="export.created", object_id=str(job.pk)).exists()


def test_it_runs_a_job_only_once(hr, dinkes, month, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = create(hr, dinkes)
    assert export_jobs.export_job_run(job_id=job.pk) == "skipped"


def test_it_reports_progress_while_writing(hr, dinkes, month, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr("portal.exports.PROGRESS_EVERY", 25)
    seen = []
    exports.write_csv(iter([["h"]] + [[i] for i in range(60)]), io.BytesIO(), on_progress=seen.append)
    assert seen == [25, 50, 60]
    assert [export_jobs.progress_percent(n, 84) for n in (0, 25, 84)] == [0, 29, 99]
    with django_capture_on_commit_callbacks(execute=True):
        job = create(hr, dinkes, report="daily")
    job.refresh_from_db()
    assert (job.status, job.progress, job.rows) == (ExportStatus.DONE, 100, 4 * 21)  # 19 working days + 2 holidays


def test_it_serves_the_api_from_create_to_download(hr, dinkes, month, django_capture_on_commit_callbacks):
    client = api(hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/exports/", {"report": "monthly-recap", "unit": dinkes.pk, "month": "2026-08",
                                                    "format": "csv"}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert set(body) >= {"id", "status"}
    detail = client.get(f"/api/v1/exports/{body['id']}/").json()
    assert (detail["status"], detail["progress"], detail["rows"]) == ("done", 100, 4)
    download = client.get(detail["download_url"])
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["NIP", "Nama"] and any(r[1] == "Ani Lestari" and r[5] == "1" for r in rows)


def test_it_validates_api_input(hr, dinkes):
    client = api(hr)
    response = client.post("/api/v1/exports/", {"report": "daily", "unit": dinkes.pk, "month": "2026-08",
                                                "format": "pdf"}, format="json")
    assert response.status_code == 400 and "format" in response.json()["error"]["fields"]
    response = client.post("/api/v1/exports/", {"report": "nope", "unit": dinkes.pk, "format": "csv"}, format="json")
    assert response.status_code == 400


def test_it_hides_a_job_from_everyone_but_its_owner(hr, hr_other, superuser, dinkes, month,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = create(hr, dinkes)
    for other in (hr_other, superuser):
        assert api(other).get(f"/api/v1/exports/{job.pk}/").status_code == 404
        assert api(other).get(f"/api/v1/exports/{job.pk}/file/").status_code == 404
    from django.test import Client

    web = Client()
    web.force_login(hr_other)
    assert web.get(reverse("attendance-export-download", args=[job.pk])).status_code == 404
    assert web.get(reverse("attendance-export-status", args=[job.pk])).status_code == 404


def test_it_refuses_the_download_once_the_owner_lost_the_scope(client, hr, dinkes, month,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = create(hr, dinkes)
    client.force_login(hr)
    url = reverse("attendance-export-download", args=[job.pk])
    assert client.get(url).status_code == 200
    HRAdminScope.objects.filter(user=hr).delete()
    assert client.get(url).status_code == 404
    assert api(hr).get(f"/api/v1/exports/{job.pk}/file/").status_code == 404


def test_it_answers_410_after_expiry(client, hr, dinkes, month, django_capture_on_commit_callbacks, time_machine):
    with django_capture_on_commit_callbacks(execute=True):
        job = create(hr, dinkes)
    job.refresh_from_db()
    time_machine.move_to(dt.datetime(2026, 9, 11, 10, 1, tzinfo=WIB), tick=False)
    client.force_login(hr)
    assert client.get(reverse("attendance-export-download", args=[job.pk])).status_code == 410
    response = api(hr).get(f"/api/v1/exports/{job.pk}/file/")
    assert response.status_code == 410 and response.json()["error"]["code"] == "gone"
    assert api(hr).get(f"/api/v1/exports/{job.pk}/").json()["download_url"] is None
    assert export_jobs.export_jobs_purge_expired() == 1
    assert not default_storage.exists(job.file.name)


def test_it_fails_a_job_whose_owner_lost_the_scope_before_it_ran(hr, dinkes, month,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = create(hr, dinkes)
    HRAdminScope.objects.filter(user=hr).delete()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "cakupan" in job.error and not job.file
    assert job.finished_at is not None


def test_it_fails_a_job_with_a_broken_selection(hr, dinkes):
    job = ExportJob.objects.create(user=hr, report="monthly-recap", format="csv",
                                   params={"report": "monthly-recap", "unit": dinkes.pk, "start": "2026-08-31",
                                           "end": "2026-08-01"})
    assert export_jobs.export_job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.error


def test_it_sends_a_large_page_export_through_a_job(client, hr, dinkes, month, monkeypatch,
                                                    django_capture_on_commit_callbacks):
    monkeypatch.setitem(export_jobs.SYNC_MAX_ROWS, "csv", 2)  # the threshold, not the behaviour
    client.force_login(hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("attendance-report-export"), {"report": "monthly-recap", "unit": dinkes.pk,
                                                                     "month": "2026-08", "format": "csv"})
    job = ExportJob.objects.get(user=hr)
    assert response.status_code == 302 and response["Location"] == reverse("attendance-export-status", args=[job.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"js/exports.js" in page.content and b"data-status-url" in page.content
    assert job.status == ExportStatus.DONE and job.filename == "rekap-bulanan_DINKES_2026-08.csv"
    download = client.get(reverse("attendance-export-download", args=[job.pk]))
    assert download["Content-Disposition"].endswith('filename="rekap-bulanan_DINKES_2026-08.csv"')


# --- No job stuck ----------------------------------------------------------------------------


def test_it_sends_again_a_job_whose_message_was_lost(hr, dinkes, month, time_machine,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the broker never got the message
        job = create(hr, dinkes)
    assert export_jobs.export_jobs_sweep()["resent"] == 0  # within the grace period: maybe still queued
    time_machine.move_to(dt.datetime(2026, 9, 10, 10, 3, tzinfo=WIB), tick=False)
    assert export_jobs.export_jobs_sweep()["resent"] == 1  # eager: runs at once
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.attempts == 1


def test_it_runs_again_a_job_whose_worker_died_and_skips_a_live_one(hr, dinkes, month, time_machine,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = create(hr, dinkes)
    now = dt.datetime(2026, 9, 10, 10, 0, tzinfo=WIB)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, heartbeat_at=now, attempts=1)
    assert export_jobs.export_job_run(job_id=job.pk) == "skipped"  # its worker is alive: a redelivery waits
    time_machine.move_to(now + export_jobs.HEARTBEAT_TIMEOUT + dt.timedelta(seconds=1), tick=False)
    assert export_jobs.export_jobs_sweep()["restarted"] == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (ExportStatus.DONE, 2, "")


def test_it_fails_visibly_a_job_that_keeps_killing_its_worker(hr, dinkes, month, time_machine,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = create(hr, dinkes)
    now = dt.datetime(2026, 9, 10, 10, 0, tzinfo=WIB)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, heartbeat_at=now,
                                               attempts=export_jobs.MAX_ATTEMPTS)
    time_machine.move_to(now + dt.timedelta(minutes=5), tick=False)
    assert export_jobs.export_jobs_sweep()["failed"] == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "berhenti berulang kali" in job.error
    detail = api(hr).get(f"/api/v1/exports/{job.pk}/").json()
    assert detail["status"] == "failed" and detail["error"] == job.error


def test_it_fails_a_job_left_pending_for_hours(hr, dinkes, month, time_machine, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = create(hr, dinkes)
    time_machine.move_to(dt.datetime(2026, 9, 10, 12, 1, tzinfo=WIB), tick=False)
    assert export_jobs.export_jobs_sweep()["failed"] == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.error
