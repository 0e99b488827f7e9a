"""Writing coverage policies: validate, save with their essential positions, audit.

A policy row holds only what its unit overrides (``None`` = inherit from the parent unit),
so validation keeps ``None`` apart from 0/False/[]: a child may set "no mandatory weekdays"
to lift its parent's.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from portal.formatting import short_date
from portal.models import Unit
from portal.selectors import units_visible_to
from portal.services.audit import audit_record, snapshot
from scheduling.models import CoveragePolicy, EssentialPosition, Mode
from scheduling.models.audit import Verb

# field -> (lowest, highest) for the optional whole numbers. The HR form and the API serializer
# build their fields from this table and both end in coverage_policy_clean(): one set of limits.
INT_RANGES = {
    "min_office_share": (0, 100),
    "min_office_headcount": (0, 10_000),
    "weekly_cap": (0, 7),
    "monthly_cap": (0, 31),
    "min_months_since_placement": (0, 120),
}
ESSENTIAL_MINIMUM = (0, 1000)
MAX_BLACKOUT_DATES = 366
MAX_ESSENTIAL = 100
# Permen PANRB 4/2025: at most two location-flexible days a week. A unit may be given more only
# with an explicit confirmation and the legal basis recorded on the row (and in the audit trail).
REGULATORY_WEEKLY_CAP = 2
BOOL_FIELDS = ("exclude_disciplinary", "count_pending")
POLICY_FIELDS = ("effective_from", *INT_RANGES, "weekday_min_share", "mandatory_weekdays", "blackout_dates",
                 *BOOL_FIELDS, "mode", "note", "legal_basis")


def range_message(low: int, high: int) -> str:
    return _("Harus antara %(low)d dan %(high)d.") % {"low": low, "high": high}


# For form and serializer fields built at import: rendered in the request's language.
range_message_lazy = lazy(range_message, str)


def over_cap_message() -> str:
    return _("Permen PANRB 4/2025 membatasi kerja fleksibel lokasi paling banyak %(cap)d hari per minggu. Untuk "
             "menetapkan lebih, centang konfirmasi dan isi dasar hukumnya.") % {"cap": REGULATORY_WEEKLY_CAP}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _int(value, low: int, high: int) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(_("Harus bilangan bulat."))
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(_("Harus bilangan bulat.")) from None
    if not low <= number <= high:
        raise ValueError(range_message(low, high))
    return number


def _date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(_("Tanggal %(value)s tidak dikenali; gunakan format TTTT-BB-HH.") % {"value": value}) from None


def _weekdays(values) -> list[int]:
    return sorted({_int(v, 0, 6) for v in values})


def _weekday_shares(mapping) -> dict[str, int]:
    """{weekday: share} with JSON-safe string keys, weekdays 0–6 and shares within the general share's range."""
    low, high = INT_RANGES["min_office_share"]  # a weekday's share, limited as the general one
    return {str(day): _int(share, low, high) for day, share in sorted((_int(k, 0, 6), v) for k, v in mapping.items())}


def _clean_field(name: str, value):
    if name == "effective_from":
        if _blank(value):
            raise ValueError(_("Tanggal berlaku wajib diisi."))
        return _date(value)
    if name in INT_RANGES:
        return None if _blank(value) else _int(value, *INT_RANGES[name])
    if name in BOOL_FIELDS:
        return None if value is None else bool(value)
    if name == "mode":
        if _blank(value):
            return ""
        if value not in Mode.values:
            raise ValueError(_("Mode tidak dikenal."))
        return value
    if name in ("note", "legal_basis"):
        text = " ".join(str(value or "").split())
        if len(text) > 255:
            raise ValueError(_("Paling banyak 255 karakter."))
        return text
    if value is None:
        return None
    if name == "weekday_min_share":
        return _weekday_shares(value)
    if name == "mandatory_weekdays":
        return _weekdays(value)
    dates = sorted({_date(v).isoformat() for v in value})  # blackout_dates
    if len(dates) > MAX_BLACKOUT_DATES:
        raise ValueError(_("Paling banyak %(n)d tanggal.") % {"n": MAX_BLACKOUT_DATES})
    return dates


