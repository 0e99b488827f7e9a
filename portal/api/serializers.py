"""Shapes of the API's auth and organisation resources. Shape only: rules live in services."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.models import Delegation, Employee, TimeZone, Unit


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(
        label=_("Nama pengguna atau NIP"), trim_whitespace=True,
        help_text="Username, or NIP / NI PPPK (grouping spaces allowed: '19860926 201505 1 001').",
    )
    password = serializers.CharField(label=_("Kata sandi"), trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        # portal.auth.NipOrUsernameBackend recognises a NIP and strips its spaces.
        user = authenticate(self.context.get("request"), username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(
                _("Nama pengguna/NIP atau kata sandi salah, atau akun tidak aktif."), code="authentication"
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as header `Authorization: Token <token>`.")


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name"]


class EmployeeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Employee
        fields = ["id", "name"]


class SupervisorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Employee
        fields = ["id", "name", "nip"]


class MeUnitSerializer(serializers.ModelSerializer):
    time_zone = serializers.CharField(source="effective_time_zone", help_text="IANA zone, inherited if unset.")

    class Meta:
        model = Unit
        fields = ["id", "name", "code", "time_zone"]


class DelegatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Employee
        fields = ["id", "name", "jabatan"]


class ActingForSerializer(serializers.ModelSerializer):
    """An active Plh/Plt assignment of the caller."""

    title = serializers.CharField(source="acting_title", help_text='As written in the audit trail, "Plh. <jabatan>".')
    delegator = DelegatorSerializer()

    class Meta:
        model = Delegation
        fields = ["id", "kind", "title", "delegator", "start", "end"]


class MeSerializer(serializers.Serializer):
    """The caller. ``nip``/``name``/``unit`` are null for accounts without an employee (HR-only, superuser)."""

    id = serializers.IntegerField(help_text="Account id.")
    username = serializers.CharField()
    language = serializers.ChoiceField(choices=["id", "en"])
    employee_id = serializers.IntegerField(allow_null=True)
    nip = serializers.CharField(allow_null=True)
    nip_display = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    jabatan = serializers.CharField(allow_null=True)
    unit = MeUnitSerializer(allow_null=True)
    supervisor = SupervisorSerializer(allow_null=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=["employee", "supervisor", "hr_admin", "superuser"]),
    )
    acting_for = ActingForSerializer(many=True)


class UnitSerializer(serializers.ModelSerializer):
    parent = UnitRefSerializer(allow_null=True, read_only=True)
    head = EmployeeRefSerializer(allow_null=True, read_only=True)
    time_zone = serializers.SerializerMethodField(help_text="Effective IANA zone (own or nearest ancestor's).")
    time_zone_inherited = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "parent", "depth", "head", "time_zone", "time_zone_inherited",
                  "address", "latitude", "longitude", "radius_m", "is_active"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=TimeZone.values))
    def get_time_zone(self, unit: Unit) -> str:
        zones = self.context.get("effective_time_zones")
        return zones[unit.pk] if zones and unit.pk in zones else unit.effective_time_zone

    def get_time_zone_inherited(self, unit: Unit) -> bool:
        return not unit.time_zone


class EmployeeSerializer(serializers.ModelSerializer):
    nip_display = serializers.CharField(read_only=True, help_text="NIP grouped for display (PNS only).")
    unit = UnitRefSerializer(read_only=True)
    supervisor = EmployeeRefSerializer(allow_null=True, read_only=True)

    class Meta:
        model = Employee
        fields = ["id", "nip", "nip_display", "name", "asn_type", "jabatan", "position_kind", "unit",
                  "supervisor", "placement_date", "is_active"]
        read_only_fields = fields


def effective_time_zones(units) -> dict[int, str]:
    """Effective time zone of each unit in one query over all their ancestors (no N+1)."""
    units = list(units)
    ancestor_ids = {pk for unit in units for pk in unit.ancestor_ids}
    own = dict(Unit.objects.filter(pk__in=ancestor_ids).exclude(time_zone="").values_list("pk", "time_zone"))
    result = {}
    for unit in units:
        chain = [unit.time_zone] + [own.get(pk, "") for pk in reversed(unit.ancestor_ids)]
        result[unit.pk] = next((tz for tz in chain if tz), TimeZone.WIB.value)
    return result
