"""Shapes of the HR API: writes of units and employees, Plh/Plt, HR scopes, calendar
overrides, people import, supervisor check, audit log.

Shape only. Every id the caller sends is looked up inside their scope, so an object
outside it is "does not exist", exactly like a missing one (nothing leaks); the rules
themselves (NIP, cycles, Plt length, ...) are the services'.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api import fields
from portal.api.filters import MAX_ID
from portal.api.serializers import EmployeeSerializer, UnitRefSerializer, UnitSerializer
from portal.models import (
    CalendarOverride,
    Delegation,
    DelegationKind,
    Employee,
    HRAdminScope,
    OverrideKind,
    Unit,
    User,
)
from portal.models.org import RecordsEndReason
from portal.selectors import employees_visible_to, hr_scope_units, units_visible_to
from portal.services.calendar import institutions_writable_by
from portal.services.people_import import KIND_EMPLOYEES, KIND_UNITS

MAX_IMPORT_PASSWORD = 128


def _user(serializer) -> object:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def institution_employees(user):
    """Employees of the whole institutions of ``user``'s HR scopes (all for a superuser).

    A supervisor, unit head or Plh/Plt may sit above the HR admin's subtree (a head of dinas
    reports to the sekda), so these choices widen to the institution, never beyond.
    """
    if getattr(user, "is_superuser", False):
        return Employee.objects.all()
    q = Q(pk__in=[])
    for unit in hr_scope_units(user):
        q |= Q(unit__path__startswith=f"/{unit.ancestor_ids[0]}/")
    return Employee.objects.filter(q)


class ScopedChoicesMixin:
    """Cuts the querysets of related fields to the caller: ``scoped_fields`` maps a field
    name to a function of the user returning the allowed queryset."""

    scoped_fields: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        for name, allowed in self.scoped_fields.items():
            if name in self.fields:
                self.fields[name].queryset = allowed(user) if user is not None else Unit.objects.none()


def _required() -> list:
    return [serializers.Field.default_error_messages["required"]]


# --- Units ---------------------------------------------------------------------------------


class UnitWriteSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    """A unit to create or change. Only superusers create an instansi (no parent)."""

    attendance_from = fields.DateField(required=False, allow_null=True,
                                       help_text="Instansi only: the go-live date; no day status before it.")
    parent = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none(), allow_null=True, required=False,
                                                help_text="Parent unit id, inside the caller's scope.")
    head = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.none(), allow_null=True, required=False,
                                              help_text="Employee id of the unit head (same institution).")
    hr_office = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(), allow_null=True, required=False,
        help_text="Instansi only: the unit whose head signs attendance reports (BKPSDM / Biro SDM).")
    scoped_fields = {"parent": units_visible_to, "head": institution_employees, "hr_office": units_visible_to}

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "parent", "time_zone", "head", "address", "latitude", "longitude",
                  "radius_m", "attendance_from", "hr_office", "is_active"]
        extra_kwargs = {"code": {"validators": []}}  # uniqueness is the service's (full_clean)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A PUT may resend the current parent even when it is above the caller's scope.
        if self.instance is not None and self.instance.parent_id:
            field = self.fields["parent"]
            field.queryset = field.queryset | Unit.objects.filter(pk=self.instance.parent_id)

    def validate(self, attrs):
        user = _user(self)
        creating = self.instance is None
        if creating and not getattr(user, "is_superuser", False) and attrs.get("parent") is None:
            raise serializers.ValidationError({"parent": _required()})
        parent = attrs["parent"] if "parent" in attrs else getattr(self.instance, "parent", None)
        if attrs.get("attendance_from") and parent is not None:
            raise serializers.ValidationError(
                {"attendance_from": [_("Tanggal mulai presensi hanya diisi untuk instansi.")]})
        if attrs.get("hr_office") and parent is not None:
            raise serializers.ValidationError(
                {"hr_office": [_("Unit kepegawaian hanya diisi untuk instansi.")]})
        return attrs


class UnitDetailSerializer(UnitSerializer):
    """A unit as HR sees it: :class:`UnitSerializer` plus the institution's go-live date."""

    attendance_from = fields.DateField(read_only=True, allow_null=True,
                                       help_text="Instansi: the go-live date (no day status before it); null "
                                                 "elsewhere or when unset.")

    hr_office = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                                   help_text="Instansi: the unit whose head signs reports.")

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "attendance_from", "hr_office"]
        read_only_fields = fields


