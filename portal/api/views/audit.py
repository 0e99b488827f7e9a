"""Signed checkpoints of the audit hash chain (issue 14.4): list them, download one as JSON.

The same read as the page /hr/audit/checkpoint/: an HR admin sees the chains of their
institutions, a superuser every chain; another institution's checkpoint answers 404.
"""

from __future__ import annotations

from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from portal.api.permissions import IsHRAdmin
from portal.api.schema import PortalAutoSchema
from portal.models.audit import AuditCheckpoint
from portal.selectors.audit_chain import checkpoints_visible_to
from portal.services.audit_chain import checkpoint_document, checkpoint_filename

CHECKPOINT_EXAMPLE = {
    "id": 12, "chain": "instansi:1/3", "seq": 48213,
    "head_hash": "9f2c4e0b5d1a7c3e8f6b2d4a1c9e7f5b3d1a8c6e4f2b0d9a7c5e3f1b8d6a4c2e",
    "created_at": "2026-12-06T16:50:00.000000Z", "format": 1, "algorithm": "HMAC-SHA256",
    "key_id": "3b1f0c9e2a7d4e61",
    "signature": "a41c3e9f7b2d5c8e1f4a6b9d2c5e8f1a3b6d9c2e5f8a1b4d7c0e3f6a9b2c5d8e",
    "signed_message": '{"chain":"instansi:1/3","created_at":"2026-12-06T16:50:00.000000Z","format":1,'
                      '"head_hash":"9f2c4e0b5d1a7c3e8f6b2d4a1c9e7f5b3d1a8c6e4f2b0d9a7c5e3f1b8d6a4c2e","seq":48213}',
}


class CheckpointSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    chain = serializers.CharField(help_text='"instansi:<id of the institution>/<lane>" (one chain per lane, see '
                                            'AUDIT_CHAIN_LANES), "instansi:<id>" (one chain for the '
                                            'institution, or written before lanes) or "global".')
    seq = serializers.IntegerField(help_text="How many events the chain held when signed (its last seq).")
    head_hash = serializers.CharField(help_text="SHA-256 (hex) of the chain's last event.")
    created_at = serializers.CharField(help_text="When it was signed, UTC, six fractional digits.")
    format = serializers.IntegerField()
    algorithm = serializers.CharField()
    key_id = serializers.CharField(help_text="Fingerprint of the signing key (not the key).")
    signature = serializers.CharField(help_text="HMAC-SHA256 (hex) of `signed_message` with the portal's key.")
    signed_message = serializers.CharField(help_text="Exactly the bytes that were signed (canonical JSON).")

    def to_representation(self, instance: AuditCheckpoint) -> dict:
        return {"id": instance.pk, **checkpoint_document(instance)}


@extend_schema_view(
    list=extend_schema(summary="Signed checkpoints of the audit chain", tags=["hr"],
                       description="Each night the head of every audit hash chain is signed (HMAC-SHA256 with a "
                                   "key kept out of the database). Newest first; an HR admin sees the chains of "
                                   "their institutions, one per lane. Keep a download: a later rewrite or "
                                   "truncation of the trail no longer matches it "
                                   "(`manage.py audit_verify --checkpoint FILE`).",
                       examples=[OpenApiExample("Checkpoint", value=CHECKPOINT_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="Download one signed checkpoint (JSON attachment)", tags=["hr"],
                           examples=[OpenApiExample("Checkpoint", value=CHECKPOINT_EXAMPLE, response_only=True)]),
)
class AuditCheckpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    schema = PortalAutoSchema()
    permission_classes = [IsHRAdmin]
    serializer_class = CheckpointSerializer
    queryset = AuditCheckpoint.objects.none()  # for the schema; requests use get_queryset()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return checkpoints_visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        checkpoint = self.get_object()
        response = Response(self.get_serializer(checkpoint).data)
        response["Content-Disposition"] = content_disposition_header(True, checkpoint_filename(checkpoint))
        return response
