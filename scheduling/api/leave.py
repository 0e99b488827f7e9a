"""Leave API: an institution's leave settings and kind rules (HR over the institution), an employee's
cuti tahunan with its openings and adjustments (HR in scope; the employee their own at ``leave/me/``),
and HR's writes of openings and adjustments.

The same selectors and services as the HR pages (:mod:`scheduling.selectors.leave_hr`,
:mod:`scheduling.services.leave`, :mod:`scheduling.services.leave_hr`): the services validate, so a
refusal here carries the page's messages in the JSON error envelope. Out of scope is 404.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import error_body
from portal.api.permissions import IsHRAdmin
from portal.api.schema import error_response
from portal.api.serializers import UnitRefSerializer
from portal.forms import MAX_YEAR, MIN_YEAR
from portal.models import Employee, Unit
from portal.selectors import current_employee, employees_visible_to
from scheduling.models import DocumentRule, Kind, LeaveAdjustment, LeaveOpening
from scheduling.selectors import leave
from scheduling.selectors.leave_hr import employee_leave, leave_institution_rows, leave_institutions_for
from scheduling.services.leave import leave_adjust, leave_opening_set
from scheduling.services.leave_hr import KEEP, KindRuleInput, LeaveSetupRefused, leave_setup_save

DAYS_BOUND = 1000  # only what a column holds; the services say what is allowed and why


def _bad_request(fields: dict) -> OpenApiExample:
    return OpenApiExample("400 invalid", response_only=True, status_codes=["400"],
                          value=error_body(status_code=400, code="invalid", message="Data yang dikirim tidak valid.",
                                           fields=fields))


def _refused(exc: LeaveSetupRefused, rule_prefix: dict[str, str] | None = None) -> DRFValidationError:
    return DRFValidationError(exc.as_fields(rule_prefix))


# --- Shapes ---------------------------------------------------------------------------------------


class LeavePersonSerializer(serializers.ModelSerializer):
    nip_display = serializers.CharField(read_only=True)

    class Meta:
        model = Employee
        fields = ["id", "nip", "nip_display", "name", "jabatan"]
        read_only_fields = fields


class LeaveSettingsSerializer(serializers.Serializer):
    """An institution's leave administration (:class:`scheduling.selectors.leave.InstitutionLeave`)."""

    institution = UnitRefSerializer()
    official = LeavePersonSerializer(allow_null=True, help_text="The pejabat yang berwenang memberikan cuti HR named; "
                                                           "null = none (the head of the institution decides).")
    grantor = LeavePersonSerializer(allow_null=True, help_text="Who decides now: the official if active, else the "
                                                          "active head; null = nobody, leave stops at the "
                                                          "atasan langsung (default rules) or is refused.")
    first_year = serializers.IntegerField(help_text="First year the portal keeps cuti tahunan balances for.")
    editable = serializers.BooleanField(required=False, help_text="The caller may change these settings.")


