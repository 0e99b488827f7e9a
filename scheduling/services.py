"""Every write of scheduling: submit, approve, reject, withdraw, cancel, FWA windows.

Approval is race-safe: in one transaction it locks the unit-day row and then the
employee row (always in that order), re-checks the rules against *approved* days,
and changes the status with a conditional UPDATE so a double click approves once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import workcalendar
from portal.jobs import enqueue_on_commit
from portal.models import AsnType, Employee, Unit
from portal.selectors import employee_of
from portal.services.audit import audit_record
from scheduling import notifications, rules, selectors
from scheduling.models import (
    CUTI_KINDS,
    FLEXIBLE_KINDS,
    PPPK_LEAVE_KINDS,
    FwaWindow,
    Kind,
    RequestDay,
    Status,
    UnitDay,
    WorkRequest,
)

log = logging.getLogger(__name__)
MAX_RANGE_DAYS = 186  # half a year: longer plans are almost always a typo


@dataclass
class DayPreview:
    date: dt.date
    verdicts: list[rules.Verdict]
    numbers: dict = field(default_factory=dict)

    @property
    def worst(self) -> str | None:
        return rules.worst(self.verdicts)

    @property
    def blocked(self) -> bool:
        return self.worst == rules.BLOCK

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "worst": self.worst, "blocked": self.blocked,
                "verdicts": [v.as_dict() for v in self.verdicts], **self.numbers}


@dataclass
class Skipped:
    date: dt.date
    reason: str

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "reason": self.reason}


class RequestBlocked(Exception):
    """A blocking rule failed on at least one day; nothing was saved."""

    def __init__(self, previews: list[DayPreview], skipped: list[Skipped], message: str = ""):
        super().__init__(message or _("Pengajuan tidak dapat disimpan: ada hari yang melanggar aturan."))
        self.previews, self.skipped = previews, skipped


class DecisionBlocked(Exception):
    def __init__(self, verdicts: list[rules.Verdict], message: str = ""):
        super().__init__(message or "; ".join(v.message for v in verdicts))
        self.verdicts = verdicts


# --- Expanding what the employee asked for --------------------------------------------

def expand_dates(unit: Unit, *, dates=None, start=None, end=None, weekdays=None) -> tuple[list[dt.date], list[Skipped]]:
    """One working day per item; weekends, holidays and cuti bersama skipped and said so."""
    if dates:
        wanted = sorted(set(dates))
    elif start and end:
        if end < start:
            raise ValidationError({"end": _("Tanggal akhir tidak boleh sebelum tanggal mulai.")})
        wanted = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        if weekdays:
            wanted = [d for d in wanted if d.weekday() in set(weekdays)]
    else:
        raise ValidationError({"dates": _("Pilih satu tanggal, rentang tanggal, atau pola hari.")})
    if not wanted:
        raise ValidationError({"dates": _("Tidak ada tanggal yang cocok dengan pola.")})
    if (wanted[-1] - wanted[0]).days > MAX_RANGE_DAYS:
        raise ValidationError({"dates": _("Rentang paling panjang %(n)d hari.") % {"n": MAX_RANGE_DAYS}})
    working = set(workcalendar.working_days(unit, wanted[0], wanted[-1]))
    holidays = workcalendar.holidays_between(unit, wanted[0], wanted[-1])
    kept, skipped = [], []
    for d in wanted:
        if d in working:
            kept.append(d)
        elif d in holidays:
            skipped.append(Skipped(d, holidays[d].name))
        else:
            skipped.append(Skipped(d, _("akhir pekan")))
    return kept, skipped


# --- Checking days ---------------------------------------------------------------------

def _eligibility_context(employee: Employee, day: dt.date) -> dict:
    months = selectors.months_between(employee.placement_date, day) if employee.placement_date else None
    disciplinary = bool(employee.disciplinary_until and employee.disciplinary_until >= day)
    return {"disciplinary": disciplinary, "months_since_placement": months}


def preview_days(employee: Employee, kind: str, days: list[dt.date], *, special_circumstance: bool = False,
                 for_approval_of: int | None = None) -> list[DayPreview]:
    """Verdicts per day as if the employee asked for ``kind`` on each of ``days``.

    Days of the same request count against each other (the weekly cap across the batch).
    With ``for_approval_of`` the projection counts approved days only, excluding that day.
    """
    if not days:
        return []
    unit = employee.unit
    flexible = kind in FLEXIBLE_KINDS
    start, end = min(days), max(days)
    policies = selectors.effective_policies(unit, days)
    headcount = selectors.unit_headcount(unit)
    approving = for_approval_of is not None
    include_pending = (not approving) and any(p.count_pending for p in policies.values())
    away = selectors.away_by_date(unit, start, end, include_pending=include_pending, exclude_day_id=for_approval_of)
    month_start = start.replace(day=1)
    own = selectors.own_flexible_dates(employee, rules.week_start(min(start, month_start)),
                                       end + dt.timedelta(days=31), include_pending=not approving,
                                       exclude_day_id=for_approval_of)
    taken = set(_active_dates(employee, start, end, exclude_day_id=for_approval_of))
    today = unit.local_today()
    previews = []
    for d in sorted(days):
        policy = policies[d]
        ess = selectors.essential_counts(employee, policy, d, d, include_pending=include_pending,
                                         exclude_day_id=for_approval_of)
        ctx = rules.DayContext(
            date=d, flexible=flexible, unit_name=unit.name, headcount=headcount, away_others=away.get(d, 0),
            own_flexible_week=sum(1 for o in own if rules.week_start(o) == rules.week_start(d)),
            own_flexible_month=sum(1 for o in own if (o.year, o.month) == (d.year, d.month)),
            essential=rules.EssentialCount(employee.jabatan, ess[0], ess[1].get(d, 0)) if ess else None,
            special_circumstance=special_circumstance, **_eligibility_context(employee, d),
        )
        verdicts = rules.evaluate_day(policy, ctx)
        if d in taken:
            verdicts.insert(0, rules.Verdict("duplicate", rules.BLOCK, {"date": d.isoformat()}))
        if d < today and not approving:
            verdicts.insert(0, rules.Verdict("past", rules.BLOCK, {"date": d.isoformat()}))
        preview = DayPreview(d, verdicts, rules.coverage_numbers(policy, ctx))
        if flexible and not preview.blocked:
            own.append(d)  # later days of this batch see this one in their week
        previews.append(preview)
    return previews


def _active_dates(employee: Employee, start: dt.date, end: dt.date, exclude_day_id=None) -> list[dt.date]:
    qs = RequestDay.objects.filter(employee=employee, date__range=(start, end), status__in=[Status.PENDING,
                                                                                          Status.APPROVED])
    if exclude_day_id:
        qs = qs.exclude(pk=exclude_day_id)
    return list(qs.values_list("date", flat=True))


def nearest_passing_days(employee: Employee, kind: str, around: dt.date, *, count: int = 3,
                         special_circumstance: bool = False) -> list[dt.date]:
    """The working days closest to ``around`` (within three weeks) that would pass cleanly."""
    unit = employee.unit
    today = unit.local_today()
    window = [d for d in workcalendar.working_days(unit, around - dt.timedelta(days=21),
                                                   around + dt.timedelta(days=21)) if d >= today and d != around]
    found = []
    for d in sorted(window, key=lambda x: (abs((x - around).days), x)):
        if not preview_days(employee, kind, [d], special_circumstance=special_circumstance)[0].blocked:
            found.append(d)
            if len(found) == count:
                break
    return sorted(found)


# --- Submitting ------------------------------------------------------------------------

def _check_kind_allowed(employee: Employee, kind: str) -> None:
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Jenis pengajuan tidak dikenal.")})
    if employee.asn_type != AsnType.PNS and kind in CUTI_KINDS - PPPK_LEAVE_KINDS:
        raise ValidationError({"kind": _("PPPK hanya berhak cuti tahunan, sakit, melahirkan dan cuti bersama.")})


@dataclass
class SubmitResult:
    request: WorkRequest | None
    days: list[RequestDay]
    blocked: list[DayPreview]
    skipped: list[Skipped]
    previews: list[DayPreview]


def request_submit(*, actor, kind: str, dates=None, start=None, end=None, weekdays=None, location: str = "",
                   other_office: Unit | None = None, reason: str = "", special_circumstance: bool = False,
                   work_plan: str = "", expected_outputs: str = "", justification: str = "",
                   skip_blocked: bool = False, evidence=()) -> SubmitResult:
    """The actor asks for ``kind`` on some days. All-or-nothing unless ``skip_blocked``."""
    employee = employee_of(actor)
    if employee is None or not employee.is_active:
        raise PermissionDenied(_("Hanya pegawai aktif yang dapat mengajukan."))
    _check_kind_allowed(employee, kind)
    request = WorkRequest(employee=employee, kind=kind, location=location.strip(), other_office=other_office,
                          reason=reason.strip(), special_circumstance=special_circumstance,
                          work_plan=work_plan.strip(), expected_outputs=expected_outputs.strip(),
                          justification=justification.strip(), created_by=actor)
    request.full_clean(exclude=["employee", "created_by"])
    days, skipped = expand_dates(employee.unit, dates=dates, start=start, end=end, weekdays=weekdays)
    if not days:
        raise RequestBlocked([], skipped, _("Tidak ada hari kerja pada tanggal yang dipilih."))
    previews = preview_days(employee, kind, days, special_circumstance=special_circumstance)
    blocked = [p for p in previews if p.blocked]
    passing = [p for p in previews if not p.blocked]
    if (blocked and not skip_blocked) or not passing:
        raise RequestBlocked(previews, skipped)
    if any(p.worst == rules.WARN for p in passing) and not request.justification:
        raise ValidationError({"justification": _(
            "Ada hari yang melampaui batas kehadiran unit; isi justifikasi untuk tetap mengajukan.")})
    try:
        with transaction.atomic():
            request.save()
            for f in evidence:
                _attach_evidence(request, f)
            created = RequestDay.objects.bulk_create([
                RequestDay(request=request, employee=employee, unit=employee.unit, kind=kind, date=p.date,
                           verdicts=[v.as_dict() for v in p.verdicts]) for p in passing])
            audit_record(actor=actor, verb="request.submitted", obj=request, unit=employee.unit,
                         after={"kind": kind, "dates": [p.date.isoformat() for p in passing],
                                "special_circumstance": special_circumstance})
            _touch_unit_days([(employee.unit_id, p.date) for p in passing])
    except IntegrityError:
        raise ValidationError({"dates": _("Sudah ada pengajuan aktif pada salah satu tanggal.")}) from None
    created = list(RequestDay.objects.filter(request=request).order_by("date"))
    _auto_approve_in_fwa_windows(created)
    for day in created:
        day.refresh_from_db()
    return SubmitResult(request, created, blocked, skipped, previews)


EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
_EVIDENCE_SIGNATURES = {b"%PDF": "application/pdf", b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def _sniff(head: bytes) -> str | None:
    for magic, mime in _EVIDENCE_SIGNATURES.items():
        if head.startswith(magic):
            return mime
    return None


def _attach_evidence(request: WorkRequest, upload) -> None:
    """Accept PDF, PNG or JPEG up to 5 MB, recognised by content, not by name."""
    from scheduling.models import Evidence

    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"evidence": _("Berkas %(name)s lebih dari 5 MB.") % {"name": upload.name}})
    head = upload.read(8)
    upload.seek(0)
    mime = _sniff(head)
    if mime is None:
        raise ValidationError({"evidence": _("Berkas %(name)s harus PDF, PNG atau JPEG.") % {"name": upload.name}})
    Evidence.objects.create(request=request, file=upload, content_type=mime, size=upload.size)


# --- Side effects shared by every transition -------------------------------------------

def _touch_unit_days(pairs) -> None:
    """Mark (unit_id, date) pairs changed, in the caller's transaction, and ask for a
    staffing refresh after commit (coalesced: a burst of decisions makes one refresh)."""
    pairs = set(pairs)
    if not pairs:
        return
    UnitDay.objects.bulk_create([UnitDay(unit_id=u, date=d) for u, d in pairs], ignore_conflicts=True)
    now = timezone.now()
    for unit_id, day in pairs:
        UnitDay.objects.filter(unit_id=unit_id, date=day).update(changed_at=now)
    enqueue_on_commit("attendance.refresh_staffing", coalesce_key="staffing-refresh", countdown=2)


def _tell_employee(day: RequestDay, verb: str) -> None:
    """Tell the employee their day was decided (in-app + email, once per day and outcome)."""
    notifications.day_decided(day, verb)


# --- Deciding --------------------------------------------------------------------------

def _acting_for(actor, day: RequestDay) -> str:
    approver = selectors.approver_for(day)
    titles = selectors.represented_approvers(actor)
    if approver is not None and approver.pk in titles:
        return titles[approver.pk]
    if getattr(actor, "is_superuser", False):
        return ""
    raise Http404


def _lock_unit_day_and_employee(day: RequestDay) -> None:
    """Fixed lock order everywhere: unit-day row first, then the employee row."""
    UnitDay.objects.get_or_create(unit_id=day.unit_id, date=day.date)
    UnitDay.objects.select_for_update().get(unit_id=day.unit_id, date=day.date)
    Employee.objects.select_for_update().only("pk").get(pk=day.employee_id)


@dataclass
class Decision:
    day: RequestDay
    changed: bool
    verdicts: list[rules.Verdict] = field(default_factory=list)


def _approve(day_id: int, *, actor, acting_for: str, reason: str, auto: bool = False) -> Decision:
    with transaction.atomic():
        day = RequestDay.objects.select_related("request", "employee__unit", "unit").get(pk=day_id)
        _lock_unit_day_and_employee(day)
        day.refresh_from_db(fields=["status"])
        if day.status != Status.PENDING:
            return Decision(day, False)
        preview = preview_days(day.employee, day.kind, [day.date],
                               special_circumstance=day.request.special_circumstance, for_approval_of=day.pk)[0]
        if preview.blocked:
            raise DecisionBlocked([v for v in preview.verdicts if v.severity == rules.BLOCK])
        if preview.worst == rules.WARN and not reason.strip():
            raise DecisionBlocked([v for v in preview.verdicts if v.severity == rules.WARN],
                                  _("Hari ini melampaui batas kehadiran unit: isi alasan untuk tetap menyetujui."))
        now = timezone.now()
        changed = RequestDay.objects.filter(pk=day.pk, status=Status.PENDING).update(
            status=Status.APPROVED, decided_by=actor, decided_at=now, acting_for=acting_for,
            decision_reason=reason.strip(), auto_approved=auto, verdicts=[v.as_dict() for v in preview.verdicts])
        if changed:
            audit_record(actor=actor, verb="request_day.approved", obj=day, unit=day.unit, acting_for=acting_for,
                         before={"status": Status.PENDING}, after={"status": Status.APPROVED, "reason": reason,
                                                                   "auto": auto})
            _touch_unit_days([(day.unit_id, day.date)])
        day.refresh_from_db()
        if changed:
            _tell_employee(day, "approved")
        return Decision(day, bool(changed), preview.verdicts)


def request_day_approve(*, actor, day_id: int, reason: str = "") -> Decision:
    """Approve one pending day as its approver (or their active Plh/Plt)."""
    day = selectors.day_for_decision(actor, day_id)
    return _approve(day.pk, actor=actor, acting_for=_acting_for(actor, day), reason=reason)


def request_day_reject(*, actor, day_id: int, reason: str) -> Decision:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Alasan penolakan wajib diisi.")})
    day = selectors.day_for_decision(actor, day_id)
    acting_for = _acting_for(actor, day)
    with transaction.atomic():
        changed = RequestDay.objects.filter(pk=day.pk, status=Status.PENDING).update(
            status=Status.REJECTED, decided_by=actor, decided_at=timezone.now(), acting_for=acting_for,
            decision_reason=reason.strip())
        if changed:
            audit_record(actor=actor, verb="request_day.rejected", obj=day, unit=day.unit, acting_for=acting_for,
                         before={"status": Status.PENDING}, after={"status": Status.REJECTED, "reason": reason})
            _touch_unit_days([(day.unit_id, day.date)])
            day.refresh_from_db()
            _tell_employee(day, "rejected")
    day.refresh_from_db()
    return Decision(day, bool(changed))


def requests_decide_bulk(*, actor, day_ids: list[int], action: str, reason: str = "") -> list[dict]:
    """Decide many days, each in its own transaction, in date order so the rules hold
    across the batch. Returns one result per id: ok, or the reason it failed."""
    if action not in ("approve", "reject"):
        raise ValidationError({"action": _("Aksi harus approve atau reject.")})
    visible = {d.pk: d for d in selectors.days_decidable_by(actor).filter(pk__in=day_ids)}
    results = []
    for day_id in [i for i in day_ids if i not in visible]:
        results.append({"id": day_id, "ok": False, "error": _("Tidak ditemukan.")})
    for day in sorted(visible.values(), key=lambda d: (d.date, d.pk)):
        try:
            if action == "approve":
                decision = request_day_approve(actor=actor, day_id=day.pk, reason=reason)
            else:
                decision = request_day_reject(actor=actor, day_id=day.pk, reason=reason)
            ok = decision.day.status == (Status.APPROVED if action == "approve" else Status.REJECTED)
            results.append({"id": day.pk, "date": day.date.isoformat(), "ok": ok, "status": decision.day.status,
                            "error": "" if ok else _("Sudah diputus sebelumnya (%(s)s).") % {
                                "s": decision.day.get_status_display()}})
        except DecisionBlocked as exc:
            results.append({"id": day.pk, "date": day.date.isoformat(), "ok": False, "error": str(exc),
                            "verdicts": [v.as_dict() for v in exc.verdicts]})
        except ValidationError as exc:
            results.append({"id": day.pk, "date": day.date.isoformat(), "ok": False,
                            "error": " ".join(m for msgs in exc.message_dict.values() for m in msgs)})
    return results


# --- The employee's own changes --------------------------------------------------------

def request_day_withdraw(*, actor, day_id: int) -> Decision:
    day = selectors.own_day(actor, day_id)
    with transaction.atomic():
        changed = RequestDay.objects.filter(pk=day.pk, status=Status.PENDING).update(
            status=Status.WITHDRAWN, decided_at=timezone.now())
        if not changed:
            raise ValidationError({"status": _("Hanya pengajuan yang menunggu persetujuan yang dapat ditarik.")})
        audit_record(actor=actor, verb="request_day.withdrawn", obj=day, unit=day.unit,
                     before={"status": Status.PENDING}, after={"status": Status.WITHDRAWN})
        _touch_unit_days([(day.unit_id, day.date)])
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
        audit_record(actor=actor, verb="request_day.cancelled", obj=day, unit=day.unit,
                     before={"status": Status.APPROVED}, after={"status": Status.CANCELLED, "reason": reason})
        _touch_unit_days([(day.unit_id, day.date)])
        day.refresh_from_db()
        notifications.day_cancelled(day)
    day.refresh_from_db()
    return Decision(day, True)


# --- FWA windows -----------------------------------------------------------------------

def _window_covers(window: FwaWindow, unit: Unit) -> bool:
    ids = set(window.units.values_list("pk", flat=True))
    if window.include_subunits:
        return bool(ids & set(unit.ancestor_ids))
    return unit.pk in ids


def _auto_approve_in_fwa_windows(days: list[RequestDay]) -> None:
    flexible = [d for d in days if d.kind in (Kind.WFH, Kind.WFA) and d.status == Status.PENDING]
    if not flexible:
        return
    windows = list(FwaWindow.objects.filter(start__lte=max(d.date for d in flexible),
                                            end__gte=min(d.date for d in flexible)))
    for day in sorted(flexible, key=lambda d: d.date):
        for window in windows:
            if window.start <= day.date <= window.end and _window_covers(window, day.unit):
                try:
                    _approve(day.pk, actor=None, acting_for=_("Jendela FWA: %(n)s") % {"n": window.name},
                             reason="", auto=True)
                except DecisionBlocked:
                    pass  # stays pending for the supervisor, who sees why
                break


def fwa_window_open(*, actor, name: str, start: dt.date, end: dt.date, units: list[Unit],
                    include_subunits: bool = True) -> FwaWindow:
    """HR opens a window of flexible-work days for chosen units; pending WFH/WFA inside it
    are approved at once where every rule still holds."""
    from portal.selectors import units_visible_to

    if not units:
        raise ValidationError({"units": _("Pilih minimal satu unit.")})
    allowed = set(units_visible_to(actor).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))
    if allowed != {u.pk for u in units}:
        raise Http404
    if end < start:
        raise ValidationError({"end": _("Tanggal selesai tidak boleh sebelum tanggal mulai.")})
    with transaction.atomic():
        window = FwaWindow.objects.create(name=name.strip(), start=start, end=end, include_subunits=include_subunits,
                                          created_by=actor)
        window.units.set(units)
        audit_record(actor=actor, verb="fwa_window.opened", obj=window, unit=units[0],
                     after={"name": name, "start": start, "end": end, "units": [u.pk for u in units]})
    pending = RequestDay.objects.filter(status=Status.PENDING, date__range=(start, end),
                                        kind__in=[Kind.WFH, Kind.WFA]).select_related("unit")
    _auto_approve_in_fwa_windows([d for d in pending if _window_covers(window, d.unit)])
    return window


# --- Housekeeping called by workers -----------------------------------------------------

def unit_days_mark_clean(rows) -> None:
    """Clear the changed flag of unit-days staffing has recomputed, unless they changed again
    meanwhile (the conditional UPDATE keeps a newer change dirty)."""
    for pk, changed_at in rows:
        UnitDay.objects.filter(pk=pk, changed_at=changed_at).update(changed_at=None)


def request_days_expire(*, today: dt.date) -> int:
    """Pending days whose date has passed become expired; the employee is told. Safe twice."""
    expired = 0
    for day in selectors.pending_days_before(today).select_related("employee__user", "unit"):
        with transaction.atomic():
            if not RequestDay.objects.filter(pk=day.pk, status=Status.PENDING).update(status=Status.EXPIRED,
                                                                                     decided_at=timezone.now()):
                continue
            audit_record(actor=None, verb="request_day.expired", obj=day, unit=day.unit,
                         before={"status": Status.PENDING}, after={"status": Status.EXPIRED})
            _touch_unit_days([(day.unit_id, day.date)])
            notifications.day_expired(day)
            expired += 1
    return expired
