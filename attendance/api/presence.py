"""REST API of attendance: check in/out for phones and devices, the day-status list, corrections.

Thin by design: every write is a service call (``attendance.services``) and every read is
scoped to the caller. Times are ISO 8601 with the unit's UTC offset, plus the local time
and the zone's abbreviation (WIB/WITA/WIT), because the unit's clock is what counts.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import django_filters
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance.models import Correction, CorrectionStatus, DayStatus, Source, WorkMode
from attendance.selectors import presence
from attendance.services import corrections as correction_services
from attendance.services import presence as presence_services
from portal.api import fields
from portal.api.filters import MAX_ID, PeopleFilterSet
from portal.api.schema import PortalAutoSchema
from portal.api.serializers import effective_time_zones
from portal.api.throttling import PortalScopedRateThrottle
from portal.models import TimeZone, Unit
from portal.models.org import TZ_ABBREVIATION
from portal.selectors import employee_of

MAX_RANGE_DAYS = 62  # two months of rows per call: the monthly recap plus slack
MAX_TEXT = 2000
LATEST_ZONE = zoneinfo.ZoneInfo(TimeZone.WIT)  # no unit's "today" is later than WIT's

# --- Shared ----------------------------------------------------------------------------


# The times come from _iso(), which passes a missing punch/correction time on as null.
NULLABLE_DATETIME = serializers.DateTimeField(allow_null=True, read_only=True)


def _input(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class LocalTimesMixin:
    """Datetimes in the unit's zone; ``context["time_zones"]`` maps unit id → zone name."""

    def _zone(self, unit_id: int) -> str:
        zones = self.context.get("time_zones") or {}
        if unit_id not in zones:
            zones.update(effective_time_zones(Unit.objects.filter(pk=unit_id)))
            self.context["time_zones"] = zones
        return zones[unit_id]

    def _local(self, moment: dt.datetime | None, unit_id: int) -> dt.datetime | None:
        return timezone.localtime(moment, zoneinfo.ZoneInfo(self._zone(unit_id))) if moment else None

    def _iso(self, moment, unit_id) -> str | None:
        local = self._local(moment, unit_id)
        return local.isoformat() if local else None

    def _hhmm(self, moment, unit_id) -> str:
        local = self._local(moment, unit_id)
        return local.strftime("%H:%M") if local else ""

    def _abbreviation(self, unit_id: int) -> str:
        return TZ_ABBREVIATION.get(self._zone(unit_id), "WIB")


def zones_for(objects, unit_of) -> dict[int, str]:
    """Effective time zones of the objects' units in one query (no N+1 over a page)."""
    return effective_time_zones({unit_of(o).pk: unit_of(o) for o in objects}.values())


# --- Check in / out --------------------------------------------------------------------


class LocationSerializer(serializers.Serializer):
    latitude = serializers.FloatField(required=False, allow_null=True, help_text="WGS84 degrees, -90..90.")
    longitude = serializers.FloatField(required=False, allow_null=True, help_text="WGS84 degrees, -180..180.")
    accuracy = serializers.FloatField(required=False, allow_null=True,
                                      help_text="Accuracy radius in metres as the device reports it.")


class PunchSerializer(LocalTimesMixin, serializers.Serializer):
    """One day's punch after a check-in or check-out (original times; corrections never edit it)."""

    id = serializers.IntegerField()
    date = fields.DateField(help_text="The unit's local date.")
    work_mode = serializers.ChoiceField(choices=WorkMode.choices, help_text="From the approved plan of the day.")
    check_in_at = serializers.SerializerMethodField(help_text="ISO 8601 with the unit's UTC offset.")
    check_out_at = serializers.SerializerMethodField(help_text="ISO 8601 with the unit's UTC offset.")
    check_in_local = serializers.SerializerMethodField(help_text="HH:MM in the unit's time zone.")
    check_out_local = serializers.SerializerMethodField(help_text="HH:MM in the unit's time zone.")
    local_time = serializers.SerializerMethodField(help_text="HH:MM of the time this call recorded (or kept).")
    time_zone = serializers.SerializerMethodField(help_text="WIB, WITA or WIT.")
    flagged = serializers.BooleanField(help_text="Outside the office radius (or no location) on a WFO day.")
    distance_m = serializers.SerializerMethodField(help_text="Metres from the office for this call; null if "
                                                             "no location was sent or the office has none.")

    @extend_schema_field(NULLABLE_DATETIME)
    def get_check_in_at(self, punch):
        return self._iso(punch.check_in_at, punch.unit_id)

    @extend_schema_field(NULLABLE_DATETIME)
    def get_check_out_at(self, punch):
        return self._iso(punch.check_out_at, punch.unit_id)

    def get_check_in_local(self, punch) -> str:
        return self._hhmm(punch.check_in_at, punch.unit_id)

    def get_check_out_local(self, punch) -> str:
        return self._hhmm(punch.check_out_at, punch.unit_id)

    def get_local_time(self, punch) -> str:
        out = self.context.get("action") == "out"
        return self._hhmm(punch.check_out_at if out else punch.check_in_at, punch.unit_id)

    def get_time_zone(self, punch) -> str:
        return self._abbreviation(punch.unit_id)

    def get_distance_m(self, punch) -> float | None:
        return punch.out_distance_m if self.context.get("action") == "out" else punch.in_distance_m