class LeaveSettingsInputSerializer(serializers.Serializer):
    official = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.none(), allow_null=True, required=False,
        help_text="Employee id in the institution; null = none (the head decides). Left out: unchanged.")
    first_year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR,
                                          help_text="First year of balances kept by the portal.")

    def __init__(self, *args, institution: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if institution is not None:  # the schema builds it without one
            self.fields["official"].queryset = Employee.objects.in_subtree(institution)


class KindRuleSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    kind_label = serializers.CharField()
    needs_official = serializers.BooleanField(help_text="The official decides after the atasan langsung.")
    document = serializers.ChoiceField(choices=DocumentRule.choices,
                                       help_text="none, after_first_day (more than one day) or always.")
    document_label = serializers.CharField(allow_blank=True, help_text="The document, e.g. Surat keterangan dokter.")
    configured = serializers.BooleanField(help_text="False: the institution uses the default rule.")


class KindRuleInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    needs_official = serializers.BooleanField(help_text="Only cuti kinds (CT, CB, CS, CM, CAP, CLTN).")
    document = serializers.ChoiceField(choices=DocumentRule.choices)
    document_label = serializers.CharField(allow_blank=True, required=False, default="", max_length=1000,
                                           help_text="Required unless document is none (at most 120 characters).")


class KindRulesInputSerializer(serializers.Serializer):
    rules = serializers.ListField(child=KindRuleInputSerializer(), allow_empty=False, max_length=len(Kind),
                                  help_text="The kinds to set; kinds left out keep their rule.")

    def validate_rules(self, rules):
        kinds = [r["kind"] for r in rules]
        if len(set(kinds)) != len(kinds):
            raise serializers.ValidationError(_("Setiap jenis hanya boleh muncul sekali."))
        return rules


class YearBalanceSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    entitlement = serializers.IntegerField(help_text="Days the year brings (12; 0 before a year of service or in "
                                                     "a year of cuti besar).")
    carried = serializers.IntegerField(help_text="Unused days of last year carried (PNS only, PP 11/2017 Pasal 313).")
    opening = serializers.IntegerField(allow_null=True, help_text="HR's opening; replaces entitlement + carried.")
    adjustments = serializers.IntegerField(help_text="Sum of HR's adjustments of the year.")
    available = serializers.IntegerField()
    used = serializers.IntegerField(help_text="CT days approved or waiting for a decision.")
    remaining = serializers.IntegerField()


class OpeningSerializer(serializers.ModelSerializer):
    set_by = serializers.CharField(source="set_by.username", read_only=True)

    class Meta:
        model = LeaveOpening
        fields = ["year", "days", "note", "set_by", "set_at"]
        read_only_fields = fields


class AdjustmentSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = LeaveAdjustment
        fields = ["id", "year", "days", "reason", "created_by", "created_at"]
        read_only_fields = fields


class EmployeeLeaveSerializer(serializers.Serializer):
    """One employee's cuti tahunan (:class:`scheduling.selectors.leave_hr.EmployeeLeave`)."""

    employee = LeavePersonSerializer()
    service_start = serializers.DateField(allow_null=True, help_text="TMT CPNS / PPPK; null = not recorded.")
    service_years = serializers.IntegerField(allow_null=True)
    this_year = serializers.IntegerField()
    years = YearBalanceSerializer(many=True, help_text="Newest first.")
    openings = serializers.SerializerMethodField()
    adjustments = AdjustmentSerializer(many=True)

    @extend_schema_field(OpeningSerializer(many=True))
    def get_openings(self, data) -> list[dict]:
        return OpeningSerializer(list(data.openings.values()), many=True).data


class OpeningInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    days = serializers.IntegerField(min_value=-DAYS_BOUND, max_value=DAYS_BOUND,
                                    help_text="Cuti tahunan at the start of the year, carry-over included (0–48).")
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=1000)


class AdjustmentInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    days = serializers.IntegerField(min_value=-DAYS_BOUND, max_value=DAYS_BOUND,
                                    help_text="Positive adds, negative removes; never below what is used.")
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=1000,
                                   help_text="Required (at most 255 characters).")


# --- Views: institutions ----------------------------------------------------------------------------

SETTINGS_EXAMPLE = {
    "institution": {"id": 1, "code": "PEMKOT", "name": "Pemerintah Kota Contoh"},
    "official": {"id": 12, "nip": "197001011995031001", "nip_display": "19700101 199503 1 001",
                 "name": "Sekretaris Daerah", "jabatan": "Sekretaris Daerah"},
    "grantor": {"id": 12, "nip": "197001011995031001", "nip_display": "19700101 199503 1 001",
                "name": "Sekretaris Daerah", "jabatan": "Sekretaris Daerah"},
    "first_year": 2026, "editable": True,
}
KIND_RULE_EXAMPLE = {"kind": "CS", "kind_label": "Cuti sakit", "needs_official": True, "document": "after_first_day",
                     "document_label": "Surat keterangan dokter", "configured": False}


def _institution(request, pk: int) -> Unit:
    return get_object_or_404(leave_institutions_for(request.user).select_related("head"), pk=pk)


def _settings_body(institution: Unit, editable: bool = True) -> dict:
    now = leave.institution_leave(institution)
    return {"institution": institution, "official": now.official, "grantor": now.grantor,
            "first_year": now.first_year, "editable": editable}


