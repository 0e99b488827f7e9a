"""The employee's own writes: submit a request (all or nothing), withdraw, cancel.

Every day is checked with the same read the form's live panel uses
(:func:`scheduling.selectors.preview_days`), so what the panel passes, the submit accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import facts
from portal.models import AsnType, Employee, Unit
from portal.selectors import employee_of
from portal.services.audit import audit_record
from portal.uploads import check_evidence
from scheduling import leave_rules, rules, selectors
from scheduling.models import CUTI_KINDS, PPPK_LEAVE_KINDS, Evidence, Kind, RequestDay, Status, WorkRequest
from scheduling.models.audit import Verb
from scheduling.selectors import DayPreview, Skipped, leave
from scheduling.services import notifications
from scheduling.services.decisions import Decision
from scheduling.services.fwa import auto_approve_in_fwa_windows
from scheduling.services.unit_days import touch_unit_days

MAX_EVIDENCE_FILES = 5  # one request's supporting files: the page and the API take the same number


class RequestBlocked(Exception):
    """A blocking rule failed on at least one day; nothing was saved."""

    def __init__(self, previews: list[DayPreview], skipped: list[Skipped], message: str = ""):
        super().__init__(message or _("Pengajuan tidak dapat disimpan: ada hari yang melanggar aturan."))
        self.previews, self.skipped = previews, skipped


def _check_kind_allowed(employee: Employee, kind: str, *, abroad: bool = False, child_order: int | None = None,
                        setting: leave.KindSetting | None = None) -> None:
    """The kind is open to this employee, its particulars fit it, and someone can grant it
    (``setting``: the institution's rule of the kind, when already read)."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Jenis pengajuan tidak dikenal.")})
    if employee.asn_type != AsnType.PNS and kind in CUTI_KINDS - PPPK_LEAVE_KINDS:
        raise ValidationError({"kind": _("PPPK hanya berhak cuti tahunan, sakit, melahirkan dan cuti bersama.")})
    if abroad and kind not in CUTI_KINDS:
        raise ValidationError({"abroad": _("Hanya cuti yang dapat dijalani di luar negeri.")})
    _check_child_order(employee, kind, child_order)
    needs_official, grantor = leave.grantor_for(employee, kind, setting=setting)
    if needs_official and grantor is None:
        raise ValidationError({"kind": _(
            "Belum ada pejabat yang berwenang memberikan cuti di instansi Anda, jadi %(kind)s belum dapat "
            "diputus. Hubungi BKPSDM/Biro SDM.") % {"kind": Kind(kind).label.lower()}})


def _check_child_order(employee: Employee, kind: str, child_order: int | None) -> None:
    """Cuti melahirkan covers the first to third child; from the fourth a PNS takes cuti besar
    (PP 11/2017 Pasal 325; PPPK: PP 49/2018)."""
    if kind != Kind.CM:
        if child_order is not None:
            raise ValidationError({"child_order": _("Urutan kelahiran hanya untuk cuti melahirkan.")})
        return
    if child_order is None:
        raise ValidationError({"child_order": _("Isi kelahiran anak ke berapa.")})
    limit = leave_rules.limits_for(employee.asn_type, kind).max_child_order
    if not 1 <= child_order <= 20:
        raise ValidationError({"child_order": _("Urutan kelahiran antara 1 dan 20.")})
    if child_order > limit:
        advice = _("ajukan cuti besar") if employee.asn_type == AsnType.PNS else _("hubungi BKPSDM/Biro SDM")
        raise ValidationError({"child_order": _(
            "Cuti melahirkan diberikan untuk kelahiran anak pertama sampai ketiga; untuk anak ke-%(n)d, "
            "%(advice)s.") % {"n": child_order, "advice": advice}})


@dataclass
class SubmitResult:
    request: WorkRequest | None
    days: list[RequestDay]
    blocked: list[DayPreview]
    skipped: list[Skipped]
    previews: list[DayPreview]


@facts.pinned()  # the rule facts of one version for the whole request (the approval checks again)
def request_submit(*, actor, kind: str, dates=None, start=None, end=None, weekdays=None, location: str = "",
                   other_office: Unit | None = None, reason: str = "", special_circumstance: bool = False,
                   work_plan: str = "", expected_outputs: str = "", justification: str = "",
                   skip_blocked: bool = False, evidence=(), abroad: bool = False,
                   child_order: int | None = None) -> SubmitResult:
    """The actor asks for ``kind`` on some days. All-or-nothing unless ``skip_blocked``.

    The files in ``evidence`` are checked by content, and the document the institution requires for
    this kind and number of saved days (:func:`leave.document_requirement`) must be among them.
    """
    employee = employee_of(actor)
    if employee is None or not employee.is_active:
        raise PermissionDenied(_("Hanya pegawai aktif yang dapat mengajukan."))
    # The institution's rule of the kind, read once: who grants it here, the document it needs below.
    setting = leave.kind_setting(leave.institution_id_of(employee), kind) if kind in Kind.values else None
    _check_kind_allowed(employee, kind, abroad=abroad, child_order=child_order, setting=setting)
    request = WorkRequest(employee=employee, kind=kind, location=location.strip(), other_office=other_office,
                          reason=reason.strip(), special_circumstance=special_circumstance,
                          work_plan=work_plan.strip(), expected_outputs=expected_outputs.strip(),
                          justification=justification.strip(), abroad=abroad, child_order=child_order,
                          created_by=actor)
    request.full_clean(exclude=["employee", "created_by"])
    days, skipped = selectors.expand_dates(employee.unit, dates=dates, start=start, end=end, weekdays=weekdays)
    if not days:
        raise RequestBlocked([], skipped, _("Tidak ada hari kerja pada tanggal yang dipilih."))
    previews = selectors.preview_days(employee, kind, days, special_circumstance=special_circumstance)
    blocked = [p for p in previews if p.blocked]
    passing = [p for p in previews if not p.blocked]
    if (blocked and not skip_blocked) or not passing:
        raise RequestBlocked(previews, skipped)
    errors = {}
    if any(p.worst == rules.WARN for p in passing) and not request.justification:
        errors["justification"] = _(
            "Ada hari yang melampaui batas kehadiran unit; isi justifikasi untuk tetap mengajukan.")
    evidence, mimes = list(evidence), []
    try:
        mimes = _check_documents(employee, kind, len(passing), special_circumstance, evidence, setting=setting)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            request.save()
            created = RequestDay.objects.bulk_create([
                RequestDay(request=request, employee=employee, unit=employee.unit, kind=kind, date=p.date,
                           verdicts=[v.as_dict() for v in p.verdicts]) for p in passing])
            # After the days: a duplicate day fails before any file reaches the storage.
            files = [Evidence.objects.create(request=request, file=upload, content_type=mime, size=upload.size)
                     for upload, mime in zip(evidence, mimes, strict=True)]
            touch_unit_days([(employee.unit_id, p.date) for p in passing])  # before the audit's chain lock
            audit_record(actor=actor, verb=Verb.REQUEST_SUBMITTED, obj=request, unit=employee.unit,
                         after={"kind": kind, "dates": [p.date.isoformat() for p in passing],
                                "special_circumstance": special_circumstance, "abroad": abroad,
                                "child_order": child_order, "evidence": [f.file.name for f in files]})
    except IntegrityError:
        raise ValidationError({"dates": _("Sudah ada pengajuan aktif pada salah satu tanggal.")}) from None
    if any(day.pk is None for day in created):  # a database that does not return the new ids
        created = list(RequestDay.objects.filter(request=request).order_by("date"))
    # What opens each day was read by the preview: the auto-approval does not read it again, and a
    # day it approved is answered as written (the others are as they were saved).
    approved = auto_approve_in_fwa_windows(created, opened={p.date: p.opened for p in passing if p.opened})
    created = [approved.get(day.pk, day) for day in created]
    return SubmitResult(request, created, blocked, skipped, previews)


def missing_document_message(needed: leave.DocumentRequirement) -> str:
    return _("%(document)s wajib dilampirkan untuk %(reason)s.") % {"document": needed.label,
                                                                      "reason": needed.reason}


def too_many_files_message() -> str:
    return _("Paling banyak %(n)d berkas bukti.") % {"n": MAX_EVIDENCE_FILES}


def _check_documents(employee: Employee, kind: str, n_days: int, special_circumstance: bool,
                     evidence: list, *, setting: leave.KindSetting | None = None) -> list[str]:
    """Every file checked by content (PDF, PNG or JPEG up to 5 MB) before anything is stored, and
    the document the institution requires for this kind and length present. Returns the MIME types."""
    if len(evidence) > MAX_EVIDENCE_FILES:
        raise ValidationError({"evidence": too_many_files_message()})
    mimes = [check_evidence(upload) for upload in evidence]
    needed = leave.document_requirement(employee, kind, n_days, special_circumstance, setting=setting)
    if needed is not None and not evidence:
        raise ValidationError({"evidence": missing_document_message(needed)})
    return mimes


def request_day_withdraw(*, actor, day_id: int) -> Decision:
    day = selectors.own_day(actor, day_id)
    with transaction.atomic():
        changed = RequestDay.objects.filter(pk=day.pk, status=Status.PENDING).update(
            status=Status.WITHDRAWN, decided_at=timezone.now())
        if not changed:
            raise ValidationError({"status": _("Hanya pengajuan yang menunggu persetujuan yang dapat ditarik.")})
        touch_unit_days([(day.unit_id, day.date)])  # before the audit: its chain lock comes last
        audit_record(actor=actor, verb=Verb.REQUEST_DAY_WITHDRAWN, obj=day, unit=day.unit,
                     before={"status": Status.PENDING}, after={"status": Status.WITHDRAWN})
    day.refresh_from_db()
    return Decision(day, True)


def request_day_cancel(*, actor, day_id: int, reason: str = "") -> Decision:
    """Cancel an approved future day: frees the slot; the approver is told (in-app + email)."""
    day = selectors.own_day(actor, day_id)
    if day.date <= day.unit.local_today():
        raise ValidationError({"date": _("Hanya hari yang belum berjalan yang dapat dibatalkan.")})
    with transaction.atomic():
        changed = RequestDay.objects.filter(pk=day.pk, status=Status.APPROVED).update(
            status=Status.CANCELLED, decision_reason=reason.strip())
        if not changed:
            raise ValidationError({"status": _("Hanya pengajuan yang sudah disetujui yang dapat dibatalkan.")})
        touch_unit_days([(day.unit_id, day.date)])  # before the audit: its chain lock comes last
        audit_record(actor=actor, verb=Verb.REQUEST_DAY_CANCELLED, obj=day, unit=day.unit,
                     before={"status": Status.APPROVED}, after={"status": Status.CANCELLED, "reason": reason})
        day.refresh_from_db()
        notifications.day_cancelled(day)
    day.refresh_from_db()
    return Decision(day, True)
