"""Login throttling with django-axes: one counter per account, whatever was typed.

Settings (portal/settings.py, "Auth") key the lockout on the account only, so a whole
office behind one NAT address cannot lock itself out. This module supplies:

* :func:`lockout_username` - the account key: a NIP (spaces allowed) maps to the
  account's username, so "ani", "Ani" and her NIP share one failure counter;
* :class:`LockoutBackend` - axes' lockout check, first in AUTHENTICATION_BACKENDS;
* :func:`lockout_response` - what axes' middleware answers to a locked account: the
  Indonesian lockout page, or the API error envelope under /api/, both 429 with
  Retry-After.

The DRF receiver below lives here, beside the backend, because Django imports every
authentication backend on each ``authenticate`` call: it is connected before it is needed.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.dispatch import receiver
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from portal.api.errors import error_body
from portal.rules import NIP_LENGTH, normalize_nip

_NIP_SHAPE = re.compile(rf"[0-9]{{{NIP_LENGTH}}}")  # as portal.auth: ASCII digits only
API_PREFIX = "/api/"


LOCKOUT_PARAMETERS = ["username"]


def lockout_parameters(request_or_attempt, credentials) -> list[str]:
    """``AXES_LOCKOUT_PARAMETERS``: the account only, never the client address.

    A callable rather than the list itself only because axes' check W006 warns on any
    list without "ip_address", on the premise that rotating the User-Agent escapes a
    username lock. That does not hold here: axes sums the failures of every row of the
    account, whatever address or browser they came from (tests/security/test_axes.py).
    """
    return LOCKOUT_PARAMETERS


def lockout_username(request, credentials) -> str | None:
    """The key axes counts failures under (``AXES_USERNAME_CALLABLE``).

    A NIP that belongs to an account counts against that account's username; anything
    else against what was typed, trimmed and lowercased. Lowercasing can only merge
    counters ("Ani" and "ani"), never split one account's.
    """
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = getattr(request, "data", request.POST).get("username")
    if not isinstance(typed, str) or not typed.strip():
        return None
    candidate = normalize_nip(typed)
    if _NIP_SHAPE.fullmatch(candidate):
        username = (get_user_model().objects.filter(employee__nip=candidate)
                    .values_list("username", flat=True).first())
        return (username or candidate).lower()
    return typed.strip().lower()


class LockoutBackend(AxesStandaloneBackend):
    """axes' check, made to work for every caller of ``authenticate``.

    * DRF hands over its own Request; axes must mark the Django request underneath,
      which is the one the middleware sees.
    * Without a request (``Client.login``, the shell) axes would raise. The lock is
      keyed on the account alone, so it is still checked, against an empty request;
      such a failure is not counted (axes cannot record it), which is acceptable because
      the two ways in from the network, the login page and the token endpoint, always
      pass their request (tests/security/test_axes.py).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        request = getattr(request, "_request", request)
        if request is None:
            request = HttpRequest()
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_locked_out, dispatch_uid="portal.lockout.flag_django_request")
def flag_django_request(sender, request=None, **kwargs):
    """axes flags the request it was given; under DRF that is the wrapper, which the
    middleware never sees. Flag the Django request underneath as well."""
    inner = getattr(request, "_request", None)
    if inner is not None:
        inner.axes_locked_out = True
        inner.axes_credentials = getattr(request, "axes_credentials", None)


def seconds_left(credentials) -> int:
    """Seconds until the account's lock lifts: cool-off after its latest counted failure."""
    cool_off = get_cool_off() or dt.timedelta(0)
    username = lockout_username(None, credentials)
    latest = AccessAttempt.objects.filter(username=username).aggregate(latest=Max("attempt_time"))["latest"]
    if latest is None:
        return math.ceil(cool_off.total_seconds())
    return max(1, math.ceil((latest + cool_off - timezone.now()).total_seconds()))


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: 429 with Retry-After; the API envelope under /api/."""
    wait = seconds_left(credentials)
    minutes = max(1, math.ceil(wait / 60))
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith(API_PREFIX):
        message = ngettext("Akun dikunci sementara karena terlalu banyak percobaan masuk yang gagal. "
                           "Coba lagi dalam %(minutes)d menit.",
                           "Akun dikunci sementara karena terlalu banyak percobaan masuk yang gagal. "
                           "Coba lagi dalam %(minutes)d menit.", minutes) % {"minutes": minutes}
        response = JsonResponse(error_body(status_code=status, code="locked_out", message=message,
                                           retry_after=wait), status=status)
    else:
        response = render(request, "portal/lockout.html",
                          {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}, status=status)
    response["Retry-After"] = str(wait)
    return response
