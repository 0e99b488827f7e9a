"""The caller's own notifications: list (optionally only unread) and mark read.

Nobody else's notification exists for the caller: marking one answers 404.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from portal.api.schema import PortalAutoSchema
from portal.models import Notification
from portal.selectors import notifications_of
from portal.services.notify import notifications_mark_read

NOTIFICATION_EXAMPLE = {
    "id": 41, "kind": "request.approved", "subject": "Pengajuan WFH 2026-12-07 disetujui",
    "body": "Pengajuan WFH Anda untuk Senin, 7 Desember 2026 telah disetujui.", "link": "/rencana/pengajuan/",
    "created_at": "2026-12-01T09:00:00+07:00", "read_at": None, "unread": True,
}


class NotificationSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField(help_text="In the recipient's language, fixed when written.")
    body = serializers.SerializerMethodField()
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "link", "created_at", "read_at", "unread"]

    def get_subject(self, note: Notification) -> str:
        return note.params.get("subject", "")

    def get_body(self, note: Notification) -> str:
        return note.params.get("body", "")

    def get_unread(self, note: Notification) -> bool:
        return note.read_at is None


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications changed from unread to read.")


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(method="filter_unread", label=_("Belum dibaca"),
                                          help_text="true: only unread; false: only read.")

    class Meta:
        model = Notification
        fields = ["unread"]

    def filter_unread(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)


@extend_schema_view(
    list=extend_schema(summary="The caller's notifications", tags=["notifications"],
                       description="Newest first; `?unread=true` for the unread ones only.",
                       examples=[OpenApiExample("Notification", value=NOTIFICATION_EXAMPLE, response_only=True)]),
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    schema = PortalAutoSchema()
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; requests use get_queryset()
    filterset_class = NotificationFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return notifications_of(self.request.user)

    @extend_schema(summary="Mark one notification read", tags=["notifications"], request=None,
                   responses={200: NotificationSerializer},
                   description="Idempotent: an already read one keeps its first read time. Another user's: 404.")
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = get_object_or_404(self.get_queryset(), pk=pk)  # no list filters on a detail action
        notifications_mark_read(actor=request.user, ids=[note.pk])
        note.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(note).data)

    @extend_schema(summary="Mark all the caller's notifications read", tags=["notifications"], request=None,
                   responses={200: MarkedSerializer},
                   examples=[OpenApiExample("Marked", value={"marked": 3}, response_only=True)])
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications_mark_read(actor=request.user)})
