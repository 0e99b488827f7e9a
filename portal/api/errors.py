"""One error format for the whole API.

Every error answer, whatever raised it, has the same body::

    {"error": {"status": 400, "code": "invalid", "message": "<translated summary>",
               "fields": {"field": ["message", ...]}, "retry_after": 30}}

``fields`` is always present (empty when the error is not about input fields);
``retry_after`` (seconds) only on 429. ``message`` is in the request's language
(LocaleMiddleware): Bahasa Indonesia by default, English with ``Accept-Language: en``.
Installed as ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``.
"""

from __future__ import annotations

import logging
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger("portal.api")

NON_FIELD_KEYS = {"non_field_errors", "__all__"}


def _summaries() -> dict[str, str]:
    """Translated summary per error code; built per call so it follows the request language."""
    return {
        "invalid": _("Data yang dikirim tidak valid."),
        "parse_error": _("Isi permintaan tidak dapat dibaca."),
        "not_authenticated": _("Anda harus masuk terlebih dahulu."),
        "authentication_failed": _("Kredensial tidak valid atau sudah kedaluwarsa."),
        "permission_denied": _("Anda tidak berhak melakukan tindakan ini."),
        "not_found": _("Data tidak ditemukan."),
        "not_acceptable": _("Format jawaban yang diminta tidak tersedia."),
        "unsupported_media_type": _("Jenis isi permintaan tidak didukung."),
        "server_error": _("Terjadi kesalahan pada server. Silakan coba lagi nanti."),
    }


# For these DRF builds its own English-only detail text; ours is always used instead.
_ALWAYS_SUMMARY = {"not_authenticated", "authentication_failed", "parse_error", "not_acceptable",
                   "unsupported_media_type"}


def error_body(*, status_code: int, code: str, message: str, fields: dict | None = None,
               retry_after: int | None = None) -> dict:
    """The envelope as a plain dict (also used by the schema examples)."""
    body = {"status": status_code, "code": code, "message": str(message), "fields": fields or {}}
    if retry_after is not None:
        body["retry_after"] = retry_after
    return {"error": body}


def exception_handler(exc, context):
    # Django's own 404/403 become DRF's, as DRF's handler would do, so they get the envelope too.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        # A service refusing the input (every write goes through one): the same 400 as a
        # serializer's, with the service's field messages.
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, SuspiciousOperation):
        # Too many fields, a body over DATA_UPLOAD_MAX_MEMORY_SIZE, ...: the client's fault, as in
        # Django's own views (400), never a 500.
        exc = exceptions.ParseError()
    response = drf_exception_handler(exc, context)
    if response is None:
        return _server_error(exc, context)
    if isinstance(exc, exceptions.APIException):
        _restore_401(exc, context, response)
        response.data = _envelope_for(exc, response.status_code)
        # Domain details a view attached to the exception (per-day verdicts, ...).
        response.data["error"].update(getattr(exc, "extra", None) or {})
    return response


def _server_error(exc, context) -> Response:
    # Log the traceback for operators; the client only gets the generic envelope.
    request = context.get("request")
    logger.error("Unhandled API error on %s", getattr(request, "path", "?"), exc_info=exc)
    set_rollback()  # as for handled errors: never commit half a request under ATOMIC_REQUESTS
    data = error_body(status_code=500, code="server_error", message=_summaries()["server_error"])
    return Response(data, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def _restore_401(exc, context, response) -> None:
    """Answer 401 (not 403) to an unauthenticated caller.

    DRF only sends 401 when the *first* authenticator offers a WWW-Authenticate
    challenge; with session auth first it downgrades to 403, which tells a phone
    client "forbidden" instead of "log in". Use any authenticator's challenge.
    """
    if not isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        return
    if response.status_code != status.HTTP_403_FORBIDDEN:
        return
    request = context.get("request")
    for authenticator in getattr(request, "authenticators", None) or ():
        challenge = authenticator.authenticate_header(request)
        if challenge:
            response.status_code = status.HTTP_401_UNAUTHORIZED
            response["WWW-Authenticate"] = challenge
            return


def _envelope_for(exc: exceptions.APIException, status_code: int) -> dict:
    code = _code_of(exc)
    if isinstance(exc, exceptions.ValidationError):
        message, fields = _validation_parts(exc.detail)
        return error_body(status_code=status_code, code=code, message=message, fields=fields)
    if isinstance(exc, exceptions.Throttled):
        wait = math.ceil(exc.wait) if exc.wait is not None else None
        return error_body(status_code=status_code, code=code, message=_throttled_message(wait),
                          retry_after=wait)
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = _method_of(exc)
        message = _("Metode %(method)s tidak diizinkan di alamat ini.") % {"method": method}
        return error_body(status_code=status_code, code=code, message=message)
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        # SessionAuthentication's English-only text; name the cause in the user's language.
        message = _("Token CSRF tidak ada atau tidak valid. Muat ulang halaman lalu coba lagi.")
        return error_body(status_code=status_code, code="csrf_failed", message=message)
    return error_body(status_code=status_code, code=code, message=_plain_message(exc, code))


def _method_of(exc: exceptions.MethodNotAllowed) -> str:
    # DRF only keeps the method inside its formatted English text: 'Method "PUT" not allowed.'
    text = str(exc.detail)
    return text.split('"')[1] if text.count('"') >= 2 else ""


def _code_of(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    return getattr(exc, "default_code", None) or "error"


def _plain_message(exc: exceptions.APIException, code: str) -> str:
    """A custom detail raised by our code wins; DRF's stock texts become our summary."""
    summaries = _summaries()
    detail = exc.detail
    if isinstance(detail, (list, dict)):
        detail = _first_message(detail)
    if code in _ALWAYS_SUMMARY or str(detail) == str(exc.default_detail) or not detail:
        return summaries.get(code, summaries["server_error"] if exc.status_code >= 500 else str(detail))
    return str(detail)


def _throttled_message(wait: int | None) -> str:
    if wait is None:
        return _("Terlalu banyak permintaan. Silakan coba lagi nanti.")
    return _("Terlalu banyak permintaan. Silakan coba lagi dalam %(wait)d detik.") % {"wait": wait}


def _validation_parts(detail) -> tuple[str, dict[str, list[str]]]:
    """Split DRF's nested error detail into (summary message, flat field errors).

    Non-field errors become the summary; nested serializer errors get dotted keys
    ("items.0.date") so every field error is a flat list of strings.
    """
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    _flatten(detail, "", fields, general)
    message = " ".join(general) if general else _summaries()["invalid"]
    return message, fields


def _flatten(detail, prefix: str, fields: dict, general: list) -> None:
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in NON_FIELD_KEYS:
                _flatten(value, prefix, fields, general)
            else:
                _flatten(value, f"{prefix}.{key}" if prefix else str(key), fields, general)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                _flatten(value, f"{prefix}.{index}" if prefix else str(index), fields, general)
            else:
                _flatten(value, prefix, fields, general)
    elif prefix:
        fields.setdefault(prefix, []).append(str(detail))
    else:
        general.append(str(detail))


def _first_message(detail) -> str:
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    _flatten(detail, "", fields, general)
    return (general or [m for msgs in fields.values() for m in msgs] or [""])[0]


def handler404(request, exception=None):
    """Root URLconf 404: the API envelope under /api/, Django's page elsewhere.

    An id that does not match a route's pattern (``/api/v1/requests/abc/``) never reaches
    DRF; without this, API clients would get an HTML page.
    """
    if request.path.startswith("/api/"):
        body = error_body(status_code=404, code="not_found", message=_summaries()["not_found"])
        return JsonResponse(body, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