# --- Employees -----------------------------------------------------------------------------


RECORDS_HELP = {
    "records_start": "TMT at the institution: the first day attendance is counted; null = since the "
                     "institution's go-live.",
    "records_end": "The last day attendance is counted (retired, moved out, died); null = still counted.",
    "records_end_reason": "pensiun, mutasi_keluar, meninggal, berhenti or lainnya; only with records_end.",
    "service_start": "TMT CPNS / PPPK: the start of service, which decides cuti tahunan (after 1 year), cuti "
                     "besar and CLTN (after 5 years); null = not recorded.",
}


class EmployeeDetailSerializer(EmployeeSerializer):
    disciplinary_until = fields.DateField(read_only=True, allow_null=True)
    username = serializers.CharField(source="user.username", read_only=True, help_text="Login account.")
    records_start = fields.DateField(read_only=True, allow_null=True, help_text=RECORDS_HELP["records_start"])
    records_end = fields.DateField(read_only=True, allow_null=True, help_text=RECORDS_HELP["records_end"])
    records_end_reason = serializers.ChoiceField(choices=RecordsEndReason.choices, read_only=True,
                                                 allow_blank=True, help_text=RECORDS_HELP["records_end_reason"])
    service_start = fields.DateField(read_only=True, allow_null=True, help_text=RECORDS_HELP["service_start"])

    class Meta(EmployeeSerializer.Meta):
        fields = [*EmployeeSerializer.Meta.fields, "disciplinary_until", "service_start", "records_start",
                  "records_end", "records_end_reason", "username"]
        read_only_fields = fields


class EmployeeWriteSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    """An employee to create or change. ``username``/``email``/``initial_password`` only
    on create: the new account's username defaults to the NIP and, without an initial
    password, it has none usable until the employee resets it."""

    nip = serializers.CharField(max_length=40, label=_("NIP / NI PPPK"),
                                help_text="18 digits; grouping spaces allowed ('19860926 201505 1 001').")
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.none(), help_text="Unit id in scope.")
    supervisor = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.none(), allow_null=True,
                                                    required=False, help_text="Employee id (same institution).")
    username = serializers.CharField(max_length=150, required=False, write_only=True, allow_blank=True,
                                     help_text="Only on create; default: the NIP.")
    email = serializers.EmailField(required=False, write_only=True, allow_blank=True, help_text="Only on create.")
    initial_password = serializers.CharField(max_length=MAX_IMPORT_PASSWORD, required=False, write_only=True,
                                             allow_blank=True, trim_whitespace=False,
                                             style={"input_type": "password"}, help_text="Only on create.")
    records_start = fields.DateField(required=False, allow_null=True, help_text=RECORDS_HELP["records_start"])
    records_end = fields.DateField(required=False, allow_null=True, help_text=RECORDS_HELP["records_end"])
    records_end_reason = serializers.ChoiceField(choices=RecordsEndReason.choices, required=False, allow_blank=True,
                                                 help_text=RECORDS_HELP["records_end_reason"])
    service_start = fields.DateField(required=False, allow_null=True, help_text=RECORDS_HELP["service_start"])
    scoped_fields = {"unit": units_visible_to, "supervisor": institution_employees}

    class Meta:
        model = Employee
        fields = ["nip", "asn_type", "name", "jabatan", "position_kind", "unit", "supervisor", "placement_date",
                  "service_start", "disciplinary_until", "records_start", "records_end", "records_end_reason",
                  "is_active", "username", "email", "initial_password"]

    def validate_initial_password(self, value):
        if value:
            try:
                validate_password(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from None
        return value

    def validate(self, attrs):
        if self.instance is not None:
            account = [name for name in ("username", "email", "initial_password") if name in attrs]
            if account:
                raise serializers.ValidationError(
                    {name: [_("Hanya dapat diisi saat membuat pegawai baru.")] for name in account})
        return attrs


# --- Delegations ---------------------------------------------------------------------------


class DelegationPersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Employee
        fields = ["id", "name", "jabatan"]


class DelegationSerializer(serializers.ModelSerializer):
    # Plain string on output: one enum component per choice set keeps the schema's names clean.
    kind = serializers.CharField(read_only=True, help_text="`plh` or `plt`.")
    title = serializers.CharField(source="acting_title", read_only=True,
                                  help_text='As written in the audit trail, "Plh. <jabatan>".')
    delegator = DelegationPersonSerializer(read_only=True)
    delegate = DelegationPersonSerializer(read_only=True)

    class Meta:
        model = Delegation
        fields = ["id", "kind", "title", "delegator", "delegate", "start", "end", "decree_number", "revoked_at",
                  "created_at"]
        read_only_fields = fields


class DelegationWriteSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    # Short labels: a choice set of its own in the schema (ActingFor on /me/ has DelegationKind's).
    kind = serializers.ChoiceField(choices=[(DelegationKind.PLH, "Plh"), (DelegationKind.PLT, "Plt")],
                                   help_text="plh (covers a temporary absence) or plt (a vacant post).")
    delegator = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.none(),
                                                   help_text="The official replaced (employee id in scope).")
    delegate = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.none(),
                                                  help_text="The Plh/Plt (employee id, same institution).")
    scoped_fields = {"delegator": employees_visible_to, "delegate": institution_employees}

    class Meta:
        model = Delegation
        fields = ["kind", "delegator", "delegate", "start", "end", "decree_number"]


