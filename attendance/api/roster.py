"""Roster API (jadwal dinas): a month of one unit's roster, and saving it.

GET answers :func:`attendance.selectors.roster.roster_month` (the page draws the same); PUT or
POST applies entries through :func:`attendance.services.roster.roster_save`, all or nothing. A
unit the caller may not roster is "not found" (404), as on the page.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance.api.presence import UnitBriefSerializer
from attendance.selectors.roster import RosterMonth, roster_month, roster_units_for
from attendance.services.roster import OFF, RosterChange, roster_save
from portal.api import fields
from portal.api.filters import MAX_ID
from portal.api.schema import PortalAutoSchema
from portal.models import Unit
from portal.selectors import units_visible_to
from portal.selectors.closures import closed_message

MONTH = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
MAX_ENTRIES = 10_000  # 300 people × 31 days, and then some
MAX_UNITS = 300
TAGS = ["attendance roster"]


# --- Input -------------------------------------------------------------------------------------


class RosterQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                    help_text="Default: the first unit the caller may roster.")
    month = serializers.RegexField(MONTH, required=False, help_text="YYYY-MM; default: this month in the unit.")


class RosterEntryInputSerializer(serializers.Serializer):
    employee = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Employee id.")
    date = fields.DateField(help_text="A day of the month being saved.")
    shift = serializers.CharField(max_length=10, allow_null=True, allow_blank=True,
                                  help_text=f'A shift code of the unit, "{OFF}" for a day off, or null (or "") '
                                            "to remove the entry (the unit's pattern applies again).")


class RosterSaveSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    month = serializers.RegexField(MONTH, help_text="YYYY-MM.")
    entries = RosterEntryInputSerializer(many=True, max_length=MAX_ENTRIES,
                                         help_text="Only the cells to set; others are left as they are.")

    def validate_entries(self, entries):
        seen = set()
        for entry in entries:
            key = (entry["employee"], entry["date"])
            if key in seen:
                raise serializers.ValidationError(_("Pegawai #%(id)s tanggal %(date)s disebut lebih dari sekali.") % {
                    "id": entry["employee"], "date": entry["date"].isoformat()})
            seen.add(key)
        return entries


# --- Output ------------------------------------------------------------------------------------


class RosterClosedSerializer(serializers.Serializer):
    unit = UnitBriefSerializer(help_text="The unit whose closure covers this one.")
    month = serializers.CharField(help_text="YYYY-MM.")
    message = serializers.CharField(help_text="Why nothing may change, in the request language.")


class RosterDaySerializer(serializers.Serializer):
    date = fields.DateField()
    weekend = serializers.BooleanField()
    holiday = serializers.CharField(allow_null=True, help_text="Name of the holiday or cuti bersama, or null.")
    holiday_kind = serializers.CharField(allow_null=True, help_text="holiday, cuti_bersama or null.")


class RosterShiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    start = fields.HourMinuteField()
    end = fields.HourMinuteField()
    ends_next_day = serializers.BooleanField()
    break_minutes = serializers.IntegerField()
    is_active = serializers.BooleanField(help_text="Only active shifts may be put on the roster.")
    unit = serializers.IntegerField(source="unit_id", help_text="The unit that defines it (this one or above).")


class RosterCellSerializer(serializers.Serializer):
    date = fields.DateField()
    code = serializers.CharField(help_text=f'Shift code, "{OFF}" (day off), or "" (no entry: the pattern applies).')
    counts = serializers.BooleanField(help_text="Inside the person's records window (else not editable).")
    working = serializers.BooleanField(help_text="The day has working hours for this person (entry or pattern).")


class RosterPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.IntegerField()
    unscheduled = serializers.IntegerField(help_text="Days of a shift unit still without an entry.")
    cells = RosterCellSerializer(many=True)


class RosterEntrySerializer(serializers.Serializer):
    employee = serializers.IntegerField()
    date = fields.DateField()
    shift = serializers.CharField(help_text=f'Shift code or "{OFF}".')


class RosterSerializer(serializers.Serializer):
    unit = UnitBriefSerializer()
    month = serializers.CharField(help_text="YYYY-MM.")
    pattern_kind = serializers.CharField(help_text="weekly or shift: the unit's working pattern that month.")
    closed = RosterClosedSerializer(allow_null=True, help_text="The closure in force (read-only month), or null.")
    units = UnitBriefSerializer(many=True, help_text="Units the caller may roster.")
    days = RosterDaySerializer(many=True)
    shifts = RosterShiftSerializer(many=True)
    people = RosterPersonSerializer(many=True)
    entries = RosterEntrySerializer(many=True, help_text="The stored entries, in the shape PUT takes.")


class RosterSavedSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    month = serializers.CharField()
    changed = serializers.IntegerField(help_text="Entries created, changed or removed.")


# --- Scope -------------------------------------------------------------------------------------


def _units(user) -> list[Unit]:
    """Units the caller may roster: those of their reports (also as Plh/Plt) and HR's subtree."""
    units = list(roster_units_for(user))
    seen = {u.pk for u in units}
    units += [u for u in units_visible_to(user).filter(is_active=True).order_by("path")[:MAX_UNITS]
              if u.pk not in seen]
    return sorted(units, key=lambda u: u.path)