PUNCH_EXAMPLE = {"id": 812, "date": "2026-12-07", "work_mode": "WFO", "check_in_at": "2026-12-07T07:21:04+08:00",
                 "check_out_at": None, "check_in_local": "07:21", "check_out_local": "", "local_time": "07:21",
                 "time_zone": "WITA", "flagged": False, "distance_m": 38.2}
LOCATION_EXAMPLE = OpenApiExample("With location", request_only=True,
                                  value={"latitude": -5.147665, "longitude": 119.432732, "accuracy": 12})


class PunchView(APIView):
    schema = PortalAutoSchema()
    throttle_classes = [PortalScopedRateThrottle]
    throttle_scope = "check_in"
    action_name = "in"

    def punch(self, request, service):
        data = _input(LocationSerializer, request.data)
        punch, changed = service(actor=request.user, source=Source.API, **data)
        zones = {punch.unit_id: punch.unit.effective_time_zone}  # the service resolved it: no query
        body = PunchSerializer(punch, context={"action": self.action_name, "time_zones": zones}).data
        return body, changed


class CheckInView(PunchView):
    @extend_schema(
        summary="Check in now", tags=["attendance"], request=LocationSerializer,
        description="Server time is what is recorded, on the unit's local date. The first check-in of the day "
                    "answers 201; any later call answers 200 with the existing record unchanged (a repeated tap "
                    "never creates a second record). The location is optional: without it the punch is still "
                    "recorded, flagged on a WFO day. Only active employees may punch (else 403). Rate-limited "
                    "per user (scope `check_in`).",
        responses={201: PunchSerializer, 200: PunchSerializer},
        examples=[LOCATION_EXAMPLE, OpenApiExample("Recorded", value=PUNCH_EXAMPLE, response_only=True,
                                                   status_codes=["201", "200"])],
    )
    def post(self, request):
        body, changed = self.punch(request, presence_services.punch_check_in)
        return Response(body, status=status.HTTP_201_CREATED if changed else status.HTTP_200_OK)


class CheckOutView(PunchView):
    action_name = "out"

    @extend_schema(
        summary="Check out now", tags=["attendance"], request=LocationSerializer,
        description="Records the check-out at server time; a later call moves it later (people keep working). "
                    "Works without a check-in (the day then shows a missing check-in). Always 200.",
        responses={200: PunchSerializer},
        examples=[LOCATION_EXAMPLE, OpenApiExample("Recorded", response_only=True, value={
            **PUNCH_EXAMPLE, "check_out_at": "2026-12-07T16:05:40+08:00", "check_out_local": "16:05",
            "local_time": "16:05", "distance_m": 41.0})],
    )
    def post(self, request):
        body, _changed = self.punch(request, presence_services.punch_check_out)
        return Response(body)


# --- Day statuses ----------------------------------------------------------------------


class RangeForm(forms.Form):
    """Defaults (this month up to today) and the range limit, checked before any filtering."""

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        end = data.get("end") or timezone.localdate(timezone=LATEST_ZONE)
        start = data.get("start") or end.replace(day=1)
        if end < start:
            self.add_error("end", _("Tanggal akhir tidak boleh sebelum tanggal mulai."))
        elif (end - start).days + 1 > MAX_RANGE_DAYS:
            self.add_error("end", _("Rentang paling panjang %(n)d hari.") % {"n": MAX_RANGE_DAYS})
        data["start"], data["end"] = start, end
        return data


