"""Unit autocomplete for the pickers: ``GET /api/v1/units/search/?q=``."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.schema import PortalAutoSchema
from portal.selectors import employee_of
from portal.selectors.unit_search import SEARCH_LIMIT, other_office_units, search_units


class UnitSearchView(APIView):
    """Units the caller may name as "Kantor tujuan" (another active unit of their institution)
    whose code or name contains ``q``; at most 20. Accounts without an active employee get none."""

    schema = PortalAutoSchema()
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="units_search", tags=["organisation"], summary="Search units to pick",
        parameters=[OpenApiParameter("q", str, description="Part of the unit's code or name.")],
        responses={200: inline_serializer("UnitSearch", {"results": serializers.ListField(
            child=inline_serializer("UnitMatch", {"id": serializers.IntegerField(),
                                                  "code": serializers.CharField(),
                                                  "name": serializers.CharField()}))})},
        description=f"At most {SEARCH_LIMIT} matches, code and name prefixes first.",
    )
    def get(self, request):
        me = employee_of(request.user)
        if me is None or not me.is_active:
            return Response({"results": []})
        units = search_units(other_office_units(me), request.query_params.get("q", "")[:100])
        return Response({"results": [{"id": u.pk, "code": u.code, "name": u.name} for u in units]})
