"""The caller's calendar feeds: list them, make (or reset) one, revoke one.

The same selector and services as the "Kalender di ponsel" page (:mod:`scheduling.selectors.feeds`,
:mod:`scheduling.services.feeds`). The address is in the answer of the POST that made it and
nowhere else: the server keeps only a hash of its secret. A feed token is not an API credential:
it authenticates nothing here (the API's authenticators do not know it).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.filters import MAX_ID
from portal.api.schema import error_response
from portal.api.serializers import UnitRefSerializer
from scheduling.models import FeedKind
from scheduling.selectors.feeds import feed_choices
from scheduling.services.feeds import MAX_VALID_DAYS, feed_token_reset, feed_token_revoke


class FeedTokenSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True, help_text="Last read by a calendar app (hourly).")
    expires_at = serializers.DateTimeField(allow_null=True)
    unit = UnitRefSerializer(allow_null=True, help_text="Team feed: the unit it reads.")


class FeedChoiceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FeedKind.choices, help_text="own: own plan; team: team presence.")
    label = serializers.CharField()
    units = UnitRefSerializer(many=True, help_text="Team feed: the units the caller may choose.")
    active = FeedTokenSerializer(source="token", allow_null=True,
                                 help_text="The live address, without its secret; null = none.")


class FeedCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FeedKind.choices)
    unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                    help_text="Team feed: a unit the caller decides for (default: the first).")
    expires_in_days = serializers.IntegerField(required=False, min_value=1, max_value=MAX_VALID_DAYS,
                                               help_text="Default: valid until revoked or reset.")


class FeedIssuedSerializer(serializers.Serializer):
    kind = serializers.CharField()
    url = serializers.URLField(help_text="The private iCalendar address. Shown only in this answer.")
    webcal_url = serializers.CharField(help_text="The same address as webcal:// (opens calendar apps).")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    unit = UnitRefSerializer(allow_null=True)


def _issued_body(request, issued) -> dict:
    url = request.build_absolute_uri(reverse("scheduling:calendar-feed", kwargs={"token": issued.secret}))
    token = issued.token
    return {"kind": token.kind, "url": url, "webcal_url": "webcal://" + url.split("://", 1)[1],
            "created_at": token.created_at, "expires_at": token.expires_at, "unit": token.unit}


class CalendarFeedListView(APIView):
    @extend_schema(
        summary="The caller's calendar feeds", tags=["calendar feeds"],
        responses={200: FeedChoiceSerializer(many=True)},
        description="The feeds the caller may have: `own` (active employees: their plan, absences, holidays) and "
                    "`team` (whoever decides for somebody: presence only), each with its live address's dates. "
                    "The address itself is never shown again after it was made.",
    )
    def get(self, request):
        return Response(FeedChoiceSerializer(feed_choices(request.user), many=True).data)

    @extend_schema(
        summary="Make (or reset) a calendar feed address", tags=["calendar feeds"], request=FeedCreateSerializer,
        responses={201: FeedIssuedSerializer, 400: error_response(400)},
        description="Issues a new private address; the previous one of the same kind stops working at once. "
                    "The `url` is in this answer only. 400 when the kind is not available to the caller (no "
                    "employee record; `team` without anybody to decide for) or the unit is not one they lead.",
        examples=[OpenApiExample("Issued", response_only=True, status_codes=["201"], value={
            "kind": "own", "url": "https://portal.example.go.id/kalender/Vb2…Q.ics",
            "webcal_url": "webcal://portal.example.go.id/kalender/Vb2…Q.ics", "created_at": "2026-12-07T02:00:00Z",
            "expires_at": None, "unit": None})],
    )
    def post(self, request):
        data = FeedCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        days = params.get("expires_in_days")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        issued = feed_token_reset(actor=request.user, kind=params["kind"], unit_id=params.get("unit"),
                                  expires_at=expires_at)
        return Response(FeedIssuedSerializer(_issued_body(request, issued)).data, status=status.HTTP_201_CREATED)


class CalendarFeedRevokeView(APIView):
    @extend_schema(
        summary="Revoke a calendar feed address", tags=["calendar feeds"], request=None,
        responses={204: OpenApiResponse(description="Revoked: the address answers 404 from now on."),
                   404: error_response(404)},
        description="`kind` is `own` or `team`. 404 when the caller has no live address of that kind.",
    )
    def post(self, request, kind: str):
        if kind not in FeedKind.values or feed_token_revoke(actor=request.user, kind=kind) is None:
            raise NotFound
        return Response(status=status.HTTP_204_NO_CONTENT)
