"""OpenAPI documentation of the API conventions (error envelope, auth, throttling).

:class:`PortalAutoSchema` adds the error responses every operation can give, all
pointing at one reusable ``Error`` component with an example per status, so no view
has to repeat them. Set it as ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` to cover
every app's API; until then views opt in with ``schema = PortalAutoSchema()``.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from portal.api.errors import error_body


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="HTTP status, repeated for clients that lose it.")
    code = serializers.CharField(
        help_text="Stable machine code: invalid, parse_error, not_authenticated, authentication_failed, "
                  "permission_denied, csrf_failed, not_found, method_not_allowed, not_acceptable, "
                  "unsupported_media_type, throttled, server_error (or a more specific one)."
    )
    message = serializers.CharField(
        help_text="Human summary in the request language (Accept-Language: id default, en)."
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Errors per input field (dotted path for nested input); empty when not about fields.",
    )
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait; only on 429.")


class ErrorSerializer(serializers.Serializer):
    """The one error envelope of the whole API."""

    error = ErrorBodySerializer()


def _example(status_code: int, code: str, message: str, summary: str, **extra) -> OpenApiExample:
    return OpenApiExample(
        name=f"{status_code} {code}", summary=summary, response_only=True, status_codes=[str(status_code)],
        value=error_body(status_code=status_code, code=code, message=message, **extra),
    )


ERROR_EXAMPLES = {
    400: [_example(400, "invalid", "Data yang dikirim tidak valid.", "Validation error",
                   fields={"unit": ["Pilih pilihan yang valid. Pilihan tersebut bukan salah satu dari "
                                    "pilihan yang tersedia."]})],
    401: [_example(401, "not_authenticated", "Anda harus masuk terlebih dahulu.", "No credentials"),
          _example(401, "authentication_failed", "Kredensial tidak valid atau sudah kedaluwarsa.",
                   "Bad or revoked token")],
    403: [_example(403, "permission_denied", "Anda tidak berhak melakukan tindakan ini.", "Not allowed")],
    404: [_example(404, "not_found", "Data tidak ditemukan.", "Missing or outside your scope")],
    415: [_example(415, "unsupported_media_type", "Jenis isi permintaan tidak didukung.",
                   "Body not in a documented content type")],
    429: [_example(429, "throttled", "Terlalu banyak permintaan. Silakan coba lagi dalam 42 detik.",
                   "Rate limited", retry_after=42)],
    500: [_example(500, "server_error", "Terjadi kesalahan pada server. Silakan coba lagi nanti.",
                   "Unexpected error")],
}

ERROR_DESCRIPTIONS = {
    400: "Invalid input (field errors in `error.fields`).",
    401: "Not logged in, or the token is invalid or revoked.",
    403: "Logged in but not allowed (or CSRF check failed for a session client).",
    404: "Not found, or outside the caller's scope (never 403, so existence does not leak).",
    415: "The body's Content-Type is not one the operation accepts (or cannot be parsed as it).",
    429: "Too many requests; wait `error.retry_after` seconds (also the Retry-After header).",
    500: "Unexpected server error; no details are leaked.",
}


def error_response(status_code: int) -> OpenApiResponse:
    """For explicit use in ``extend_schema(responses=...)``."""
    return OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status_code],
                           examples=ERROR_EXAMPLES[status_code])


class PortalAutoSchema(AutoSchema):
    """AutoSchema that documents the error envelope on every operation it applies to."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status_code in self._error_codes():
            key = str(status_code)
            if key not in responses:
                responses[key] = self._get_response_for_code(error_response(status_code), key, direction=direction)
        if "429" in responses:
            responses["429"].setdefault("headers", {})["Retry-After"] = {
                "schema": {"type": "integer"}, "description": "Seconds to wait before retrying.",
            }
        return responses

    def _error_codes(self) -> list[int]:
        codes = []
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        queried = self._has_filters() or self._has_query_parameters()
        if writes or queried:
            codes.append(400)
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append(415)
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes += [401, 403]
        # Bodies and queries name units and employees too: one outside the caller's scope is 404.
        if (self._is_list_view() and self._get_paginator() or "{" in self.path or writes or queried
                or self._has_own_permissions()):
            codes.append(404)
        if self.view.get_throttles():
            codes.append(429)
        codes.append(500)
        return codes

    def _has_own_permissions(self) -> bool:
        # Project permission classes answer 404 to callers without the role (pages are not
        # advertised); DRF's own ones answer 401/403.
        return any(not type(p).__module__.startswith("rest_framework") for p in self.view.get_permissions())

    def _has_query_parameters(self) -> bool:
        return any(p.get("in") == "query" for p in self._get_parameters())

    def _has_filters(self) -> bool:
        return bool(getattr(self.view, "filterset_class", None)) and self.method == "GET"
