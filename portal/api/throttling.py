"""Rate limits of the API."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

# Used when REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] has no entry for the scope, so a
# login endpoint is never left unthrottled by a missing setting.
FALLBACK_RATES = {"auth_token": "20/min"}  # nosec B105  # a rate, not a password


class PortalScopedRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle keyed per user, or per client IP when anonymous (as at login).

    Reads the rates at request time (DRF's class reads them once at import), so
    settings overrides apply, and falls back to :data:`FALLBACK_RATES`.
    """

    def get_ident(self, request):
        # With NUM_PROXIES unset DRF keys on the client-supplied X-Forwarded-For, so a
        # password guesser could dodge the limit by varying that header. Trust it only
        # when NUM_PROXIES says how many proxies stand in front.
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR", "")
        return super().get_ident(request)

    def get_rate(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES or {}
        return rates.get(self.scope) or FALLBACK_RATES.get(self.scope)