class DayStatusFilter(PeopleFilterSet):
    unit_field = "unit"
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("Mulai"),
                                      help_text="Default: the first day of end's month.")
    end = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Sampai"),
                                    help_text=f"Default: today. At most {MAX_RANGE_DAYS} days from start.")
    code = django_filters.CharFilter(label=_("Status"), help_text="HADIR, TL, PSW, TL_PSW, TK, LIBUR, "
                                                                  "CUTI_BERSAMA, BELUM or an absence kind (CT, ...).")
    work_mode = django_filters.ChoiceFilter(choices=WorkMode.choices, label=_("Mode kerja"))

    class Meta:
        model = DayStatus
        fields = ["employee", "unit", "subtree", "start", "end", "code", "work_mode", "mine"]
        form = RangeForm


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    name = serializers.CharField()


class UnitBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class DayStatusSerializer(LocalTimesMixin, serializers.ModelSerializer):
    employee = PersonSerializer()
    unit = UnitBriefSerializer()
    check_in_at = serializers.SerializerMethodField(help_text="Original punch, unit's offset.")
    check_out_at = serializers.SerializerMethodField(help_text="Original punch, unit's offset.")
    corrected_check_in_at = serializers.SerializerMethodField(help_text="From the latest approved correction.")
    corrected_check_out_at = serializers.SerializerMethodField(help_text="From the latest approved correction.")
    flagged = serializers.SerializerMethodField(help_text="The punch was flagged (location, WFO day).")
    time_zone = serializers.SerializerMethodField(help_text="WIB, WITA or WIT.")

    class Meta:
        model = DayStatus
        fields = ["id", "employee", "unit", "date", "code", "work_mode", "absence_kind", "tl_level", "tl_minutes",
                  "psw_level", "psw_minutes", "missing_in", "missing_out", "deduction_percent", "note",
                  "check_in_at", "check_out_at", "corrected_check_in_at", "corrected_check_out_at", "flagged",
                  "time_zone", "computed_at"]

    @extend_schema_field(NULLABLE_DATETIME)
    def get_check_in_at(self, row):
        return self._iso(row.punch_in, row.unit_id)

    @extend_schema_field(NULLABLE_DATETIME)
    def get_check_out_at(self, row):
        return self._iso(row.punch_out, row.unit_id)

    @extend_schema_field(NULLABLE_DATETIME)
    def get_corrected_check_in_at(self, row):
        return self._iso(row.corrected_in, row.unit_id)

    @extend_schema_field(NULLABLE_DATETIME)
    def get_corrected_check_out_at(self, row):
        return self._iso(row.corrected_out, row.unit_id)

    def get_flagged(self, row) -> bool:
        return bool(row.punch_flagged)

    def get_time_zone(self, row) -> str:
        return self._abbreviation(row.unit_id)


class ZonedListMixin:
    """Resolve the page's time zones at once instead of per row."""

    unit_of = None

    def get_serializer(self, *args, **kwargs):
        if args:
            rows = args[0] if kwargs.get("many") else [args[0]]
            kwargs.setdefault("context", self.get_serializer_context())["time_zones"] = zones_for(
                rows, type(self).unit_of)
        return super().get_serializer(*args, **kwargs)


DAY_STATUS_EXAMPLE = {
    "id": 5531, "employee": {"id": 7, "nip": "198609262015051001", "name": "Ani Lestari"},
    "unit": {"id": 3, "code": "DINKES-P2P", "name": "Bidang P2P"}, "date": "2026-12-07", "code": "TL",
    "work_mode": "WFH", "absence_kind": "", "tl_level": 1, "tl_minutes": 12, "psw_level": None, "psw_minutes": 0,
    "missing_in": False, "missing_out": False, "deduction_percent": "0.50", "note": "",
    "check_in_at": "2026-12-07T07:42:10+07:00", "check_out_at": "2026-12-07T16:03:00+07:00",
    "corrected_check_in_at": None, "corrected_check_out_at": None, "flagged": False, "time_zone": "WIB",
    "computed_at": "2026-12-07T16:03:00+07:00"}


@extend_schema_view(get=extend_schema(
    summary="Day statuses visible to the caller", tags=["attendance"],
    description="One row per employee per working day (and holiday): status code, work mode, TL/PSW bands "
                "and minutes, missing punches, deduction, with the original punch times and the corrected "
                "ones. Scoped like the pages: own rows; a supervisor's direct reports (also as Plh/Plt); an "
                "HR admin's subtree; everything for a superuser. Newest date first. Default range: this month "
                f"up to today; at most {MAX_RANGE_DAYS} days per call.",
    examples=[OpenApiExample("Day status", value=DAY_STATUS_EXAMPLE, response_only=True)],
))
class DayStatusListView(ZonedListMixin, generics.ListAPIView):
    schema = PortalAutoSchema()
    serializer_class = DayStatusSerializer
    filterset_class = DayStatusFilter
    unit_of = staticmethod(lambda row: row.unit)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no real user
            return DayStatus.objects.none()
        return presence.day_statuses_visible_to(self.request.user).order_by("-date", "employee__name", "id")


