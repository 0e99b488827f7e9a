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
from django.utils.translation import gettext as _

from portal.models import Unit
from portal.selectors import units_visible_to
from portal.services.audit import audit_record, snapshot
from scheduling.models import CoveragePolicy, EssentialPosition, Mode

# field -> (lowest, highest) for the optional whole numbers.
INT_RANGES = {
    "min_office_share": (0, 100),
    "min_office_headcount": (0, 10_000),
    "weekly_cap": (0, 7),
    "monthly_cap": (0, 31),
    "min_months_since_placement": (0, 120),
}
BOOL_FIELDS = ("exclude_disciplinary", "count_pending")
POLICY_FIELDS = ("effective_from", *INT_RANGES, "weekday_min_share", "mandatory_weekdays", "blackout_dates",
                 *BOOL_FIELDS, "mode", "note")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _int(value, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(_("Harus bilangan bulat.")) from None
    if not low <= number <= high:
        raise ValueError(_("Harus antara %(low)d dan %(high)d.") % {"low": low, "high": high})
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
    """{weekday: share} with JSON-safe string keys, weekdays 0–6 and shares 0–100."""
    return {str(day): _int(share, 0, 100) for day, share in sorted((_int(k, 0, 6), v) for k, v in mapping.items())}


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
    if name == "note":
        note = (value or "").strip()
        if len(note) > 255:
            raise ValueError(_("Paling banyak 255 karakter."))
        return note
    if value is None:
        return None
    if name == "weekday_min_share":
        return _weekday_shares(value)
    if name == "mandatory_weekdays":
        return _weekdays(value)
    return sorted({_date(v).isoformat() for v in value})  # blackout_dates


def coverage_policy_clean(data: dict) -> dict:
    """Validate and normalise policy fields; raises ValidationError naming each bad field."""
    unknown = set(data) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    cleaned, errors = {}, {}
    for name in POLICY_FIELDS:
        try:
            cleaned[name] = _clean_field(name, data.get(name))
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def essential_clean(rows) -> list[tuple[str, int]]:
    """(jabatan, minimum in office) pairs: jabatan named once each, minimum 0–1000."""
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
            out.append((name, _int(minimum, 0, 1000)))
        except ValueError as exc:
            raise ValidationError({"essential": f"{name}: {exc}"}) from None
        seen.add(name.casefold())
    return out


def _state(policy: CoveragePolicy) -> dict:
    return {**snapshot(policy, list(POLICY_FIELDS)),
            "essential": [[e.jabatan, e.min_in_office] for e in policy.essential_positions.order_by("jabatan")]}


def coverage_policy_save(*, actor, unit: Unit, data: dict, essential=None,
                         policy: CoveragePolicy | None = None) -> CoveragePolicy:
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
    cleaned = coverage_policy_clean(data)
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
        audit_record(actor=actor, verb="coverage_policy.changed" if before else "coverage_policy.created",
                     obj=row, unit=unit, before=before, after=_state(row))
    return row


def _check_unique_start(unit: Unit, start: dt.date, policy: CoveragePolicy | None) -> None:
    clash = CoveragePolicy.objects.filter(unit=unit, effective_from=start)
    if policy is not None and policy.pk:
        clash = clash.exclude(pk=policy.pk)
    if clash.exists():
        raise ValidationError({"effective_from": _(
            "Unit ini sudah punya aturan yang berlaku mulai %(date)s; ubah aturan tersebut.") % {
            "date": start.isoformat()}})
