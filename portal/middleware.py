"""Request middleware of the portal."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Choose the pages' language from what people chose, never from the browser's settings.

    Order of precedence: the language cookie (an explicit click on the switch in this
    browser, which :func:`portal.views.shell.set_language` also saves on the account),
    then ``User.language``, then Indonesian (``LANGUAGE_CODE``). A phone set to English
    therefore shows the login page in Indonesian, like every page after logging in, until
    someone picks English; honouring the cookie first keeps a choice made on the login page
    after logging in. Only the API still follows Accept-Language (``LocaleMiddleware``) for
    clients without a session. Must run after ``AuthenticationMiddleware`` (it reads
    ``request.user``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self._chosen_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

    @staticmethod
    def _chosen_language(request) -> str | None:
        """The language to activate, or None to keep LocaleMiddleware's (the cookie's, or the API's)."""
        if _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None if request.path.startswith("/api/") else settings.LANGUAGE_CODE
        language = getattr(user, "language", "")
        return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _supported(language: str | None) -> bool:
    if not language:
        return False
    try:
        translation.get_supported_language_variant(language)
    except LookupError:
        return False
    return True