class LeaveInstitutionListView(APIView):
    permission_classes = [IsHRAdmin]

    @extend_schema(summary="Leave settings of the institutions in the caller's scope", tags=["leave"],
                   responses={200: LeaveSettingsSerializer(many=True)},
                   description="Institutions the caller may set (`editable`), then those above a scope that lies "
                               "inside an institution (read only), as on the page \"Pengaturan cuti\".",
                   examples=[OpenApiExample("Settings", value=[SETTINGS_EXAMPLE], response_only=True)])
    def get(self, request):
        rows = leave_institution_rows(request.user)
        body = [{"institution": r.institution, "official": r.leave.official, "grantor": r.leave.grantor,
                 "first_year": r.leave.first_year, "editable": r.editable} for r in rows]
        return Response(LeaveSettingsSerializer(body, many=True).data)


class LeaveSettingsView(APIView):
    permission_classes = [IsHRAdmin]

    @extend_schema(summary="Leave settings of an institution", tags=["leave"],
                   responses={200: LeaveSettingsSerializer, 404: error_response(404)},
                   description="The pejabat yang berwenang memberikan cuti, who decides now, and the first year "
                               "of balances. For HR whose scope holds the institution (a tree root); else 404.",
                   examples=[OpenApiExample("Settings", value=SETTINGS_EXAMPLE, response_only=True)])
    def get(self, request, pk: int):
        return Response(LeaveSettingsSerializer(_settings_body(_institution(request, pk))).data)

    @extend_schema(
        summary="Set the official and the first year of an institution", tags=["leave"],
        request=LeaveSettingsInputSerializer, responses={200: LeaveSettingsSerializer, 404: error_response(404)},
        description="`official` must be an active employee of the institution (null: the head decides). Audited "
                    "(`leave_settings.saved`); an unchanged value writes nothing.",
        examples=[OpenApiExample("Set", value={"official": 12, "first_year": 2026}, request_only=True),
                  _bad_request({"official": ["Pejabat harus pegawai aktif di instansi ini."]})])
    def put(self, request, pk: int):
        institution = _institution(request, pk)
        data = _valid(LeaveSettingsInputSerializer(data=request.data, institution=institution))
        try:
            leave_setup_save(actor=request.user, institution=institution, official=data.get("official", KEEP),
                             first_year=data["first_year"])
        except LeaveSetupRefused as exc:
            raise _refused(exc) from None
        return Response(LeaveSettingsSerializer(_settings_body(institution)).data)


class KindRulesView(APIView):
    permission_classes = [IsHRAdmin]

    @extend_schema(summary="Every kind's decision chain and document in an institution", tags=["leave"],
                   responses={200: KindRuleSerializer(many=True), 404: error_response(404)},
                   examples=[OpenApiExample("Rules", value=[KIND_RULE_EXAMPLE], response_only=True)])
    def get(self, request, pk: int):
        return Response(KindRuleSerializer(leave.kind_settings(_institution(request, pk)), many=True).data)

    @extend_schema(
        summary="Set kinds' decision chains and documents", tags=["leave"], request=KindRulesInputSerializer,
        responses={200: KindRuleSerializer(many=True), 404: error_response(404)},
        description="All or nothing: each changed rule is saved and audited (`kind_rule.saved`); one refused rule "
                    "saves none, and its errors come back as `rules.<index>.<field>`. Only cuti kinds may need "
                    "the official, and only when someone can decide (an active official or head); a document "
                    "rule other than none needs its label.",
        examples=[OpenApiExample("Set", request_only=True, value={"rules": [
                      {"kind": "CS", "needs_official": True, "document": "after_first_day",
                       "document_label": "Surat keterangan dokter"}]}),
                  _bad_request({"rules.0.document_label": ["Sebutkan nama dokumennya, mis. Surat keterangan "
                                                           "dokter."]})])
    def put(self, request, pk: int):
        institution = _institution(request, pk)
        data = _valid(KindRulesInputSerializer(data=request.data))
        rules = [KindRuleInput(r["kind"], r["needs_official"], r["document"], r["document_label"])
                 for r in data["rules"]]
        try:
            leave_setup_save(actor=request.user, institution=institution, rules=rules)
        except LeaveSetupRefused as exc:
            raise _refused(exc, {r.kind: f"rules.{i}" for i, r in enumerate(rules)}) from None
        return Response(KindRuleSerializer(leave.kind_settings(institution), many=True).data)


def _valid(serializer: serializers.Serializer) -> dict:
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Views: balances ------------------------------------------------------------------------------

