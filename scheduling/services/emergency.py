"""Emergency mode: HR declares an emergency for units (with their sub-units) and dates, and may
end it early. The rules change only through the overlay the selectors lay over the normal ones
(:mod:`scheduling.selectors.emergency`): nothing here touches a coverage policy, so when an
emergency ends — by its date, which needs nothing to run, or early — the normal rules are back
exactly as they were.

Declaring tells every affected employee once (a task, in batches, after commit) and approves at
once the pending WFH/WFA its profile approves automatically, through the FWA windows' approval.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.formatting import long_date, short_date
from portal.jobs import enqueue_on_commit, send_now
from portal.models import Unit
from portal.selectors import units_visible_to
from portal.services.audit import audit_record
from portal.services.notify import notify
from scheduling.models import Emergency, EmergencyProfile, Kind, RequestDay, Status
from scheduling.models.audit import Verb
from scheduling.selectors import emergency as read
from scheduling.services.fwa import auto_approve_in_fwa_windows
from scheduling.services.unit_days import touch_unit_day_range

# Staffing forecasts this many days ahead (attendance's window); later days are counted when they come.
STAFFING_HORIZON_DAYS = 28

MAX_EMERGENCY_DAYS = 366
MAX_EMERGENCY_UNITS = 1000
NOTIFY_BATCH = 500


def _span(emergency) -> str:
    return f"{short_date(emergency.start)}–{short_date(emergency.last_day)}"


def _overlap_message(found: Emergency) -> str:
    return _("Bertumpang tindih dengan keadaan darurat “%(name)s” (%(span)s) yang berlaku untuk unit "
             "yang sama atau unit di atas/di bawahnya.") % {"name": found.name, "span": _span(found)}


def emergency_clean(*, actor, name: str, legal_basis: str, profile: str, start: dt.date, end: dt.date,
                    units: list[Unit], document_ref: str = "") -> dict:
    """The one validation of a declaration, for the page, the API, the admin and the service.
    Returns the cleaned values; raises ValidationError (translated, per field), writing nothing."""
    errors = {}
    cleaned = {"name": " ".join((name or "").split()), "legal_basis": " ".join((legal_basis or "").split()),
               "document_ref": (document_ref or "").strip(), "profile": profile, "start": start, "end": end,
               "units": list(units)}
    if not cleaned["name"]:
        errors["name"] = _("Sebutkan keadaan daruratnya (mis. banjir, kabut asap).")
    elif len(cleaned["name"]) > 200:
        errors["name"] = _("Paling banyak 200 karakter.")
    if not cleaned["legal_basis"]:
        errors["legal_basis"] = _("Sebutkan dasar hukumnya (surat edaran).")
    elif len(cleaned["legal_basis"]) > 255:
        errors["legal_basis"] = _("Paling banyak 255 karakter.")
    if len(cleaned["document_ref"]) > 255:
        errors["document_ref"] = _("Paling banyak 255 karakter.")
    if profile not in EmergencyProfile.values:
        errors["profile"] = _("Pilih salah satu profil keadaan darurat.")
    errors.update(_unit_errors(actor, cleaned["units"]))
    if end < start:
        errors["end"] = _("Tanggal selesai tidak boleh sebelum tanggal mulai.")
    elif (end - start).days >= MAX_EMERGENCY_DAYS:
        errors["end"] = _("Rentang paling panjang %(n)d hari.") % {"n": MAX_EMERGENCY_DAYS}
    if not errors:
        found = read.overlapping(cleaned["units"], start, end).first()
        if found is not None:
            errors["units"] = _overlap_message(found)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _unit_errors(actor, units: list[Unit]) -> dict:
    if not units:
        return {"units": _("Pilih minimal satu unit.")}
    if len(units) > MAX_EMERGENCY_UNITS:
        return {"units": _("Paling banyak %(n)d unit sekali tetapkan.") % {"n": MAX_EMERGENCY_UNITS}}
    ids = {u.pk for u in units}
    allowed = set(units_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    if allowed != ids:
        return {"units": _("Ada unit di luar cakupan kepegawaian Anda.")}
    return {}


def _lock_institutions(units: list[Unit]) -> None:
    """Declarations whose subtrees could meet share an institution: locking the institutions' rows
    makes a second, concurrent declaration wait and then see the first one's overlap."""
    roots = sorted({u.ancestor_ids[0] for u in units if u.ancestor_ids})
    list(Unit.objects.select_for_update().filter(pk__in=roots).values_list("pk", flat=True))