def _chosen(user, unit_id: int | None, units: list[Unit]) -> Unit:
    if unit_id is None:
        if not units:
            raise Http404
        return units[0]
    unit = next((u for u in units if u.pk == unit_id), None) or units_visible_to(user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


def _month(value: str | None, unit: Unit) -> dt.date:
    return dt.date.fromisoformat(f"{value}-01") if value else unit.local_today().replace(day=1)


def _body(month: RosterMonth, units: list[Unit]) -> dict:
    closed = month.closed
    people, entries = [], []
    for row in month.rows:
        person = row.employee
        cells = []
        for cell in row.cells:
            cells.append({"date": cell["day"], "code": cell["code"], "counts": cell["counts"],
                          "working": cell["hours"] is not None})
            if cell["code"]:
                entries.append({"employee": person.pk, "date": cell["day"], "shift": cell["code"]})
        people.append({"id": person.pk, "nip": person.nip, "name": person.name, "unit": person.unit_id,
                       "unscheduled": row.unscheduled, "cells": cells})
    holidays = month.holidays
    return {
        "unit": month.unit, "month": f"{month.first:%Y-%m}", "pattern_kind": month.pattern_kind,
        "closed": {"unit": closed.unit, "month": f"{closed.month:%Y-%m}", "message": closed_message(closed)}
        if closed else None,
        "units": units,
        "days": [{"date": d, "weekend": d.weekday() >= 5, "holiday": holidays[d].name if d in holidays else None,
                  "holiday_kind": holidays[d].kind if d in holidays else None} for d in month.days],
        "shifts": month.shifts, "people": people, "entries": entries,
    }


ROSTER_EXAMPLE = {
    "unit": {"id": 9, "code": "RSUD-IGD", "name": "Instalasi Gawat Darurat"}, "month": "2026-12",
    "pattern_kind": "shift", "closed": None,
    "units": [{"id": 9, "code": "RSUD-IGD", "name": "Instalasi Gawat Darurat"}],
    "days": [{"date": "2026-12-01", "weekend": False, "holiday": None, "holiday_kind": None}],
    "shifts": [{"id": 3, "code": "M", "name": "Malam", "start": "21:00", "end": "07:00", "ends_next_day": True,
                "break_minutes": 30, "is_active": True, "unit": 9}],
    "people": [{"id": 41, "nip": "198609262015051001", "name": "Ani Lestari", "unit": 9, "unscheduled": 0,
                "cells": [{"date": "2026-12-01", "code": "M", "counts": True, "working": True}]}],
    "entries": [{"employee": 41, "date": "2026-12-01", "shift": "M"}]}
SAVE_EXAMPLE = OpenApiExample("Two nights and a day off", request_only=True, value={
    "unit": 9, "month": "2026-12", "entries": [
        {"employee": 41, "date": "2026-12-01", "shift": "M"}, {"employee": 41, "date": "2026-12-02", "shift": "M"},
        {"employee": 41, "date": "2026-12-03", "shift": "L"}, {"employee": 41, "date": "2026-12-04", "shift": None}]})
SAVE_DESCRIPTION = (
    "Sets the given cells of one unit's month: a shift code, \"L\" for a day off, or null to remove the entry. "
    "All or nothing: an unknown or inactive shift, a person the caller may not roster, a date outside the month "
    "or a closed month refuses the whole save (400, messages on `entries` or `month`) and nothing is written. "
    "Unchanged cells are ignored; days already begun are recomputed. Supervisors (also as Plh/Plt) roster their "
    "direct reports, HR admins anyone in their subtree; a unit outside that answers 404.")


class RosterView(APIView):
    schema = PortalAutoSchema()

    @extend_schema(
        summary="A month of a unit's roster (jadwal dinas)", tags=TAGS, parameters=[RosterQuerySerializer],
        responses={200: RosterSerializer},
        description="The people the caller may roster in the unit (supervisors: their direct reports, also as "
                    "Plh/Plt; HR admins: their subtree), each day's entry (shift code, \"L\" for a day off, \"\" "
                    "when the unit's pattern applies), the shifts usable there, holidays, and whether the month "
                    "is closed. A unit outside the caller's reach, or a caller who rosters nobody: 404.",
        examples=[OpenApiExample("Roster", value=ROSTER_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        query = RosterQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        units = _units(request.user)
        unit = _chosen(request.user, query.validated_data.get("unit"), units)
        month = roster_month(request.user, unit, _month(query.validated_data.get("month"), unit))
        return Response(RosterSerializer(_body(month, units)).data)

    @extend_schema(summary="Save roster entries of a month", tags=TAGS, request=RosterSaveSerializer,
                   responses={200: RosterSavedSerializer}, description=SAVE_DESCRIPTION, examples=[SAVE_EXAMPLE])
    def put(self, request):
        return self._save(request)

    @extend_schema(summary="Save roster entries of a month (same as PUT)", tags=TAGS, request=RosterSaveSerializer,
                   responses={200: RosterSavedSerializer}, description=SAVE_DESCRIPTION, examples=[SAVE_EXAMPLE])
    def post(self, request):
        return self._save(request)

    def _save(self, request):
        body = RosterSaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        unit = _chosen(request.user, data["unit"], _units(request.user))
        first = _month(data["month"], unit)
        changes = [RosterChange(e["employee"], e["date"], e["shift"] or None) for e in data["entries"]]
        changed = roster_save(actor=request.user, unit=unit, month=first, changes=changes)
        return Response(RosterSavedSerializer({"unit": unit.pk, "month": f"{first:%Y-%m}", "changed": changed}).data)