BALANCE_EXAMPLE = {
    "employee": {"id": 7, "nip": "198609262015051001", "nip_display": "19860926 201505 1 001",
                 "name": "Ani Lestari", "jabatan": "Analis Kebijakan"},
    "service_start": "2015-05-01", "service_years": 11, "this_year": 2026,
    "years": [{"year": 2026, "entitlement": 12, "carried": 0, "opening": 14, "adjustments": 1, "available": 15,
               "used": 6, "remaining": 9}],
    "openings": [{"year": 2026, "days": 14, "note": "Buku cuti 2025", "set_by": "hr_dinkes",
                  "set_at": "2026-01-05T09:00:00+07:00"}],
    "adjustments": [{"id": 3, "year": 2026, "days": 1, "reason": "Bertugas pada cuti bersama 24 Desember",
                     "created_by": "hr_dinkes", "created_at": "2026-12-28T10:00:00+07:00"}],
}


def _employee(request, pk: int) -> Employee:
    return get_object_or_404(employees_visible_to(request.user).select_related("unit"), pk=pk)


def _balance(employee: Employee, code=status.HTTP_200_OK) -> Response:
    return Response(EmployeeLeaveSerializer(employee_leave(employee)).data, status=code)


class EmployeeLeaveView(APIView):
    permission_classes = [IsHRAdmin]

    @extend_schema(summary="An employee's cuti tahunan, openings and adjustments", tags=["leave"],
                   responses={200: EmployeeLeaveSerializer, 404: error_response(404)},
                   description="Every year the portal keeps (newest first) with what it brings, carries, HR's "
                               "opening and adjustments, what is used or asked, and what remains. HR in scope.",
                   examples=[OpenApiExample("Balance", value=BALANCE_EXAMPLE, response_only=True)])
    def get(self, request, pk: int):
        return _balance(_employee(request, pk))


class LeaveOpeningView(APIView):
    permission_classes = [IsHRAdmin]

    @extend_schema(
        summary="Set an employee's opening cuti tahunan of a year", tags=["leave"], request=OpeningInputSerializer,
        responses={201: EmployeeLeaveSerializer, 404: error_response(404)},
        description="Replaces what the rules compute for that year (entitlement and carry-over). Not for a "
                    "year that has not begun, nor below what is already used or asked. Audited "
                    "(`leave_opening.set`). Answers the employee's balance.",
        examples=[OpenApiExample("Opening", value={"year": 2026, "days": 14, "note": "Buku cuti 2025"},
                                 request_only=True),
                  _bad_request({"year": ["Tahun antara 2000 dan 2026: saldo tahun yang belum tiba belum dapat "
                                         "ditetapkan."]})])
    def post(self, request, pk: int):
        employee = _employee(request, pk)
        data = _valid(OpeningInputSerializer(data=request.data))
        leave_opening_set(actor=request.user, employee=employee, **data)
        return _balance(employee, status.HTTP_201_CREATED)


class LeaveAdjustmentView(APIView):
    permission_classes = [IsHRAdmin]

    @extend_schema(
        summary="Adjust an employee's cuti tahunan of a year, with a reason", tags=["leave"],
        request=AdjustmentInputSerializer, responses={201: EmployeeLeaveSerializer, 404: error_response(404)},
        description="E.g. +1 for a cuti bersama worked through (PP 11/2017 Pasal 333 ayat 3). The balance never "
                    "goes below zero. Audited (`leave.adjusted`). Answers the employee's balance.",
        examples=[OpenApiExample("Adjust", request_only=True,
                                 value={"year": 2026, "days": 1, "reason": "Bertugas pada cuti bersama"}),
                  _bad_request({"days": ["Saldo 2026 tidak boleh di bawah nol: hak 12 hari, terpakai atau "
                                         "diajukan 10, sisa 2; pengurangan paling banyak 2 hari."]})])
    def post(self, request, pk: int):
        employee = _employee(request, pk)
        data = _valid(AdjustmentInputSerializer(data=request.data))
        leave_adjust(actor=request.user, employee=employee, **data)
        return _balance(employee, status.HTTP_201_CREATED)


class MyLeaveView(APIView):
    @extend_schema(summary="The caller's own cuti tahunan", tags=["leave"],
                   responses={200: EmployeeLeaveSerializer, 404: error_response(404)},
                   description="As on \"Cuti saya\": for active employees; accounts without one get 404.",
                   examples=[OpenApiExample("Balance", value=BALANCE_EXAMPLE, response_only=True)])
    def get(self, request):
        return _balance(current_employee(request.user))
