"""REST API of request days: submit and preview requests, list, decide and follow days.

Thin by design: every write is a service call and every read a selector scoped to the
caller. Service errors become the standard error envelope (``portal.api.errors``); the
per-day reasons ride along in it as ``error.days`` / ``error.skipped`` / ``error.verdicts``.
"""

from __future__ import annotations

from dataclasses import asdict

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import error_body
from portal.api.filters import PeopleFilterSet
from portal.api.schema import ErrorBodySerializer, PortalAutoSchema
from portal.selectors import employee_of
from scheduling import rules, selectors, services
from scheduling.api import serializers as s
from scheduling.models import Kind, RequestDay, Status
from scheduling.selectors.leave import document_requirement

# --- Errors --------------------------------------------------------------------------

class RequestBlockedError(exceptions.APIException):
    """A blocking rule failed on a day of the request; nothing was saved."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "request_blocked"
    default_detail = _("Pengajuan tidak dapat disimpan: ada hari yang melanggar aturan.")

    def __init__(self, detail=None, *, extra: dict | None = None):
        super().__init__(detail)
        self.extra = extra or {}


class DecisionBlockedError(RequestBlockedError):
    """Approving would break a blocking rule now (e.g. someone else was approved first)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "decision_blocked"
    default_detail = _("Hari ini tidak dapat disetujui: ada aturan yang dilanggar.")


def api_exception(exc):
    """Service exceptions as API exceptions (the envelope handler only knows DRF's)."""
    if isinstance(exc, services.RequestBlocked):
        return RequestBlockedError(str(exc), extra={"days": [p.as_dict() for p in exc.previews],
                                                    "skipped": [k.as_dict() for k in exc.skipped]})
    if isinstance(exc, services.DecisionBlocked):
        verdicts = [v.as_dict() for v in exc.shown]  # every verdict the decision met, as the inbox card lists
        if exc.verdicts and all(v.severity == rules.WARN for v in exc.verdicts):
            # Not a conflict: the approver only has to give a reason to override the warning.
            error = exceptions.ValidationError({"reason": [str(exc)]})
            error.extra = {"verdicts": verdicts}
            return error
        return DecisionBlockedError(str(exc), extra={"verdicts": verdicts})
    return exc


class ServiceErrorsMixin:
    """Translate scheduling's own exceptions (blocked days and decisions); the project's
    exception handler turns them, and Django's ValidationError, into the envelope."""

    def handle_exception(self, exc):
        return super().handle_exception(api_exception(exc))


class BlockedErrorBodySerializer(ErrorBodySerializer):
    days = s.DayPreviewSerializer(many=True, required=False, help_text="Per-day verdicts (submit).")
    skipped = s.SkippedSerializer(many=True, required=False, help_text="Days that are not working days.")
    verdicts = s.VerdictSerializer(many=True, required=False, help_text="Why the approval failed.")


class BlockedErrorSerializer(serializers.Serializer):
    error = BlockedErrorBodySerializer()


MONDAY_VERDICT = {"rule": "coverage", "severity": "block",
                  "params": {"unit": "Bidang P2P", "headcount": 5, "in_office_before": 3, "in_office_after": 2,
                             "required": 3, "share": 60},
                  "message": "Bidang P2P: 2 dari 5 akan berada di kantor; minimal 3 (60%)."}
BLOCKED_DAY = {"date": "2026-12-07", "worst": "block", "blocked": True, "verdicts": [MONDAY_VERDICT],
               "unit": "Bidang P2P", "headcount": 5, "in_office_before": 3, "in_office_after": 2, "required": 3,
               "share": 60}
SUBMIT_BLOCKED_EXAMPLE = OpenApiExample(
    "400 blocked day", response_only=True, status_codes=["400"],
    value={"error": {**error_body(status_code=400, code="request_blocked",
                                  message="Pengajuan tidak dapat disimpan: ada hari yang melanggar aturan.")["error"],
                     "days": [BLOCKED_DAY], "skipped": [{"date": "2026-12-12", "reason": "akhir pekan"}]}})
DECISION_BLOCKED_EXAMPLE = OpenApiExample(
    "409 blocked approval", response_only=True, status_codes=["409"],
    value={"error": {**error_body(status_code=409, code="decision_blocked",
                                  message=MONDAY_VERDICT["message"])["error"], "verdicts": [MONDAY_VERDICT]}})


