"""HR admin API: writes of units and employees, Plh/Plt, HR scopes, calendar overrides,
people import, supervisor data check and audit log.

Same rules as the HR pages and the admin: an HR admin works inside their subtree, a
superuser anywhere, anyone else finds nothing (404: the HR endpoints are not advertised
to them). Out-of-scope objects in the URL answer 404; out-of-scope ids in the body are
"does not exist" field errors. Every write is one service call in one transaction, so a
rejected request writes nothing.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from portal.api import serializers_hr as s
from portal.api.errors import error_body
from portal.api.filters import IdFilter
from portal.api.permissions import IsHRAdmin, IsSuperuser
from portal.api.schema import ErrorSerializer, error_response
from portal.api.views.org import EMPLOYEE_EXAMPLE, UNIT_EXAMPLE, EmployeeViewSet, UnitViewSet
from portal.models import CalendarOverride, Delegation, Employee, HRAdminScope, OverrideKind, Unit
from portal.rules import normalize_nip
from portal.selectors import (
    ISSUE_LABELS,
    employees_visible_to,
    hr_scope_units,
    supervisor_issues,
    units_visible_to,
)
from portal.selectors.audit import PAGE_SIZE, AuditFilters, audit_page
from portal.services.calendar import calendar_override_delete, calendar_override_save
from portal.services.org import (
    delegation_revoke,
    delegation_save,
    employee_save,
    hr_scope_grant,
    hr_scope_revoke,
    unit_save,
)
from portal.services.people_import import COLUMNS, ImportFileError, account_create, people_import

# --- Shared ----------------------------------------------------------------------------------


def _input(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _example_400(fields: dict, message: str = "Data yang dikirim tidak valid.") -> OpenApiExample:
    return OpenApiExample("400 invalid", response_only=True, status_codes=["400"],
                          value=error_body(status_code=400, code="invalid", message=message, fields=fields))


# --- Units -----------------------------------------------------------------------------------

UNIT_INPUT = {"code": "DINKES-KESMAS", "name": "Bidang Kesehatan Masyarakat", "kind": "bidang", "parent": 2,
              "time_zone": "", "head": None, "address": "Jl. Merdeka 1", "radius_m": 100}
NIP_ERROR = _example_400({"nip": ["NIP harus 18 digit; yang diisi 17 digit."]})


@extend_schema_view(
    create=extend_schema(
        summary="Create a unit", tags=["organisation"],
        description="HR admins create units below a unit of their scope (`parent` required); only superusers "
                    "create an instansi. Audited (`unit.created`).",
        responses={201: s.UnitDetailSerializer, 404: error_response(404)},
        examples=[OpenApiExample("New bidang", value=UNIT_INPUT, request_only=True),
                  OpenApiExample("Created", value=UNIT_EXAMPLE, response_only=True, status_codes=["201"]),
                  _example_400({"parent": ["Pk \"99\" tidak valid - objek tidak ada."]})]),
    update=extend_schema(
        summary="Change a unit", tags=["organisation"], responses={200: s.UnitDetailSerializer},
        description="Whole unit. Moving it (`parent`) keeps the subtree's paths right. The top unit of an HR "
                    "admin's own scope cannot be moved or change kind. Outside the scope: 404.",
        examples=[OpenApiExample("Unit", value=UNIT_EXAMPLE, response_only=True)]),
    partial_update=extend_schema(
        summary="Change some fields of a unit", tags=["organisation"], responses={200: s.UnitDetailSerializer},
        examples=[OpenApiExample("Rename", value={"name": "Bidang P2P dan Imunisasi"}, request_only=True)]),
)
class UnitAdminViewSet(UnitViewSet):
    """Units: reads for everybody in scope (org.UnitViewSet), writes for HR admins."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return super().get_permissions()
        return [IsHRAdmin()]

    def get_serializer_class(self):
        return s.UnitWriteSerializer if self.action in ("create", "update", "partial_update") \
            else s.UnitDetailSerializer

    def _answer(self, unit: Unit, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=unit.pk)
        return Response(s.UnitDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = _input(s.UnitWriteSerializer, request)
        unit = unit_save(actor=request.user, unit=Unit(**data))
        return self._answer(unit, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        unit = self.get_object()
        partial = kwargs.get("partial", False)
        data = _input(s.UnitWriteSerializer, request, instance=unit, partial=partial)
        self._refuse_moving_scope_top(unit, data)
        for name, value in data.items():
            setattr(unit, name, value)
        return self._answer(unit_save(actor=request.user, unit=unit))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _refuse_moving_scope_top(self, unit: Unit, data: dict) -> None:
        # The top of an HR admin's scope hangs from a unit they do not manage.
        if self.request.user.is_superuser or unit.pk not in {u.pk for u in hr_scope_units(self.request.user)}:
            return
        errors = {}
        if "parent" in data and data["parent"] != unit.parent:
            errors["parent"] = [_("Unit teratas cakupan Anda tidak dapat dipindahkan.")]
        if "kind" in data and data["kind"] != unit.kind:
            errors["kind"] = [_("Unit teratas cakupan Anda tidak dapat diubah jenisnya.")]
        if errors:
            raise exceptions.ValidationError(errors)

    @extend_schema(summary="Deactivate a unit", tags=["organisation"], request=None,
                   responses={200: s.UnitDetailSerializer},
                   description="Sets `is_active` false (units are never deleted: history refers to them). "
                               "Idempotent. Reactivate with PATCH `{\"is_active\": true}`.")
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        unit = self.get_object()
        if unit.is_active:
            unit.is_active = False
            unit = unit_save(actor=request.user, unit=unit)
        return self._answer(unit)


# --- Employees -------------------------------------------------------------------------------

EMPLOYEE_INPUT = {"nip": "19860926 201505 1 001", "asn_type": "PNS", "name": "Ani Lestari",
                  "jabatan": "Analis Kebijakan", "position_kind": "pelaksana", "unit": 3, "supervisor": 5,
                  "placement_date": "2020-01-01", "service_start": "2015-05-01", "email": "ani@example.go.id"}
EMPLOYEE_DETAIL_EXAMPLE = {**EMPLOYEE_EXAMPLE, "disciplinary_until": None, "service_start": "2015-05-01",
                           "username": "198609262015051001"}


@extend_schema_view(
    list=extend_schema(summary="Employees in the caller's scope", tags=["organisation"],
                       examples=[OpenApiExample("Employee", value=EMPLOYEE_DETAIL_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One employee in the caller's scope", tags=["organisation"],
                           examples=[OpenApiExample("Employee", value=EMPLOYEE_DETAIL_EXAMPLE,
                                                    response_only=True)]),
    create=extend_schema(
        summary="Create an employee and their account", tags=["organisation"],
        description="The NIP / NI PPPK is checked (dates inside it, sex digit, serial) and stored without "
                    "spaces. A login account is made with `username` (default: the NIP). The supervisor must "
                    "work in the same institution; a supervisor chain that loops is refused. Audited "
                    "(`user.created`, `employee.created`).",
        responses={201: s.EmployeeDetailSerializer, 404: error_response(404)},
        examples=[OpenApiExample("New employee", value=EMPLOYEE_INPUT, request_only=True),
                  OpenApiExample("Created", value=EMPLOYEE_DETAIL_EXAMPLE, response_only=True,
                                 status_codes=["201"]), NIP_ERROR]),
    update=extend_schema(summary="Change an employee", tags=["organisation"],
                         responses={200: s.EmployeeDetailSerializer}, examples=[NIP_ERROR]),
    partial_update=extend_schema(
        summary="Change some fields of an employee", tags=["organisation"],
        responses={200: s.EmployeeDetailSerializer},
        examples=[OpenApiExample("New supervisor", value={"supervisor": 9}, request_only=True), NIP_ERROR]),
)
class EmployeeAdminViewSet(EmployeeViewSet):
    """Employees: reads for everybody in scope (org.EmployeeViewSet), writes for HR admins."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("user")

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return super().get_permissions()
        return [IsHRAdmin()]

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.EmployeeWriteSerializer
        return s.EmployeeDetailSerializer

    def _answer(self, employee: Employee, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=employee.pk)
        return Response(s.EmployeeDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = dict(_input(s.EmployeeWriteSerializer, request))
        account = {k: data.pop(k, "") for k in ("username", "email", "initial_password")}
        employee = Employee(**data)
        # Check the employee before making the account, so a taken NIP is reported on `nip`.
        employee.nip = normalize_nip(employee.nip)
        employee.full_clean(exclude=["user"])
        with transaction.atomic():  # no orphan account when the employee is refused
            username = account["username"] or employee.nip
            employee.user = account_create(actor=request.user, username=username, email=account["email"],
                                           password=account["initial_password"], unit=employee.unit)
            employee = employee_save(actor=request.user, employee=employee)
        return self._answer(employee, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        employee = self.get_object()
        data = _input(s.EmployeeWriteSerializer, request, instance=employee, partial=kwargs.get("partial", False))
        for name, value in data.items():
            setattr(employee, name, value)
        return self._answer(employee_save(actor=request.user, employee=employee))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(summary="Deactivate an employee", tags=["organisation"], request=None,
                   responses={200: s.EmployeeDetailSerializer},
                   description="Retired or moved out: the employee stops acting as staff or approver. Never "
                               "deleted (history refers to them). Idempotent; reactivate with PATCH.")
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        employee = self.get_object()
        if employee.is_active:
            employee.is_active = False
            employee = employee_save(actor=request.user, employee=employee)
        return self._answer(employee)


# --- Delegations (Plh / Plt) -------------------------------------------------------------------


class DelegationFilter(django_filters.FilterSet):
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Aktif pada"),
                                          help_text="Only delegations in force on this date (not revoked).")
    kind = django_filters.ChoiceFilter(choices=[("plh", "Plh"), ("plt", "Plt")], label=_("Jenis"))
    delegator = IdFilter(field_name="delegator_id", label=_("Pejabat yang digantikan"))
    delegate = IdFilter(field_name="delegate_id", label=_("Plh/Plt"))
    revoked = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", exclude=True,
                                           label=_("Dicabut"), help_text="true: only revoked; false: only not.")

    class Meta:
        model = Delegation
        fields = ["active_on", "kind", "delegator", "delegate", "revoked"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value) if value else queryset


DELEGATION_EXAMPLE = {
    "id": 2, "kind": "plh", "title": "Plh. Kepala Bidang P2P",
    "delegator": {"id": 5, "name": "Kepala Bidang P2P", "jabatan": "Kepala Bidang P2P"},
    "delegate": {"id": 8, "name": "Citra", "jabatan": "Analis Kebijakan Ahli Muda"},
    "start": "2026-12-07", "end": "2026-12-11", "decree_number": "800/123/DINKES/2026", "revoked_at": None,
    "created_at": "2026-12-01T09:00:00+07:00",
}


@extend_schema_view(
    list=extend_schema(summary="Plh/Plt assignments in the caller's scope", tags=["delegations"],
                       description="Assignments whose delegator (the official replaced) is in the HR admin's "
                                   "subtree. Newest start first.",
                       examples=[OpenApiExample("Plh", value=DELEGATION_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One Plh/Plt assignment", tags=["delegations"]),
    create=extend_schema(
        summary="Appoint a Plh or Plt", tags=["delegations"], request=s.DelegationWriteSerializer,
        responses={201: s.DelegationSerializer, 404: error_response(404)},
        description="A Plh covers a temporary absence, a Plt a vacant post for at most 3 months (an extension "
                    "is a new assignment). While active, the delegate decides for the delegator's reports and "
                    "the audit trail says \"Plh./Plt. <jabatan>\". Audited (`delegation.created`).",
        examples=[OpenApiExample("Plh for a week", request_only=True, value={
                      "kind": "plh", "delegator": 5, "delegate": 8, "start": "2026-12-07", "end": "2026-12-11",
                      "decree_number": "800/123/DINKES/2026"}),
                  OpenApiExample("Created", value=DELEGATION_EXAMPLE, response_only=True, status_codes=["201"]),
                  _example_400({"end": ["Plt paling lama 3 bulan; perpanjangan dicatat sebagai surat perintah "
                                        "baru."]})]),
)
class DelegationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsHRAdmin]
    serializer_class = s.DelegationSerializer
    filterset_class = DelegationFilter
    queryset = Delegation.objects.none()  # for the schema; requests use get_queryset()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        qs = Delegation.objects.select_related("delegator__unit", "delegate")
        if not self.request.user.is_superuser:
            qs = qs.filter(delegator__in=employees_visible_to(self.request.user))
        return qs.order_by("-start", "-id")

    def create(self, request, *args, **kwargs):
        delegation = delegation_save(actor=request.user,
                                     delegation=Delegation(**_input(s.DelegationWriteSerializer, request)))
        return Response(self.get_serializer(delegation).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke a Plh/Plt assignment", tags=["delegations"], request=None,
                   responses={200: s.RevokedSerializer},
                   description="Ends it now (`revoked_at`); the delegate stops deciding at once. Idempotent: "
                               "revoking again changes nothing (`changed: false`). Audited "
                               "(`delegation.revoked`).",
                   examples=[OpenApiExample("Revoked", response_only=True, value={
                       "item": {**DELEGATION_EXAMPLE, "revoked_at": "2026-12-08T10:00:00+07:00"},
                       "changed": True})])
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        delegation = self.get_object()
        changed = delegation_revoke(actor=request.user, delegation=delegation)
        return Response({"item": self.get_serializer(delegation).data, "changed": changed})


# --- HR scopes (superusers only) -------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="HR admin scopes", tags=["hr"], description="Superusers only (others: 404)."),
    retrieve=extend_schema(summary="One HR admin scope", tags=["hr"]),
    create=extend_schema(summary="Grant an HR admin scope", tags=["hr"],
                         responses={201: s.HRScopeSerializer, 404: error_response(404)},
                         description="Makes the account an HR admin over the unit and every unit below it. "
                                     "Audited (`hradminscope.created`).",
                         examples=[OpenApiExample("Grant", request_only=True, value={"user": 12, "unit": 2}),
                                   OpenApiExample("Granted", response_only=True, status_codes=["201"], value={
                                       "id": 4, "user": 12, "username": "hr_dinkes", "unit": 2,
                                       "unit_name": "Dinas Kesehatan"})]),
    destroy=extend_schema(summary="Take an HR admin scope away", tags=["hr"],
                          description="Audited (`hradminscope.deleted`)."),
)
class HRScopeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsSuperuser]
    serializer_class = s.HRScopeSerializer
    queryset = HRAdminScope.objects.select_related("user", "unit").order_by("unit__path", "user__username", "id")
    lookup_value_regex = r"\d+"

    def create(self, request, *args, **kwargs):
        data = _input(s.HRScopeSerializer, request)
        scope = hr_scope_grant(actor=request.user, user=data["user"], unit=data["unit"])
        return Response(self.get_serializer(scope).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        hr_scope_revoke(actor=self.request.user, scope=instance)


# --- Calendar overrides ----------------------------------------------------------------------


class CalendarOverrideFilter(django_filters.FilterSet):
    year = IdFilter(field_name="date__year", label=_("Tahun"), min_value=1900, max_value=2200)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("Dari tanggal"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Sampai tanggal"))
    kind = django_filters.ChoiceFilter(choices=OverrideKind.choices, label=_("Jenis"))
    institution = IdFilter(field_name="institution_id", label=_("Instansi"),
                                              help_text="Instansi id (national rows have none).")
    national = django_filters.BooleanFilter(field_name="institution", lookup_expr="isnull",
                                            label=_("Nasional"), help_text="true: only national rows.")

    class Meta:
        model = CalendarOverride
        fields = ["year", "date_from", "date_to", "kind", "institution", "national"]


OVERRIDE_EXAMPLE = {"id": 7, "institution": {"id": 1, "code": "PEMKOT", "name": "Pemerintah Kota Contoh"},
                    "date": "2026-12-24", "kind": "holiday", "name": "Hari jadi kota"}


@extend_schema_view(
    list=extend_schema(
        summary="Calendar changes that apply to the caller's scope", tags=["calendar"],
        description="National rows and those of the institutions the HR admin works in (the national "
                    "`holidays` calendar itself is not listed: these are the changes to it).",
        examples=[OpenApiExample("Local holiday", value=OVERRIDE_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One calendar change", tags=["calendar"]),
    create=extend_schema(
        summary="Add a holiday, cuti bersama, working day or FWA day", tags=["calendar"],
        request=s.CalendarOverrideSerializer,
        responses={201: s.CalendarOverrideOutSerializer, 404: error_response(404)},
        description="For an instansi (tree root) inside the caller's scope; national rows (`institution` null) "
                    "are for superusers. Moving a holiday is two rows: `working_day` on the old date, `holiday` "
                    "on the new one. Audited; day statuses up to tomorrow are recomputed after commit.",
        examples=[OpenApiExample("Local holiday", request_only=True,
                                 value={"institution": 1, "date": "2026-12-24", "kind": "holiday",
                                        "name": "Hari jadi kota"}),
                  OpenApiExample("Created", value=OVERRIDE_EXAMPLE, response_only=True, status_codes=["201"]),
                  _example_400({"date": ["Tanggal ini sudah punya penyesuaian kalender; hapus dulu yang lama."]})]),
    destroy=extend_schema(summary="Remove a calendar change", tags=["calendar"],
                          description="The day follows the national calendar again. Audited; recomputed. Rows "
                                      "the caller may read but not change (national, a parent institution's) "
                                      "answer 404."),
)
class CalendarOverrideViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsHRAdmin]
    serializer_class = s.CalendarOverrideOutSerializer
    filterset_class = CalendarOverrideFilter
    queryset = CalendarOverride.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        qs = CalendarOverride.objects.select_related("institution").order_by("date", "id")
        if self.request.user.is_superuser:
            return qs
        roots = {u.ancestor_ids[0] for u in hr_scope_units(self.request.user)}
        return qs.filter(Q(institution__isnull=True) | Q(institution_id__in=roots))

    def create(self, request, *args, **kwargs):
        override = calendar_override_save(actor=request.user,
                                          override=CalendarOverride(**_input(s.CalendarOverrideSerializer, request)))
        return Response(self.get_serializer(override).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        override = self.get_object()  # readable; the service 404s a row the caller may not change
        calendar_override_delete(actor=request.user, override=override)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- People import ---------------------------------------------------------------------------

IMPORT_REPORT_EXAMPLE = {"kind": "employees", "dry_run": True, "committed": False, "rows": 3, "created": 2,
                         "updated": 1, "unchanged": 0,
                         "errors": [{"row": 3, "column": "nip", "message": "NIP harus 18 digit; yang diisi 17 digit."}]}


UNSUPPORTED_MEDIA = OpenApiResponse(
    ErrorSerializer, description="The body is not multipart/form-data (or cannot be read as such).",
    examples=[OpenApiExample("415 unsupported_media_type", response_only=True, status_codes=["415"], value=error_body(
        status_code=415, code="unsupported_media_type", message="Jenis isi permintaan tidak didukung."))])


class PeopleImportView(APIView):
    permission_classes = [IsHRAdmin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="Columns of the import files", tags=["hr"],
                   responses={200: s.ImportColumnsSerializer, 404: error_response(404)},
                   description="Header names of the units and employees files, which are required, and what "
                               "each holds (in the request language).")
    def get(self, request):
        body = {kind: [{"name": c.name, "required": c.required, "help": str(c.help)} for c in columns]
                for kind, columns in COLUMNS.items()}
        return Response(s.ImportColumnsSerializer(body).data)

    @extend_schema(
        summary="Import units or employees from CSV/XLSX", tags=["hr"], request=s.ImportRequestSerializer,
        responses={200: s.ImportResultSerializer, 404: error_response(404), 415: UNSUPPORTED_MEDIA},
        description="All or nothing. With `dry_run` (the default) every row is checked and nothing is saved; "
                    "without it the rows are written only if every row is valid (`committed: true`). Either "
                    "way the answer is the per-row report; rows are upserted by unit `code` / employee `nip`; "
                    "row numbers are spreadsheet rows (header = 1). Only units and people inside the caller's "
                    "scope may be touched. A file refused as a whole (type, size, no header) is a 400 on "
                    "`file`.",
        examples=[OpenApiExample("Report", value=IMPORT_REPORT_EXAMPLE, response_only=True),
                  _example_400({"file": ["Hanya berkas CSV (.csv) atau Excel (.xlsx) yang diterima."]})],
    )
    def post(self, request):
        data = _input(s.ImportRequestSerializer, request)
        try:
            result = people_import(actor=request.user, kind=data["kind"], upload=data["file"],
                                   dry_run=data["dry_run"], initial_password=data["initial_password"])
        except ImportFileError as exc:
            raise exceptions.ValidationError({"file": [str(exc)]}) from None
        body = {**{k: getattr(result, k) for k in ("kind", "dry_run", "committed", "rows", "created", "updated",
                                                    "unchanged")},
                "errors": [{"row": e.row, "column": e.column, "message": str(e.message)} for e in result.errors]}
        return Response(s.ImportResultSerializer(body).data)


# --- Supervisor data check -------------------------------------------------------------------


@extend_schema_view(get=extend_schema(
    summary="Employees whose supervisor data is wrong", tags=["hr"], parameters=[s.IssueQuerySerializer],
    description="Active employees in scope with no supervisor (except the head of an instansi), an inactive "
                "supervisor, a supervisor in another institution, or a supervisor chain that loops. In tree "
                "order; `?issue=` narrows to one kind. Fix them with PATCH /api/v1/employees/{id}/.",
    responses={200: s.SupervisorIssueSerializer(many=True), 400: error_response(400)},
    examples=[OpenApiExample("Issue", response_only=True, value={
        "employee": {"id": 9, "nip": "199001012015031002", "nip_display": "19900101 201503 1 002",
                     "name": "Dedi", "jabatan": "Pengelola Data", "unit": {"id": 3, "code": "DINKES-P2P",
                                                                           "name": "Bidang P2P"},
                     "supervisor": None},
        "issues": ["none"], "labels": ["Belum ada atasan langsung"]})],
))
class SupervisorCheckView(generics.ListAPIView):
    permission_classes = [IsHRAdmin]
    serializer_class = s.SupervisorIssueSerializer
    filter_backends: list = []

    def get_queryset(self):
        query = s.IssueQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        issues = supervisor_issues(self.request.user)
        wanted = query.validated_data.get("issue")
        return [i for i in issues if wanted in i.issues] if wanted else issues

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        employees = Employee.objects.select_related("unit", "supervisor__unit").in_bulk(
            [i.employee_id for i in page])
        rows = [{"employee": employees[i.employee_id], "issues": i.issues,
                 "labels": [str(ISSUE_LABELS[key]) for key in i.issues]} for i in page]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


# --- Audit log --------------------------------------------------------------------------------


AUDIT_CURSORS = ("older", "newer")


@extend_schema_view(get=extend_schema(
    summary="Audit trail of the caller's scope", tags=["hr"],
    description="Every change made in the HR admin's subtree (superusers: everything), newest first, with "
                "who did it, on whose behalf (Plh/Plt), the values before and after, and the event as a "
                "sentence in the request language. The same read as the page /hr/audit/. Pages by cursor "
                "(`next`/`previous`), without a count: the trail can hold millions of events.",
    parameters=[s.AuditQuerySerializer], responses={200: s.AuditPageSerializer},
    examples=[OpenApiExample("A supervisor changed", response_only=True, value={
        "next": "https://portal.example/api/v1/hr/audit/?older=310", "previous": None, "results": [{
            "id": 311, "at": "2026-12-01T02:12:30Z", "local_time": "2026-12-01T09:12:30+07:00",
            "time_zone": "WIB", "actor": "hr_dinkes", "actor_name": "Sri Wahyuni", "actor_nip": "",
            "acting_for": "", "acting": "", "verb": "employee.updated", "verb_label": "Data pegawai diubah",
            "sentence": "Sri Wahyuni mengubah data pegawai Ani Lestari (NIP 19860926 201505 2 001)",
            "object_type": "portal.employee", "object_id": "97",
            "object_repr": "Ani Lestari (198609262015052001)",
            "object_words": "Ani Lestari (NIP 19860926 201505 2 001)",
            "unit": {"id": 3, "code": "DINKES-P2P", "name": "Bidang P2P"},
            "before": {"supervisor_id": 5}, "after": {"supervisor_id": 6}}]})],
))
class AuditEventListView(generics.GenericAPIView):
    permission_classes = [IsHRAdmin]
    serializer_class = s.AuditEventSerializer
    pagination_class = None  # a keyset page from the selector, as on the page
    filter_backends: list = []

    def get(self, request, *args, **kwargs):
        query = s.AuditQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        unit = None
        if data.get("unit"):
            unit = units_visible_to(request.user).filter(pk=data["unit"]).first()
            if unit is None:  # outside the scope, or no such unit: nothing of it to show
                return Response({"next": None, "previous": None, "results": []})
        filters = AuditFilters(person=data.get("person", ""), unit=unit, verb=data.get("verb", ""),
                               object_type=data.get("object_type", ""), object_id=data.get("object_id", ""),
                               actor_username=data.get("actor", ""), date_from=data.get("date_from"),
                               date_to=data.get("date_to"))
        page = audit_page(request.user, filters, older=data.get("older"), newer=data.get("newer"),
                          size=data.get("page_size") or PAGE_SIZE)
        return Response({"next": self._link(request, "older", page.older),
                         "previous": self._link(request, "newer", page.newer),
                         "results": self.get_serializer(page.rows, many=True).data})

    @staticmethod
    def _link(request, cursor: str, value: int | None) -> str | None:
        if value is None:
            return None
        url = request.build_absolute_uri()
        for name in AUDIT_CURSORS:
            url = remove_query_param(url, name)
        return replace_query_param(url, cursor, value)

