"""Read-only organisation resources, scoped to the caller (HR admins and superusers).

Outside the caller's scope a unit or employee does not exist: lists leave it out
and detail answers 404. Callers without an HR scope get empty lists.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import viewsets

from portal.api.filters import EmployeeFilter, UnitFilter
from portal.api.schema import PortalAutoSchema
from portal.api.serializers import EmployeeSerializer, UnitSerializer, effective_time_zones
from portal.selectors import employees_visible_to, units_visible_to

UNIT_EXAMPLE = {
    "id": 3, "code": "DINKES-P2P", "name": "Bidang P2P", "kind": "bidang",
    "parent": {"id": 2, "code": "DINKES", "name": "Dinas Kesehatan"}, "depth": 2,
    "head": {"id": 5, "name": "Kepala Bidang P2P"}, "time_zone": "Asia/Jakarta", "time_zone_inherited": True,
    "address": "", "latitude": None, "longitude": None, "radius_m": 100, "is_active": True,
}
EMPLOYEE_EXAMPLE = {
    "id": 7, "nip": "198609262015051001", "nip_display": "19860926 201505 1 001", "name": "Ani Lestari",
    "asn_type": "PNS", "jabatan": "Analis Kebijakan", "position_kind": "pelaksana",
    "unit": {"id": 3, "code": "DINKES-P2P", "name": "Bidang P2P"},
    "supervisor": {"id": 5, "name": "Kepala Bidang P2P"}, "placement_date": "2020-01-01", "is_active": True,
}


@extend_schema_view(
    list=extend_schema(summary="Units in the caller's scope", tags=["organisation"],
                       examples=[OpenApiExample("Unit", value=UNIT_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One unit in the caller's scope", tags=["organisation"],
                           examples=[OpenApiExample("Unit", value=UNIT_EXAMPLE, response_only=True)]),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    schema = PortalAutoSchema()
    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def get_queryset(self):
        return units_visible_to(self.request.user).select_related("parent", "head")

    def get_serializer(self, *args, **kwargs):
        # Resolve inherited time zones for the whole page at once instead of per unit.
        if args:
            units = args[0] if kwargs.get("many") else [args[0]]
            kwargs.setdefault("context", self.get_serializer_context())["effective_time_zones"] = (
                effective_time_zones(units)
            )
        return super().get_serializer(*args, **kwargs)


@extend_schema_view(
    list=extend_schema(summary="Employees in the caller's scope", tags=["organisation"],
                       examples=[OpenApiExample("Employee", value=EMPLOYEE_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One employee in the caller's scope", tags=["organisation"],
                           examples=[OpenApiExample("Employee", value=EMPLOYEE_EXAMPLE, response_only=True)]),
)
class EmployeeViewSet(viewsets.ReadOnlyModelViewSet):
    schema = PortalAutoSchema()
    serializer_class = EmployeeSerializer
    filterset_class = EmployeeFilter

    def get_queryset(self):
        return employees_visible_to(self.request.user).select_related("unit", "supervisor").order_by("name", "id")
