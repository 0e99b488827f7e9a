"""Report exports: direct (small) or as a background job with progress and an expiring download.

A job stores its validated selection (``params``); the worker re-resolves it as the owner,
so a scope lost in between fails the job, and the download re-checks the scope again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
import tempfile
import threading

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import ExportJob, ExportStatus
from attendance.models.audit import Verb
from attendance.selectors import reports
from portal import exports
from portal.formatting import short_date
from portal.jobs import enqueue_on_commit, send_now
from portal.services.audit import audit_record

log = logging.getLogger(__name__)

FORMATS = ("csv", "csv-id", "xlsx", "pdf")
EXPIRY = dt.timedelta(hours=24)
# Above these, an export runs as a job: streaming CSV is cheap per row, XLSX and PDF are
# built whole, and recomputing day statuses costs per employee-day.
SYNC_MAX_ROWS = {"csv": 5000, "csv-id": 5000, "xlsx": 1000, "pdf": 300}
SYNC_MAX_RECOMPUTE = 3000  # employee-days


class ExportExpired(Exception):
    """The job's file is past its expiry (the download answers 410 Gone)."""


def _validate_format(report: str, fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Format harus csv, csv-id (titik koma), xlsx atau pdf.")})
    if fmt == "pdf" and reports.REPORTS[report].pdf is None:
        raise ValidationError({"format": _("PDF hanya tersedia untuk rekap bulanan.")})
    if fmt == "pdf" and not exports.pdf_available():
        raise ValidationError({"format": _("PDF tidak tersedia di server ini.")})


def export_prepare(selection: reports.Selection, fmt: str) -> bool:
    """True if the export must run as a job; otherwise its day statuses are made fresh now."""
    stale = reports.stale_employee_ids(selection)
    if reports.recompute_cost(selection, stale) > SYNC_MAX_RECOMPUTE:
        return True
    reports.ensure_day_statuses(selection, employee_ids=stale)  # cheap: bounded by the check above
    return reports.report_size(selection) > SYNC_MAX_ROWS.get(fmt, 1000)


def report_prepare(*, actor, selection: reports.Selection) -> None:
    """Recompute a selection's day statuses in a worker, once per selection at a time: the
    report page asks for this instead of showing a table that is not yet complete."""
    key = hashlib.sha256(json.dumps([actor.pk, selection.params], sort_keys=True).encode()).hexdigest()[:32]
    enqueue_on_commit("attendance.prepare_report", args=(actor.pk, selection.params),
                      coalesce_key=f"report-prepare:{key}", coalesce_seconds=60)


def report_prepare_run(*, user_id: int, params: dict) -> int:
    """The worker's side of :func:`report_prepare` (re-resolved as the user: same scope checks)."""
    from portal.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    try:
        selection = reports.report_resolve_params(user, params)
    except (Http404, ValidationError):
        return 0  # the scope or the input changed meanwhile: nothing to prepare
    return reports.ensure_day_statuses(selection)


def progress_percent(done: int, total: int) -> int:
    """0–99 while writing; 100 is only ever set together with status "done"."""
    return min(99, done * 100 // total) if total else 99


def report_export_record(*, actor, selection: reports.Selection, fmt: str) -> None:
    """Audit a direct download (exports carry personal data)."""
    with transaction.atomic():
        audit_record(actor=actor, verb=Verb.REPORT_EXPORTED, obj=selection.unit or actor, unit=selection.unit,
                     after={"params": selection.params, "format": fmt})


def export_job_create(*, actor, report: str, unit_id=None, month: str | None = None, year=None, start=None,
                      end=None, format: str, filters: dict | None = None) -> ExportJob:
    """Validate (ValidationError), check scope (Http404), create the job and enqueue it after commit."""
    filters = filters or {}
    _validate_format(report, format)
    selection = reports.report_resolve(actor, report=report, unit=unit_id, month=month, year=year, start=start,
                                       end=end, employee=filters.get("employee"),
                                       asn_type=filters.get("asn_type") or "")
    with transaction.atomic():
        job = ExportJob.objects.create(user=actor, report=selection.report.slug, params=selection.params,
                                       format=format, filename=f"{selection.filename_stem}.{exports.extension(format)}")
        audit_record(actor=actor, verb=Verb.EXPORT_CREATED, obj=job, unit=selection.unit,
                     after={"params": selection.params, "format": format})
        enqueue_on_commit("attendance.run_export", args=(job.pk,))
    return job


# A running job's worker writes a heartbeat every HEARTBEAT_EVERY seconds; one silent for
# HEARTBEAT_TIMEOUT is dead and is run again, at most MAX_ATTEMPTS times in all.
HEARTBEAT_EVERY = 15
HEARTBEAT_TIMEOUT = dt.timedelta(seconds=90)
MAX_ATTEMPTS = 3
ENQUEUE_GRACE = dt.timedelta(minutes=2)  # a pending job older than this lost its message: send again
PENDING_GIVE_UP = dt.timedelta(hours=2)


def _claimable(now: dt.datetime) -> Q:
    stale = Q(status=ExportStatus.RUNNING) & (Q(heartbeat_at__lt=now - HEARTBEAT_TIMEOUT) | Q(heartbeat_at=None))
    return (Q(status=ExportStatus.PENDING) | stale) & Q(attempts__lt=MAX_ATTEMPTS)


def export_job_run(*, job_id: int) -> str:
    """The worker's body. Safe to run twice: a job is claimed by one worker at a time (a pending
    one, or a running one whose worker stopped beating), by a conditional UPDATE."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(_claimable(now), pk=job_id).update(
        status=ExportStatus.RUNNING, heartbeat_at=now, attempts=F("attempts") + 1, error="")
    if not claimed:
        return "skipped"
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        with _Heartbeat(job_id):
            name, rows = _produce(job)
    except Exception as exc:  # noqa: BLE001 - any failure must end as a visible "failed" job
        log.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(status=ExportStatus.FAILED, error=_failure_message(exc)[:255],
                                                   finished_at=timezone.now())
        return "failed"
    now = timezone.now()
    ExportJob.objects.filter(pk=job_id).update(status=ExportStatus.DONE, progress=100, rows=rows, file=name,
                                               finished_at=now, expires_at=now + EXPIRY, heartbeat_at=now)
    return "done"


class _Heartbeat:
    """While a job runs, a thread stamps ``heartbeat_at`` every :data:`HEARTBEAT_EVERY` seconds:
    the long silent stretches of a job (recomputing statuses, laying out a PDF) still beat, and
    the beat stops when the process dies."""

    def __init__(self, job_id: int):
        self.job_id, self.stop = job_id, threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"export-heartbeat-{job_id}", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join(timeout=HEARTBEAT_EVERY + 5)

    def _run(self) -> None:
        from django.db import connection

        try:
            while not self.stop.wait(HEARTBEAT_EVERY):
                try:
                    ExportJob.objects.filter(pk=self.job_id, status=ExportStatus.RUNNING).update(
                        heartbeat_at=timezone.now())
                except DatabaseError:
                    log.warning("heartbeat of export job %s failed; trying again", self.job_id)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection


def export_jobs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """No job stuck: send again the pending jobs whose message was lost (the broker was down), run
    again the running jobs whose worker died, and fail visibly what cannot be done."""
    now = now or timezone.now()
    counts = {"resent": 0, "restarted": 0, "failed": 0}
    gave_up = _("Antrean pekerja latar belakang tidak tersedia terlalu lama; silakan buat ekspor ulang.")
    counts["failed"] += ExportJob.objects.filter(status=ExportStatus.PENDING, created_at__lt=now - PENDING_GIVE_UP
                                                 ).update(status=ExportStatus.FAILED, error=gave_up, finished_at=now)
    died = _("Pekerja latar belakang berhenti berulang kali saat membuat berkas ini; silakan buat ekspor ulang.")
    counts["failed"] += ExportJob.objects.filter(_dead(now), attempts__gte=MAX_ATTEMPTS).update(
        status=ExportStatus.FAILED, error=died, finished_at=now)
    restarted = set()
    for pk, beat in ExportJob.objects.filter(_dead(now), attempts__lt=MAX_ATTEMPTS).values_list("pk", "heartbeat_at"):
        # Back to pending (unless it beat meanwhile), so whichever worker gets the message claims it.
        if ExportJob.objects.filter(pk=pk, status=ExportStatus.RUNNING, heartbeat_at=beat).update(
                status=ExportStatus.PENDING):
            restarted.add(pk)
            send_now("attendance.run_export", args=(pk,))
    counts["restarted"] = len(restarted)
    for pk in ExportJob.objects.filter(status=ExportStatus.PENDING, created_at__lt=now - ENQUEUE_GRACE
                                       ).exclude(pk__in=restarted).values_list("pk", flat=True):
        counts["resent"] += bool(send_now("attendance.run_export", args=(pk,)))
    return counts


def _dead(now: dt.datetime) -> Q:
    return Q(status=ExportStatus.RUNNING) & (Q(heartbeat_at__lt=now - HEARTBEAT_TIMEOUT) | Q(heartbeat_at=None))


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, Http404):
        return _("Unit atau pegawai tidak lagi dalam cakupan Anda.")
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("Terjadi kesalahan saat membuat berkas (%(kind)s).") % {"kind": type(exc).__name__}


def _produce(job: ExportJob) -> tuple[str, int]:
    selection = reports.report_resolve_params(job.user, job.params)  # the scope, re-checked as of now
    _validate_format(selection.report.slug, job.format)
    reports.ensure_day_statuses(selection)
    # Progress against a cheap upper bound (people, units, people × days), not a COUNT that
    # would aggregate the whole selection once more before the first row.
    total = reports.report_size(selection)
    written = 0

    def progress(done: int) -> None:
        nonlocal written
        written = done
        ExportJob.objects.filter(pk=job.pk).update(progress=progress_percent(done, max(total, done)), rows=done)

    rows = reports.report_rows(selection)
    with tempfile.TemporaryFile() as tmp:
        _write(job.format, rows, tmp, selection, progress)
        tmp.seek(0)
        name = default_storage.save(f"exports/{secrets.token_hex(8)}/{job.filename}", File(tmp, name=job.filename))
    return name, written - (1 if selection.report.totals is not None else 0)  # the totals row is no data row


def _write(fmt: str, rows, target, selection: reports.Selection, progress) -> None:
    exports.write(fmt, rows, target, on_progress=progress, **export_options(selection))


def export_options(selection: reports.Selection) -> dict:
    """How the writers lay the report out: the same for a direct download and a job's file.
    XLSX and PDF carry the notes (closure per month, rule versions); the PDF adds the
    institution's letterhead and the signature blocks."""
    report = selection.report
    return {"widths": [c.width for c in report.columns], "title": str(report.title),
            "subtitle": subtitle_of(selection), "layout": report.pdf, "notes": _Later(reports.report_notes, selection),
            "letterhead": letterhead_of(selection), "signatures": signatures_of(selection),
            "printed": printed_of(selection)}


class _Later:
    """The notes, read when a writer reaches them (after the table): CSV never does, and the rule
    versions scan every day row of the selection, which must not delay the first row."""

    def __init__(self, read, *args):
        self.read, self.args = read, args

    def __iter__(self):
        return iter(self.read(*self.args))


def printed_of(selection: reports.Selection) -> str:
    """The PDF's "Dicetak <date> pukul <time> WIB", on the institution's clock (WITA/WIT in the east)."""
    institution = _institution(selection)
    if institution is None:
        return exports.printed_line()
    return exports.printed_line(institution.tzinfo, institution.tz_abbreviation)


def letterhead_of(selection: reports.Selection) -> list[str]:
    institution = _institution(selection)
    if institution is None:
        return []
    lines = [institution.name.upper()]
    if selection.unit is not None and selection.unit.pk != institution.pk:
        lines.append(selection.unit.name)
    return lines


def _institution(selection: reports.Selection):
    from portal.models import Unit

    if selection.unit is not None:
        return Unit.objects.filter(pk=selection.unit.ancestor_ids[0]).first()
    first = selection.employees.values_list("unit__path", flat=True).first()
    return Unit.objects.filter(pk=int(first.strip("/").split("/")[0])).first() if first else None


def _signature(caption: str, office, default_title: str) -> exports.Signature:
    """The head of ``office`` with name and NIP, or an empty line to sign by hand."""
    head = getattr(office, "head", None)
    title = head.jabatan if head is not None else default_title
    return exports.Signature(caption, title, head.name if head else "", head.nip_display if head else "")


def signatures_of(selection: reports.Selection) -> list[exports.Signature]:
    """Mengetahui: the head of the reported unit (the staff's superior); and the head of the
    institution's HR office (BKPSDM / Biro SDM) who signs for the numbers."""
    institution = _institution(selection)
    unit = selection.unit or institution
    hr_office = institution.hr_office if institution is not None else None
    today = short_date(timezone.localdate())
    return [_signature(_("Mengetahui,"), unit, _("Kepala %(unit)s") % {"unit": unit.name if unit else ""}),
            _signature(_("Dibuat pada %(date)s,") % {"date": today}, hr_office,
                       _("Kepala %(unit)s") % {"unit": hr_office.name} if hr_office else _("Kepala BKPSDM"))]


def subtitle_of(selection: reports.Selection) -> str:
    unit = selection.unit.name if selection.unit else _("Semua dalam cakupan")
    return _("%(unit)s · periode %(start)s s.d. %(end)s") % {
        "unit": unit, "start": short_date(selection.period.start), "end": short_date(selection.period.end)}


def export_job_for_owner(user, pk) -> ExportJob:
    """The user's own job, or 404 (someone else's job does not exist for them)."""
    try:
        return ExportJob.objects.get(pk=int(pk), user_id=getattr(user, "pk", None))
    except (ExportJob.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def export_job_for_download(user, pk) -> ExportJob:
    """A finished job of the user whose unit is still in their scope (404), not expired (ExportExpired)."""
    job = export_job_for_owner(user, pk)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    reports.report_resolve_params(user, job.params)
    if job.expires_at is not None and job.expires_at <= timezone.now():
        raise ExportExpired
    return job


def export_jobs_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the files of expired jobs (periodic); the job rows stay as a record."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(file=""):
        default_storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).update(file="")
        purged += 1
    return purged
