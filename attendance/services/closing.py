"""Tutup buku: HR closes a month of attendance for a unit subtree, and reopens it with a reason.

Closing is two steps so that what is frozen is final: the request records the closure (from then
on nothing may change that month's data in the subtree) and a worker recomputes the month one last
time, then stamps ``closed_at``; from then on recomputation skips those days. Reopening keeps the
closure row with who, when and why, and tells everyone who downloaded a report of that month
that the numbers may change. Everything is audited.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import AuditVerb, Correction, CorrectionStatus, PartialPermission, PermissionStatus
from attendance.models.audit import Verb
from attendance.services.day_status import compute_day_statuses
from portal.jobs import enqueue_on_commit
from portal.models import AuditEvent, Employee, MonthClosure, Unit, User
from portal.selectors import units_visible_to
from portal.selectors.closures import closures_on_days, month_label
from portal.services.audit import audit_record
from portal.services.notify import notify

BATCH = 500
STUCK_AFTER = dt.timedelta(minutes=30)  # a closing pass not finished by then is run again


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _require_hr(actor, unit: Unit) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if not units_visible_to(actor).filter(pk=unit.pk).exists():
        raise Http404


def pending_in_month(unit: Unit, month: dt.date) -> dict[str, int]:
    """What still waits for a decision in that month and subtree (shown before closing)."""
    first, last = month_bounds(month)
    span = {"employee__unit__path__startswith": unit.path, "date__range": (first, last)}
    return {"corrections": Correction.objects.filter(status=CorrectionStatus.PENDING, **span).count(),
            "permissions": PartialPermission.objects.filter(status=PermissionStatus.PENDING, **span).count()}


def month_close(*, actor, unit: Unit, month: dt.date, note: str = "", confirm_pending: bool = False) -> MonthClosure:
    """Start closing ``month`` for ``unit`` and everything below it."""
    _require_hr(actor, unit)
    first, last = month_bounds(month)
    if last >= unit.local_today():
        raise ValidationError({"month": _("Bulan %(month)s belum berakhir; tutup buku sesudah hari terakhirnya.") % {
            "month": month_label(first)}})
    already = closures_on_days(unit, [first]).first()
    if already is not None:
        raise ValidationError({"month": _("Bulan %(month)s sudah ditutup untuk %(unit)s.") % {
            "month": month_label(first), "unit": already.unit.name}})
    waiting = pending_in_month(unit, first)
    if any(waiting.values()) and not confirm_pending:
        raise ValidationError({"confirm_pending": _(
            "Masih ada %(corrections)d usul perbaikan dan %(permissions)d izin yang menunggu keputusan pada bulan "
            "itu; sesudah ditutup, keputusannya tidak lagi mengubah presensi. Centang konfirmasi untuk tetap "
            "menutup.") % waiting})
    try:
        with transaction.atomic():
            closure = MonthClosure.objects.create(unit=unit, month=first, requested_by=actor, note=(note or "").strip())
            audit_record(actor=actor, verb=Verb.MONTH_CLOSE_REQUESTED, obj=closure, unit=unit,
                         after={"month": first.isoformat(), "note": closure.note, "pending": waiting})
            enqueue_on_commit("attendance.close_month", kwargs={"closure_id": closure.pk})
    except IntegrityError:
        raise ValidationError({"month": _("Bulan itu sudah ditutup untuk unit ini.")}) from None
    return closure


def close_month_run(closure_id: int) -> int:
    """The worker's pass: recompute the month for the subtree one last time, then freeze it.
    Safe to run twice; a closure reopened meanwhile is left alone."""
    closure = MonthClosure.objects.select_related("unit").filter(pk=closure_id).first()
    if closure is None or closure.reopened_at is not None or closure.closed_at is not None:
        return 0
    first, last = month_bounds(closure.month)
    ids = list(Employee.objects.filter(unit__path__startswith=closure.unit.path).exclude(
        is_active=False, records_end__isnull=True).order_by("pk").values_list("pk", flat=True))
    written = 0
    for i in range(0, len(ids), BATCH):
        batch = list(Employee.objects.filter(pk__in=ids[i:i + BATCH]).select_related("unit"))
        written += compute_day_statuses(batch, first, last)
    with transaction.atomic():
        if MonthClosure.objects.filter(pk=closure.pk, closed_at__isnull=True, reopened_at__isnull=True).update(
                closed_at=timezone.now()):
            audit_record(actor=None, verb=Verb.MONTH_CLOSED, obj=closure, unit=closure.unit,
                         after={"month": first.isoformat(), "rows": written})
    return written


def closings_sweep(now: dt.datetime | None = None) -> int:
    """Closings requested but never finished (a lost message, a dead worker) are run again."""
    now = now or timezone.now()
    stuck = MonthClosure.objects.filter(closed_at__isnull=True, reopened_at__isnull=True,
                                        requested_at__lt=now - STUCK_AFTER).values_list("pk", flat=True)
    for pk in stuck:
        enqueue_on_commit("attendance.close_month", kwargs={"closure_id": pk})
    return len(stuck)


def month_reopen(*, actor, closure: MonthClosure, reason: str) -> MonthClosure:
    """Reopen a closed month (reason required); whoever downloaded its reports is told."""
    _require_hr(actor, closure.unit)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Alasan membuka kembali wajib diisi.")})
    with transaction.atomic():
        if not MonthClosure.objects.filter(pk=closure.pk, reopened_at__isnull=True).update(
                reopened_at=timezone.now(), reopened_by=actor, reopen_reason=reason.strip()):
            raise ValidationError({"reason": _("Bulan ini sudah dibuka kembali.")})
        closure.refresh_from_db()
        exporters = _exporters(closure)
        audit_record(actor=actor, verb=Verb.MONTH_REOPENED, obj=closure, unit=closure.unit,
                     before={"closed_at": closure.closed_at}, after={"reason": closure.reopen_reason,
                                                                     "notified": [u.pk for u in exporters]})
        for user in exporters:
            _tell_exporter(user, closure)
    return closure


def _exporters(closure: MonthClosure) -> list[User]:
    """People who downloaded (or queued) a report covering that month for the unit, a unit above
    it, a unit below it, or every unit."""
    first, last = month_bounds(closure.month)
    verbs = [AuditVerb.REPORT_EXPORTED, AuditVerb.EXPORT_CREATED, "report.export", "export.create"]
    related = {closure.unit.pk, *closure.unit.ancestor_ids}
    below = set(Unit.objects.filter(path__startswith=closure.unit.path).values_list("pk", flat=True))
    users = set()
    for actor_id, after in AuditEvent.objects.filter(verb__in=verbs, at__date__gte=first).values_list(
            "actor_id", "after"):
        params = (after or {}).get("params") or {}
        try:
            start, end = dt.date.fromisoformat(params["start"]), dt.date.fromisoformat(params["end"])
        except (KeyError, TypeError, ValueError):
            continue
        unit = params.get("unit")
        if actor_id and start <= last and end >= first and (unit is None or unit in related or unit in below):
            users.add(actor_id)
    return list(User.objects.filter(pk__in=users))


def _tell_exporter(user: User, closure: MonthClosure):
    params = {"month": closure.month.isoformat(), "unit": closure.unit.name, "reason": closure.reopen_reason}
    return notify(recipient=user, key=f"month-reopened:{closure.pk}:{user.pk}", kind="attendance.month_reopened",
                  subject=lambda p: _("Presensi %(unit)s bulan %(month)s dibuka kembali") % {
                      "unit": p["unit"], "month": month_label(dt.date.fromisoformat(p["month"]))},
                  body=lambda p: _("Bulan yang laporannya pernah Anda unduh dibuka kembali dengan alasan: "
                                   "%(reason)s. Angkanya dapat berubah; unduh ulang laporan sesudah bulan itu "
                                   "ditutup kembali.") % p,
                  params=params, link="/laporan/")