def coverage_policy_clean(data: dict, *, confirm_regulatory: bool = False) -> dict:
    """Validate and normalise policy fields; raises ValidationError naming each bad field.

    The one validation of a policy: the HR form, the API serializer, the admin and the service
    all end here. A weekly cap above :data:`REGULATORY_WEEKLY_CAP` needs ``confirm_regulatory``
    and a ``legal_basis``; without them it is refused, never saved silently.
    """
    unknown = set(data) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    cleaned, errors = {}, {}
    for name in POLICY_FIELDS:
        try:
            cleaned[name] = _clean_field(name, data.get(name))
        except ValueError as exc:
            errors[name] = str(exc)
    cap = cleaned.get("weekly_cap")
    if cap is not None and cap > REGULATORY_WEEKLY_CAP and not (confirm_regulatory and cleaned.get("legal_basis")):
        errors.setdefault("weekly_cap", over_cap_message())
        if confirm_regulatory:
            errors.setdefault("legal_basis", _("Isi dasar hukum penetapan lebih dari %(cap)d hari per minggu.") % {
                "cap": REGULATORY_WEEKLY_CAP})
    if errors:
        raise ValidationError(errors)
    return cleaned


def essential_clean(rows) -> list[tuple[str, int]]:
    """(jabatan, minimum in office) pairs: jabatan named once each, minimum 0–1000."""
    rows = list(rows)
    if len(rows) > MAX_ESSENTIAL:
        raise ValidationError({"essential": _("Paling banyak %(n)d jabatan esensial.") % {"n": MAX_ESSENTIAL}})
    out, seen = [], set()
    for jabatan, minimum in rows:
        name = " ".join((jabatan or "").split())
        if not name:
            raise ValidationError({"essential": _("Nama jabatan esensial wajib diisi.")})
        if len(name) > 200:
            raise ValidationError({"essential": _("Nama jabatan paling banyak 200 karakter.")})
        if name.casefold() in seen:
            raise ValidationError({"essential": _("Jabatan %(j)s tercantum dua kali.") % {"j": name}})
        try:
            out.append((name, _int(minimum, *ESSENTIAL_MINIMUM)))
        except ValueError as exc:
            raise ValidationError({"essential": f"{name}: {exc}"}) from None
        seen.add(name.casefold())
    return out


def _state(policy: CoveragePolicy) -> dict:
    return {**snapshot(policy, list(POLICY_FIELDS)),
            "essential": [[e.jabatan, e.min_in_office] for e in policy.essential_positions.order_by("jabatan")]}


def coverage_policy_save(*, actor, unit: Unit, data: dict, essential=None, policy: CoveragePolicy | None = None,
                         confirm_regulatory: bool = False) -> CoveragePolicy:
    """Create (``policy`` None or unsaved) or change a unit's policy from a date on.

    ``data`` holds the fields of :data:`POLICY_FIELDS`; missing ones mean "inherit".
    ``essential`` is a list of (jabatan, minimum) replacing the row's essential
    positions; ``None`` keeps them as they are. Units outside the actor's HR scope,
    and policies of another unit, answer 404.
    """
    if not units_visible_to(actor).filter(pk=unit.pk).exists():
        raise Http404
    if policy is not None and policy.pk and policy.unit_id != unit.pk:
        raise Http404
    cleaned = coverage_policy_clean(data, confirm_regulatory=confirm_regulatory)
    positions = essential_clean(essential) if essential is not None else None
    with transaction.atomic():
        before = None
        if policy is not None and policy.pk:
            before = _state(CoveragePolicy.objects.select_for_update().get(pk=policy.pk))
        _check_unique_start(unit, cleaned["effective_from"], policy)
        row = policy if policy is not None else CoveragePolicy()
        row.unit = unit
        for name, value in cleaned.items():
            setattr(row, name, value)
        row.full_clean(validate_unique=False)
        row.save()
        if positions is not None:
            row.essential_positions.all().delete()
            EssentialPosition.objects.bulk_create(
                EssentialPosition(policy=row, jabatan=j, min_in_office=n) for j, n in positions)
        audit_record(actor=actor, verb=Verb.COVERAGE_POLICY_UPDATED if before else Verb.COVERAGE_POLICY_CREATED,
                     obj=row, unit=unit, before=before, after=_state(row))
    return row


def _check_unique_start(unit: Unit, start: dt.date, policy: CoveragePolicy | None) -> None:
    clash = CoveragePolicy.objects.filter(unit=unit, effective_from=start)
    if policy is not None and policy.pk:
        clash = clash.exclude(pk=policy.pk)
    if clash.exists():
        raise ValidationError({"effective_from": _(
            "Unit ini sudah punya aturan yang berlaku mulai %(date)s; ubah aturan tersebut.") % {
            "date": short_date(start)}})


def coverage_policy_delete(*, actor, policy: CoveragePolicy) -> None:
    """Remove a policy row (superusers, from the admin); the unit inherits again from that date."""
    if not getattr(actor, "is_superuser", False):
        raise Http404
    with transaction.atomic():
        audit_record(actor=actor, verb=Verb.COVERAGE_POLICY_DELETED, obj=policy, unit=policy.unit,
                     before=_state(policy))
        policy.delete()