class RevokedSerializer(serializers.Serializer):
    item = DelegationSerializer()
    changed = serializers.BooleanField(help_text="False when it was already revoked.")


# --- HR scopes (superusers) -----------------------------------------------------------------


class HRScopeSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), help_text="Account id.")
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), help_text="Top unit of the scope.")
    username = serializers.CharField(source="user.username", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = HRAdminScope
        fields = ["id", "user", "username", "unit", "unit_name"]
        read_only_fields = ["id"]
        validators: list = []  # the duplicate check is the service's, as a field error


# --- Calendar overrides ---------------------------------------------------------------------


class CalendarOverrideSerializer(ScopedChoicesMixin, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=OverrideKind.choices)
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(), allow_null=True, required=False,
        help_text="Instansi (tree root) id; null = national (superusers only).")
    scoped_fields = {"institution": institutions_writable_by}

    class Meta:
        model = CalendarOverride
        fields = ["id", "institution", "date", "kind", "name"]
        read_only_fields = ["id"]
        validators: list = []  # one row per day: the service answers it as a `date` field error

    def validate(self, attrs):
        if attrs.get("institution") is None and not getattr(_user(self), "is_superuser", False):
            raise serializers.ValidationError({"institution": _required()})
        return attrs


class CalendarOverrideOutSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="holiday, cuti_bersama, working_day or fwa_day.")
    institution = UnitRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CalendarOverride
        fields = ["id", "institution", "date", "kind", "name"]
        read_only_fields = fields


# --- People import --------------------------------------------------------------------------


class ImportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(KIND_UNITS, _("Unit kerja")), (KIND_EMPLOYEES, _("Pegawai"))],
                                   label=_("Jenis data"))
    file = serializers.FileField(label=_("Berkas CSV atau XLSX"), max_length=255,
                                 help_text="A .csv (UTF-8) or .xlsx file whose first row names the columns.")
    dry_run = serializers.BooleanField(default=True, help_text="true (default): check every row, save nothing.")
    initial_password = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False,
                                             max_length=MAX_IMPORT_PASSWORD,
                                             help_text="Initial password of new accounts; empty = none usable.")


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Spreadsheet row number; the header is row 1.")
    column = serializers.CharField()
    message = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    dry_run = serializers.BooleanField()
    committed = serializers.BooleanField(help_text="True only when the rows were written (all valid, not a dry run).")
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = ImportRowErrorSerializer(many=True, help_text="Every problem found; any error means nothing was written.")


class ImportColumnSerializer(serializers.Serializer):
    name = serializers.CharField()
    required = serializers.BooleanField()
    help = serializers.CharField()


class ImportColumnsSerializer(serializers.Serializer):
    units = ImportColumnSerializer(many=True)
    employees = ImportColumnSerializer(many=True)


# --- Supervisor check and audit -------------------------------------------------------------