# --- Corrections -----------------------------------------------------------------------


class CorrectionInputSerializer(serializers.Serializer):
    date = fields.DateField(help_text="The local date to correct (today or up to 31 days back).")
    check_in = serializers.TimeField(required=False, allow_null=True, help_text="Corrected local time, HH:MM.")
    check_out = serializers.TimeField(required=False, allow_null=True, help_text="Corrected local time, HH:MM.")
    reason = serializers.CharField(max_length=MAX_TEXT)
    evidence = serializers.FileField(required=False, allow_null=True,
                                     help_text="PDF, PNG or JPEG up to 5 MB, checked by content (multipart).")


class HRCorrectionInputSerializer(serializers.Serializer):
    employee = serializers.IntegerField(min_value=1, max_value=MAX_ID,
                                        help_text="Employee id in the HR admin's scope (else 404).")
    date = fields.DateField()
    check_in = serializers.TimeField(required=False, allow_null=True)
    check_out = serializers.TimeField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=MAX_TEXT)


class DecisionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="",
                                   help_text="Required to reject.")


class CorrectionSerializer(LocalTimesMixin, serializers.ModelSerializer):
    employee = PersonSerializer()
    check_in_at = serializers.SerializerMethodField(help_text="Proposed; null = unchanged.")
    check_out_at = serializers.SerializerMethodField(help_text="Proposed; null = unchanged.")
    original_check_in_at = serializers.SerializerMethodField(help_text="The punch as recorded (never edited).")
    original_check_out_at = serializers.SerializerMethodField(help_text="The punch as recorded (never edited).")
    time_zone = serializers.SerializerMethodField()
    evidence_url = serializers.SerializerMethodField(help_text="Download link (permission re-checked), or null.")
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Correction
        fields = ["id", "employee", "date", "check_in_at", "check_out_at", "original_check_in_at",
                  "original_check_out_at", "time_zone", "reason", "status", "evidence_url", "created_at",
                  "decided_by", "decided_at", "acting_for", "decision_reason"]

    def _unit(self, c) -> int:
        return c.employee.unit_id

    @extend_schema_field(NULLABLE_DATETIME)
    def get_check_in_at(self, c):
        return self._iso(c.check_in_at, self._unit(c))

    @extend_schema_field(NULLABLE_DATETIME)
    def get_check_out_at(self, c):
        return self._iso(c.check_out_at, self._unit(c))

    @extend_schema_field(NULLABLE_DATETIME)
    def get_original_check_in_at(self, c):
        return self._iso(getattr(c, "original_in", None), self._unit(c))

    @extend_schema_field(NULLABLE_DATETIME)
    def get_original_check_out_at(self, c):
        return self._iso(getattr(c, "original_out", None), self._unit(c))

    def get_time_zone(self, c) -> str:
        return self._abbreviation(self._unit(c))

    def get_evidence_url(self, c) -> str | None:
        return reverse("attendance-correction-evidence", args=[c.pk]) if c.evidence else None

    def get_decided_by(self, c) -> str:
        user = c.decided_by
        if user is None:
            return ""
        employee = employee_of(user)
        return employee.name if employee else user.get_username()


class CorrectionFilter(PeopleFilterSet):
    unit_field = "employee__unit"
    status = django_filters.MultipleChoiceFilter(choices=CorrectionStatus.choices, label=_("Status"))
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("Mulai"))
    end = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Sampai"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Milik saya"),
                                        help_text="true: only the caller's own; false: only others'.")

    class Meta:
        model = Correction
        fields = ["status", "employee", "unit", "subtree", "start", "end", "mine"]

    def filter_mine(self, queryset, name, value):
        me = employee_of(self.request.user) if self.request else None
        if value is None:
            return queryset
        if value:
            return queryset.filter(employee=me) if me else queryset.none()
        return queryset.exclude(employee=me) if me else queryset


CORRECTION_EXAMPLE = {
    "id": 41, "employee": {"id": 7, "nip": "198609262015051001", "name": "Ani Lestari"}, "date": "2026-12-07",
    "check_in_at": "2026-12-07T07:25:00+07:00", "check_out_at": None,
    "original_check_in_at": "2026-12-07T09:02:13+07:00", "original_check_out_at": "2026-12-07T16:04:00+07:00",
    "time_zone": "WIB", "reason": "Jaringan kantor putus pagi itu.", "status": "pending", "evidence_url": None,
    "created_at": "2026-12-07T09:10:00+07:00", "decided_by": "", "decided_at": None, "acting_for": "",
    "decision_reason": ""}