# --- Filters -------------------------------------------------------------------------

class RequestDayFilter(PeopleFilterSet):
    # distinct=False: both filter the day's own columns, no join can repeat a row.
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"), distinct=False,
                                                 help_text="Repeat for several: ?status=pending&status=approved")
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices, label=_("Jenis"), distinct=False)
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("Mulai"))
    end = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Sampai"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("Mulai"),
                                          help_text="Same as start.")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Sampai"),
                                        help_text="Same as end.")

    class Meta:
        model = RequestDay
        fields = ["status", "kind", "unit", "subtree", "employee", "start", "end", "date_from", "date_to", "mine"]


# --- Requests ------------------------------------------------------------------------

SUBMIT_DESCRIPTION = (
    "Ask for `kind` on a list of `dates`, or on every working day from `start` to `end` (optionally only the "
    "`weekdays` given, 0=Monday). Weekends, holidays and cuti bersama are skipped and listed in `skipped`. "
    "All or nothing: if a blocking rule fails on any day the answer is 400 with each day's verdicts in "
    "`error.days` and nothing is saved, unless `skip_blocked` is true, in which case the passing days are "
    "saved and the blocked ones listed in `blocked`. Days that only pass with a warning need a "
    "`justification`. Inside an FWA window WFH/WFA days may come back already approved.")