class IssueQuerySerializer(serializers.Serializer):
    issue = serializers.ChoiceField(choices=["none", "inactive", "other_institution", "cycle"], required=False,
                                    help_text="Only employees with this issue.")


class CheckedSupervisorSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)

    class Meta:
        model = Employee
        fields = ["id", "name", "nip", "is_active", "unit"]


class CheckedEmployeeSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    supervisor = CheckedSupervisorSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Employee
        fields = ["id", "nip", "nip_display", "name", "jabatan", "unit", "supervisor"]


class SupervisorIssueSerializer(serializers.Serializer):
    employee = CheckedEmployeeSerializer()
    issues = serializers.ListField(child=serializers.ChoiceField(
        choices=["none", "inactive", "other_institution", "cycle"]))
    labels = serializers.ListField(child=serializers.CharField(), help_text="The issues in the request language.")


class AuditQuerySerializer(serializers.Serializer):
    """The audit trail's filters and its page cursor (the page /hr/audit/ takes the same)."""

    person = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                   help_text="A name (every word) or NIP (its start): events done by that person "
                                             "or about them (their requests, punches, employee record).")
    unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                    help_text="Events of this unit and every unit below it.")
    verb = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                 help_text="Exact verb, e.g. `request_day.approved` (older spellings included).")
    object_type = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                        help_text="e.g. `portal.employee`.")
    object_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    actor = serializers.CharField(required=False, allow_blank=True, max_length=150,
                                  help_text="Part of the actor's username.")
    date_from = serializers.DateField(required=False, help_text="Local date of the caller's scope (WIB/WITA/WIT).")
    date_to = serializers.DateField(required=False)
    older = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                     help_text="Cursor: the events older than this event id (`next` carries it).")
    newer = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                     help_text="Cursor: the events newer than this event id (`previous` carries it).")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=500,
                                         help_text="Events per page (default 50).")

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": _("Tanggal akhir tidak boleh sebelum tanggal awal.")})
        return attrs


class AuditEventSerializer(serializers.Serializer):
    """One event of the trail, as stored and as people read it (``sentence``)."""

    id = serializers.IntegerField(source="event.id", read_only=True)
    at = serializers.DateTimeField(source="event.at", read_only=True)
    local_time = serializers.SerializerMethodField(
        help_text="When, in the time zone of the event's unit (ISO 8601 with its offset).")
    time_zone = serializers.CharField(source="zone", read_only=True, help_text="WIB, WITA or WIT.")
    actor = serializers.CharField(source="event.actor.username", read_only=True, allow_null=True,
                                  help_text="Username; null for the system (tasks, automatic approvals).")
    actor_name = serializers.CharField(read_only=True, help_text='The actor by name; "Sistem" for the system.')
    actor_nip = serializers.CharField(read_only=True, help_text="The actor's NIP as people read it; empty if none.")
    acting_for = serializers.CharField(source="event.acting_for", read_only=True)
    acting = serializers.CharField(read_only=True, help_text='"Plh. <jabatan>" when decided by a Plh/Plt.')
    verb = serializers.CharField(source="event.verb", read_only=True)
    verb_label = serializers.CharField(read_only=True)
    sentence = serializers.CharField(read_only=True, help_text="The event in the request language.")
    object_type = serializers.CharField(source="event.object_type", read_only=True)
    object_id = serializers.CharField(source="event.object_id", read_only=True)
    object_repr = serializers.CharField(source="event.object_repr", read_only=True)
    object_words = serializers.CharField(read_only=True, help_text="The object as the sentence names it.")
    unit = UnitRefSerializer(source="event.unit", read_only=True, allow_null=True)
    before = serializers.JSONField(source="event.before", read_only=True, allow_null=True)
    after = serializers.JSONField(source="event.after", read_only=True, allow_null=True)

    def get_local_time(self, row) -> str:
        return row.local_at.isoformat()


class AuditPageSerializer(serializers.Serializer):
    """A page of the trail, newest first. No count: the trail can hold millions of events."""

    next = serializers.URLField(allow_null=True, help_text="The older events (null on the last page).")
    previous = serializers.URLField(allow_null=True, help_text="The newer events (null on the first page).")
    results = AuditEventSerializer(many=True)