@extend_schema_view(
    list=extend_schema(summary="Corrections visible to the caller", tags=["attendance corrections"],
                       description="Own corrections, those the caller decides (also as Plh/Plt), and for HR "
                                   "admins those of their subtree. Newest first.",
                       examples=[OpenApiExample("Correction", value=CORRECTION_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One correction", tags=["attendance corrections"],
                           description="404 when outside the caller's scope."),
)
class CorrectionViewSet(ZonedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    schema = PortalAutoSchema()
    serializer_class = CorrectionSerializer
    filterset_class = CorrectionFilter
    lookup_value_regex = r"\d+"
    unit_of = staticmethod(lambda c: c.employee.unit)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no real user
            return Correction.objects.none()
        visible = presence.corrections_visible_to(self.request.user)
        return presence.with_originals(visible).order_by("-created_at", "-id")

    def _answer(self, correction: Correction, code=status.HTTP_200_OK) -> Response:
        # Re-read with the original punch times; the service has already authorised the caller.
        fresh = presence.with_originals(Correction.objects.filter(pk=correction.pk)).get()
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Propose a correction (usul perbaikan presensi)", tags=["attendance corrections"],
        request={"application/json": CorrectionInputSerializer, "multipart/form-data": CorrectionInputSerializer},
        responses={201: CorrectionSerializer},
        description="For the caller's own day, today or up to 31 days back, with corrected local times and a "
                    "reason; optional evidence by multipart upload. One pending correction per day (else 400). "
                    "The supervisor (or their Plh/Plt) decides; the original punch is never changed.",
        examples=[OpenApiExample("Forgot to check out", request_only=True, value={
            "date": "2026-12-07", "check_out": "16:05", "reason": "Lupa presensi pulang."})],
    )
    def create(self, request):
        data = _input(CorrectionInputSerializer, request.data)
        correction = correction_services.correction_submit(actor=request.user, **data)
        return self._answer(correction, status.HTTP_201_CREATED)

    @extend_schema(summary="Approve a pending correction", tags=["attendance corrections"],
                   request=DecisionInputSerializer, responses={200: CorrectionSerializer},
                   description="As the employee's supervisor or their active Plh/Plt (recorded as acting for). "
                               "The day status is recomputed from the corrected times. Deciding an already "
                               "decided correction changes nothing. Outside the caller's scope: 404.")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        reason = _input(DecisionInputSerializer, request.data)["reason"]
        return self._answer(correction_services.correction_decide(actor=request.user, correction_id=int(pk),
                                                                  approve=True, reason=reason))

    @extend_schema(summary="Reject a pending correction", tags=["attendance corrections"],
                   request=DecisionInputSerializer, responses={200: CorrectionSerializer},
                   description="A reason is required (else 400). Outside the caller's scope: 404.",
                   examples=[OpenApiExample("Reject", request_only=True,
                                            value={"reason": "Tidak ada gangguan jaringan hari itu."})])
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        reason = _input(DecisionInputSerializer, request.data)["reason"]
        return self._answer(correction_services.correction_decide(actor=request.user, correction_id=int(pk),
                                                                  approve=False, reason=reason))

    @extend_schema(summary="Withdraw an own pending correction", tags=["attendance corrections"], request=None,
                   responses={200: CorrectionSerializer},
                   description="Only the caller's own pending correction (someone else's: 404; decided: 400).")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._answer(correction_services.correction_withdraw(actor=request.user, correction_id=int(pk)))

    @extend_schema(summary="Correct a day directly (HR)", tags=["attendance corrections"],
                   request=HRCorrectionInputSerializer, responses={201: CorrectionSerializer},
                   description="An HR admin corrects an employee of their subtree at once (e.g. after an "
                               "outage): an approved correction, audited; the original punch stays. Any pending "
                               "correction of that day is withdrawn. Employee outside the scope: 404.",
                   examples=[OpenApiExample("After an outage", request_only=True, value={
                       "employee": 7, "date": "2026-12-07", "check_in": "07:28",
                       "reason": "Server presensi padam 07.00–08.30."})])
    @action(detail=False, methods=["post"], url_path="hr")
    def hr(self, request):
        data = _input(HRCorrectionInputSerializer, request.data)
        correction = correction_services.correction_hr_apply(actor=request.user, employee_id=data.pop("employee"),
                                                             **data)
        return self._answer(correction, status.HTTP_201_CREATED)
