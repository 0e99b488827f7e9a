"""An institution's attendance rules over time: plausibility settings, TK deduction, daily cap and
the TL/PSW band table, saved as one version that applies from a date.

One validation (:func:`attendance_rules_clean`) for the HR page, the API and the service. A save
or delete is audited and recomputes the institution's day statuses from the version's first day
to the day before the next version (never a day before it, never a closed month); a version may
not begin inside a closed month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import AttendanceRules, Band, BandKind, ImplausibleStatus
from attendance.models.audit import Verb
from attendance.services.recompute import enqueue_recompute
from portal import rules as portal_rules
from portal.formatting import short_date
from portal.models import Unit
from portal.selectors import units_visible_to
from portal.selectors.closures import refuse_change_from
from portal.services.audit import audit_record, snapshot

MAX_MINUTES = 24 * 60
MAX_BAND_LEVEL = 20  # per kind: far more than any regulation uses (four is common)


@dataclass(frozen=True)
class BandData:
    kind: str
    level: int
    from_minute: int
    to_minute: int | None
    deduction_percent: Decimal | None


@dataclass(frozen=True)
class RulesData:
    effective_from: dt.date | None
    min_stay_minutes: int
    latest_check_in_minutes: int | None
    implausible_status: str
    tk_deduction_percent: Decimal | None
    daily_cap_percent: Decimal | None
    legal_basis: str = ""
    note: str = ""


def _percent_error(value: Decimal | None) -> str:
    if value is not None and not Decimal(0) <= value <= Decimal(100):
        return _("Persentase harus antara 0 dan 100.")
    return ""


def _band_errors(bands: list[BandData]) -> list[str]:
    """Each kind's levels are 1, 2, 3… with rising, non-overlapping minute ranges."""
    errors = []
    for kind in BandKind:
        rows = sorted((b for b in bands if b.kind == kind), key=lambda b: b.level)
        if len(rows) > MAX_BAND_LEVEL:
            errors.append(_("Paling banyak %(n)d tingkat %(kind)s.") % {"n": MAX_BAND_LEVEL, "kind": kind.value})
            continue
        if [b.level for b in rows] != list(range(1, len(rows) + 1)):
            errors.append(_("Tingkat %(kind)s harus berurutan mulai dari 1.") % {"kind": kind.value})
            continue
        previous = None
        for band in rows:
            name = f"{kind.value}{band.level}"
            if band.from_minute < 1:
                errors.append(_("%(band)s dimulai paling awal pada menit ke-1.") % {"band": name})
            if band.to_minute is not None and band.to_minute < band.from_minute:
                errors.append(_("Batas atas %(band)s lebih kecil dari batas bawahnya.") % {"band": name})
            if previous is not None and (previous.to_minute is None or band.from_minute <= previous.to_minute):
                errors.append(_("%(band)s harus dimulai sesudah tingkat sebelumnya berakhir.") % {"band": name})
            if _percent_error(band.deduction_percent):
                errors.append(_("Potongan %(band)s harus antara 0 dan 100%%.") % {"band": name})
            previous = band
    return errors


def attendance_rules_clean(*, institution: Unit, data: RulesData, bands: list[BandData], pk: int | None = None):
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if data.effective_from is None:
        add("effective_from", _("Isi tanggal mulai berlaku."))
    elif not portal_rules.date_in_range(data.effective_from):
        add("effective_from", portal_rules.date_range_message())
    elif AttendanceRules.objects.filter(institution=institution, effective_from=data.effective_from).exclude(
            pk=pk).exists():
        add("effective_from", _("Sudah ada aturan yang berlaku mulai %(date)s: ubah aturan itu atau pilih tanggal "
                                "lain.") % {"date": short_date(data.effective_from)})
    if not 0 <= data.min_stay_minutes <= MAX_MINUTES:
        add("min_stay_minutes", _("Lama minimal antara 0 dan 1440 menit."))
    if data.latest_check_in_minutes is not None and not 0 <= data.latest_check_in_minutes <= MAX_MINUTES:
        add("latest_check_in_minutes", _("Batas presensi masuk antara 0 dan 1440 menit sesudah jam masuk."))
    if data.implausible_status not in ImplausibleStatus.values:
        add("implausible_status", _("Pilih status untuk presensi tidak wajar."))
    for field in ("tk_deduction_percent", "daily_cap_percent"):
        message = _percent_error(getattr(data, field))
        if message:
            add(field, message)
    for message in _band_errors(bands):
        add("bands", message)
    if errors:
        raise ValidationError(errors)