def emergency_declare(*, actor, name: str, legal_basis: str, profile: str, start: dt.date, end: dt.date,
                      units: list[Unit], document_ref: str = "") -> Emergency:
    """HR declares an emergency. It is in force at once for its dates; everyone affected is told
    once (after commit); pending WFH/WFA its profile approves automatically are approved now."""
    data = emergency_clean(actor=actor, name=name, legal_basis=legal_basis, profile=profile, start=start, end=end,
                           units=units, document_ref=document_ref)
    with transaction.atomic():
        _lock_institutions(data["units"])
        found = read.overlapping(data["units"], start, end).first()  # again, under the lock
        if found is not None:
            raise ValidationError({"units": _overlap_message(found)})
        emergency = Emergency.objects.create(
            name=data["name"], legal_basis=data["legal_basis"], document_ref=data["document_ref"], profile=profile,
            start=start, end=end, last_day=end, created_by=actor)
        emergency.units.set(data["units"])
        # Unit-days first: the audit chain's lock is the last one a transaction takes.
        _mark_staffing_changed(emergency, data["units"][0].local_today(), emergency.last_day)
        audit_record(actor=actor, verb=Verb.EMERGENCY_DECLARED, obj=emergency, unit=data["units"][0],
                     after={"name": emergency.name, "legal_basis": emergency.legal_basis, "profile": profile,
                            "start": start, "end": end, "units": [u.pk for u in data["units"]],
                            "document_ref": emergency.document_ref})
        enqueue_on_commit("scheduling.emergency_notify", args=(emergency.pk, 0))
    auto_approve_in_fwa_windows(_pending_inside(emergency))
    return emergency


def _mark_staffing_changed(emergency: Emergency, first: dt.date, last: dt.date) -> None:
    """Staffing's figures and forecast for the days the emergency changes (from today, within the
    staffing window) are recounted by the next refresh, not left to the nightly pass."""
    start, end = max(first, emergency.start), min(last, first + dt.timedelta(days=STAFFING_HORIZON_DAYS))
    if start <= end:
        units = Unit.objects.subtrees_of(list(emergency.units.all())).values_list("pk", flat=True)
        touch_unit_day_range(list(units), start, end)


def _pending_inside(emergency: Emergency) -> list[RequestDay]:
    return list(RequestDay.objects.filter(
        status=Status.PENDING, kind__in=[Kind.WFH, Kind.WFA], date__range=(emergency.start, emergency.last_day),
        unit__in=Unit.objects.subtrees_of(list(emergency.units.all()))).select_related("unit"))


def emergency_end(*, actor, emergency: Emergency) -> Emergency:
    """End an emergency early: today (in its first unit's time zone) is already under the normal
    rules. Days decided under it keep their decision and their record. Outside scope: 404."""
    if not read.emergencies_visible_to(actor).filter(pk=emergency.pk).exists():
        raise Http404
    with transaction.atomic():
        emergency = Emergency.objects.select_for_update().get(pk=emergency.pk)
        units = list(emergency.units.all())
        today = units[0].local_today() if units else timezone.localdate()
        if emergency.last_day < today or emergency.ended_early_at is not None:
            raise ValidationError({"emergency": _("Keadaan darurat ini sudah berakhir.")})
        before = {"last_day": emergency.last_day}
        # Yesterday was its last day; ended before it began (last_day before start), it never applied.
        yesterday = today - dt.timedelta(days=1)
        emergency.last_day = max(min(emergency.end, yesterday), emergency.start - dt.timedelta(days=1))
        emergency.ended_early_at, emergency.ended_by = timezone.now(), actor
        emergency.save(update_fields=["last_day", "ended_early_at", "ended_by"])
        _mark_staffing_changed(emergency, today, before["last_day"])
        audit_record(actor=actor, verb=Verb.EMERGENCY_ENDED, obj=emergency, unit=units[0] if units else None,
                     before=before, after={"last_day": emergency.last_day, "name": emergency.name,
                                           "start": emergency.start, "end": emergency.last_day})
    return emergency


# --- Telling everyone affected, once ------------------------------------------------------------

def emergency_notify(emergency_id: int, after_pk: int = 0) -> int:
    """Tell the next batch of affected employees (pk above ``after_pk``) and hand the rest to the
    next task. The key makes it once per person per emergency: safe twice."""
    emergency = Emergency.objects.filter(pk=emergency_id).first()
    if emergency is None:
        return 0
    batch = list(read.affected_employees(emergency).filter(pk__gt=after_pk).select_related("user")
                 .order_by("pk")[:NOTIFY_BATCH])
    for employee in batch:
        _tell(emergency, employee)
    if len(batch) == NOTIFY_BATCH:
        send_now("scheduling.emergency_notify", args=(emergency_id, batch[-1].pk))
    return len(batch)


def _tell(emergency: Emergency, employee) -> None:
    params = {"name": emergency.name, "basis": emergency.legal_basis, "profile": emergency.profile,
              "start": emergency.start.isoformat(), "end": emergency.end.isoformat()}
    notify(recipient=employee.user, key=f"emergency:{emergency.pk}:{employee.user_id}", kind="emergency.declared",
           subject=lambda p: _("Keadaan darurat: %(name)s") % p,
           body=lambda p: _("%(name)s (%(basis)s) berlaku untuk unit Anda dari %(start)s sampai %(end)s: "
                            "%(profile)s. Aturan kerja unit kembali seperti biasa sesudahnya.") % {
               **p, "start": long_date(p["start"]), "end": long_date(p["end"]),
               "profile": EmergencyProfile(p["profile"]).label},
           params=params, link="/rencana/")
