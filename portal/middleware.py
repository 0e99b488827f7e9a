"""Request middleware of the portal."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Use the account's language when this browser has made no choice of its own.

    Order of precedence: the language cookie (an explicit click on the switch in this
    browser, which :func:`portal.views.shell.set_language` also saves on the account),
    then ``User.language``, then what ``LocaleMiddleware`` took from Accept-Language.
    Honouring the cookie first keeps a choice made on the login page after logging in.
    Must run after ``AuthenticationMiddleware`` (it reads ``request.user``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self._account_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

    @staticmethod
    def _account_language(request) -> str | None:
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        language = getattr(user, "language", "")
        return language if language in dict(settings.LANGUAGES) else None