def _require_scope(actor, institution: Unit) -> None:
    if institution.parent_id is not None:
        raise ValidationError({"institution": _("Aturan presensi ditetapkan untuk instansi (unit akar).")})
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if not units_visible_to(actor).filter(pk=institution.pk).exists():
        raise Http404


def _snapshot(row: AttendanceRules) -> dict:
    data = snapshot(row, ["institution_id", "effective_from", "min_stay_minutes", "latest_check_in_minutes",
                          "implausible_status", "tk_deduction_percent", "daily_cap_percent", "legal_basis", "note"])
    data["bands"] = [snapshot(b, ["kind", "level", "from_minute", "to_minute", "deduction_percent"])
                     for b in row.bands.order_by("kind", "level")]
    return data


def _recompute(institution: Unit, starts: list[dt.date]) -> None:
    """From the earliest start to the day before the next version (or tomorrow), after commit."""
    first, last = min(starts), max(starts)
    following = (AttendanceRules.objects.filter(institution=institution, effective_from__gt=last)
                 .order_by("effective_from").values_list("effective_from", flat=True).first())
    horizon = timezone.localdate() + dt.timedelta(days=1)
    end = min(following - dt.timedelta(days=1), horizon) if following else horizon
    if first <= end:
        enqueue_recompute(institution_id=institution.pk, start=first, end=end)


def attendance_rules_save(*, actor, institution: Unit, version: AttendanceRules | None, data: RulesData,
                          bands: list[BandData]) -> AttendanceRules:
    """Add a rules version from a date, or change one (its band table is replaced)."""
    _require_scope(actor, institution)
    if version is not None and version.institution_id != institution.pk:
        raise Http404
    attendance_rules_clean(institution=institution, data=data, bands=bands, pk=version.pk if version else None)
    with transaction.atomic():
        old = AttendanceRules.objects.select_for_update().filter(pk=version.pk).first() if version else None
        before = _snapshot(old) if old else None
        starts = [data.effective_from] + ([old.effective_from] if old else [])
        for start in starts:
            refuse_change_from([institution], start)
        row = old or AttendanceRules(institution=institution)
        for field in ("effective_from", "min_stay_minutes", "latest_check_in_minutes", "implausible_status",
                      "tk_deduction_percent", "daily_cap_percent"):
            setattr(row, field, getattr(data, field))
        row.legal_basis, row.note = data.legal_basis.strip(), data.note.strip()
        row.save()
        row.bands.all().delete()
        Band.objects.bulk_create([Band(rules=row, kind=b.kind, level=b.level, from_minute=b.from_minute,
                                       to_minute=b.to_minute, deduction_percent=b.deduction_percent) for b in bands])
        audit_record(actor=actor, verb=Verb.RULES_UPDATED if old else Verb.RULES_CREATED, obj=row, before=before,
                     after=_snapshot(row), unit=institution)
        _recompute(institution, starts)
    return row


def attendance_rules_delete(*, actor, version: AttendanceRules) -> None:
    """Remove a version: its days fall back to the version before it (or the built-in rules)."""
    institution = version.institution
    _require_scope(actor, institution)
    refuse_change_from([institution], version.effective_from)
    with transaction.atomic():
        audit_record(actor=actor, verb=Verb.RULES_DELETED, obj=version, before=_snapshot(version), unit=institution)
        start = version.effective_from
        version.delete()
        _recompute(institution, [start])


def default_bands() -> list[BandData]:
    """The common band edges, without deductions: the starting point of a new table."""
    from attendance import rules

    return [BandData(kind, b.level, b.from_minute, b.to_minute, None)
            for kind, table in ((BandKind.TL, rules.DEFAULT_TL), (BandKind.PSW, rules.DEFAULT_PSW)) for b in table]