@extend_schema_view(
    list=extend_schema(summary="Request days visible to the caller", tags=["requests"],
                       description="Own days, days the caller decides (also as Plh/Plt), and for HR admins the "
                                   "days of their subtree. Newest date first."),
    retrieve=extend_schema(summary="One request day", tags=["requests"],
                           description="404 when outside the caller's scope."),
)
class RequestDayViewSet(ServiceErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    schema = PortalAutoSchema()
    serializer_class = s.RequestDaySerializer
    filterset_class = RequestDayFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        # Prefetched, not joined: joined, PostgreSQL widens every day of the status before the
        # UNION of the caller's days narrows them (290 ms at 100k employees instead of 35 ms).
        return (selectors.request_days_visible_to(self.request.user)
                .prefetch_related(selectors.files_prefetch(), "employee", "unit", "decided_by", "official",
                                  "endorsed_by__employee")
                .order_by("-date", "-id"))

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _decision_input(self, serializer_class, pk: int):
        """The body of a decision on day ``pk``: out of scope is 404, never 400. The scope is read
        here only for a bad body; a good one goes to the service, which reads it anyway."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        if not serializer.is_valid():
            selectors.day_for_decision(self.request.user, pk)
            raise exceptions.ValidationError(serializer.errors)
        return serializer.validated_data

    def _decision(self, decision: services.Decision) -> Response:
        """The decided day as the list shows it. The service read the day after its locks and set
        what it wrote, and whoever decided (or withdrew) a day sees it: it is not read again through
        the caller's scope (eight reads), only its request's files are."""
        day = decision.day
        prefetch_related_objects([day], selectors.files_prefetch())
        item = s.RequestDaySerializer(day, context=self.get_serializer_context()).data
        return Response({"item": item, "changed": decision.changed})

    @extend_schema(
        summary="Submit a request", tags=["requests"], description=SUBMIT_DESCRIPTION,
        request=s.RequestInputSerializer,
        responses={201: s.SubmitResultSerializer,
                   400: OpenApiResponse(BlockedErrorSerializer, description="Invalid input, or a blocked day "
                                        "(per-day verdicts in `error.days`); nothing saved."),
                   403: OpenApiResponse(description="The caller is not an active employee.")},
        examples=[
            OpenApiExample("One day", request_only=True, value={"kind": "WFH", "dates": ["2026-12-07"]}),
            OpenApiExample("Every Friday", request_only=True,
                           value={"kind": "WFH", "start": "2026-12-01", "end": "2027-03-31", "weekdays": [4],
                                  "skip_blocked": True}),
            OpenApiExample("Created", response_only=True, status_codes=["201"],
                           value={"request": 41, "items": [{"id": 97, "date": "2026-12-07", "status": "pending",
                                                            "verdicts": []}],
                                  "blocked": [], "skipped": []}),
            SUBMIT_BLOCKED_EXAMPLE,
        ],
    )
    def create(self, request):
        data = {k: v for k, v in self._input(s.RequestInputSerializer).items() if v is not None}
        result = services.request_submit(actor=request.user, **data)
        body = {"request": result.request.pk, "items": result.days,
                "blocked": [p.as_dict() for p in result.blocked], "skipped": [k.as_dict() for k in result.skipped]}
        return Response(s.SubmitResultSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Check days without saving", tags=["requests"],
        description="The verdicts each day would get, for blocked days the nearest working days that would "
                    "pass, and the document the submit will require (`document_required`, counted on the days "
                    "that would be saved). Saves nothing (the request form checks days with it as they are "
                    "filled in).",
        request=s.DateSelectionSerializer, responses={200: s.PreviewSerializer},
        examples=[OpenApiExample("Preview", response_only=True, status_codes=["200"],
                                 value={"ok": False, "days": [{**BLOCKED_DAY, "nearest": ["2026-12-08"]}],
                                        "skipped": [], "document_required": None})],
    )
    @action(detail=False, methods=["post"])
    def preview(self, request):
        data = self._input(s.DateSelectionSerializer)
        employee = employee_of(request.user)
        if employee is None or not employee.is_active:
            raise PermissionDenied(_("Hanya pegawai aktif yang dapat mengajukan."))
        days, skipped = selectors.expand_dates(employee.unit, dates=data.get("dates"), start=data.get("start"),
                                               end=data.get("end"), weekdays=data.get("weekdays"))
        checked = selectors.request_preview(employee, data["kind"], days, skipped,
                                            special_circumstance=data["special_circumstance"])
        needed = document_requirement(employee, data["kind"], checked.n_passing, data["special_circumstance"])
        body = {"ok": checked.ok, "skipped": [k.as_dict() for k in checked.skipped],
                "days": [{**row.preview.as_dict(), "nearest": row.nearest} for row in checked.rows],
                "document_required": asdict(needed) if needed else None}
        return Response(s.PreviewSerializer(body).data)

    @extend_schema(summary="Withdraw a pending day (own)", tags=["requests"], request=None,
                   responses={200: s.DecisionSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._decision(services.request_day_withdraw(actor=request.user, day_id=int(pk)))

    @extend_schema(summary="Cancel an approved future day (own)", tags=["requests"], request=s.ReasonSerializer,
                   responses={200: s.DecisionSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        selectors.own_day(request.user, int(pk))  # scope before body: someone else's day is 404, never 400
        reason = self._input(s.ReasonSerializer)["reason"]
        return self._decision(services.request_day_cancel(actor=request.user, day_id=int(pk), reason=reason))

    @extend_schema(
        summary="Approve a pending day", tags=["decisions"], request=s.ReasonSerializer,
        description="As the employee's approver or their active Plh/Plt (recorded as acting for). The day is "
                    "checked again under a lock with the checks `GET /requests/{id}/check/` and the inbox show: a "
                    "day that would now break a blocking rule (or lacks its required document, or is reserved to "
                    "the definitive official) answers 409 with every verdict in `error.verdicts`; one that only "
                    "breaks a warning needs a `reason` (else 400). Leave the institution sends to its official is "
                    "forwarded there (`item.awaiting: official`) instead of granted. Approving an already decided "
                    "day changes nothing (`changed: false`). Outside the caller's scope: 404.",
        responses={200: s.DecisionSerializer,
                   400: OpenApiResponse(BlockedErrorSerializer, description="A warning needs a reason."),
                   409: OpenApiResponse(BlockedErrorSerializer, description="A blocking rule fails now.")},
        examples=[DECISION_BLOCKED_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        reason = self._decision_input(s.ReasonSerializer, int(pk))["reason"]
        return self._decision(services.request_day_approve(actor=request.user, day_id=int(pk), reason=reason))

    @extend_schema(
        summary="What approving a pending day would meet now", tags=["decisions"], request=None,
        description="The inbox card's checks for one day the caller decides: eligibility, caps, coverage, essential "
                    "positions, the document the institution requires, leave balance and length, and the approval "
                    "chain (`forwards_to`: approving forwards leave to the pejabat yang berwenang memberikan cuti; "
                    "`reserved`: a Plh/Plt leaves it to the definitive official). Approving now meets exactly these; "
                    "a refused decision answers the same `verdicts`. Outside the caller's scope: 404.",
        responses={200: s.DecisionCheckSerializer},
    )
    @action(detail=True, methods=["get"], url_path="check")
    def decision_check(self, request, pk=None):
        day = selectors.day_for_decision(request.user, int(pk))
        if day.status != Status.PENDING:
            raise exceptions.ValidationError({"status": [_("Hari ini sudah diputus.")]})
        return Response(s.DecisionCheckSerializer(selectors.decision_check(request.user, day).as_dict()).data)

    @extend_schema(summary="Reject a pending day", tags=["decisions"], request=s.RejectSerializer,
                   responses={200: s.DecisionSerializer,
                              409: OpenApiResponse(BlockedErrorSerializer, description="A Plh/Plt may not decide "
                                                   "a kind reserved to the definitive official (CLTN, leave "
                                                   "abroad); the day waits for them.")},
                   examples=[OpenApiExample("Reject", request_only=True,
                                            value={"reason": "Rapat koordinasi hari itu."})])
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        selectors.day_for_decision(request.user, int(pk))  # scope before body: out of scope is 404, never 400
        reason = self._input(s.RejectSerializer)["reason"]
        return self._decision(services.request_day_reject(actor=request.user, day_id=int(pk), reason=reason))

    @extend_schema(
        summary="Approve or reject many days", tags=["decisions"], request=s.BulkDecideSerializer,
        description="Each day is decided on its own, in date order, so the rules hold across the batch; one "
                    "failing day does not stop the others. Ids outside the caller's scope report "
                    "`ok: false` like missing ones.",
        responses={200: s.BulkDecisionSerializer},
        examples=[OpenApiExample("Bulk", request_only=True, value={"ids": [97, 98], "action": "approve"}),
                  OpenApiExample("Results", response_only=True, status_codes=["200"], value={
                      "results": [{"id": 97, "date": "2026-12-07", "ok": True, "status": "approved", "error": ""},
                                  {"id": 98, "date": "2026-12-07", "ok": False, "error": MONDAY_VERDICT["message"],
                                   "verdicts": [MONDAY_VERDICT]}],
                      "succeeded": 1, "failed": 1})],
    )
    @action(detail=False, methods=["post"])
    def decide(self, request):
        data = self._input(s.BulkDecideSerializer)
        results = services.requests_decide_bulk(actor=request.user, day_ids=data["ids"], action=data["action"],
                                                reason=data["reason"])
        ok = sum(1 for r in results if r["ok"])
        body = {"results": results, "succeeded": ok, "failed": len(results) - ok}
        return Response(s.BulkDecisionSerializer(body).data)







# --- History of one request day ----------------------------------------------------------------


class HistoryEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    verb = serializers.CharField(help_text="request.submitted, request_day.approved, ... (audit verb).")
    label = serializers.CharField(help_text="The step in the request language.")
    actor = serializers.CharField(help_text="Name of who did it; \"Sistem\" for automatic steps.")
    acting_for = serializers.CharField(help_text='"Plh. <jabatan>" when decided on behalf of someone.')
    reason = serializers.CharField()


class RequestDayHistoryView(APIView):
    @extend_schema(
        summary="History of one request day", tags=["requests"], responses={200: HistoryEventSerializer(many=True)},
        description="The audit events of the day and of its request's submission, oldest first: who submitted, "
                    "approved (also as Plh/Plt or automatically in an FWA window), rejected, withdrew or "
                    "cancelled it, and why. For whoever may see the day; otherwise 404.",
        examples=[OpenApiExample("History", response_only=True, value=[
            {"at": "2026-12-01T09:00:00+07:00", "verb": "request.submitted", "label": "Diajukan",
             "actor": "Ani Lestari", "acting_for": "", "reason": ""},
            {"at": "2026-12-01T10:30:00+07:00", "verb": "request_day.approved", "label": "Disetujui",
             "actor": "Citra Plh", "acting_for": "Plh. Kepala Bidang P2P", "reason": ""}])],
    )
    def get(self, request, pk: int):
        day = selectors.request_days_visible_to(request.user).filter(pk=pk).first()
        if day is None:
            raise Http404
        return Response(HistoryEventSerializer(selectors.request_history([day])[day.pk], many=True).data)
