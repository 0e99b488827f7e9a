"""Template context shared by every page: the user's roles, their menu and unread count."""

from portal import navigation as nav
from portal.selectors import employee_of, roles_of


def _unread_counter(request):
    """A callable the template calls only when it shows the count: at most one COUNT
    query per request, none on pages (or partials) that never render it."""

    def count() -> int:
        if not hasattr(request, "_nav_unread"):
            from portal.selectors import unread_count

            request._nav_unread = unread_count(request.user)
        return request._nav_unread

    return count


def navigation_menu(request):
    """The menu groups, built only when a template reads them."""

    def groups() -> list[dict]:
        if not hasattr(request, "_nav_menu"):
            request._nav_menu = nav.menu(request._nav_roles, request.user, request.path)
        return request._nav_menu

    return groups


def _banners(request):
    """A callable the base template calls once: the banners of this user, read once per request."""

    def banners() -> list:
        if not hasattr(request, "_nav_banners"):
            from portal.banners import banners_for

            request._nav_banners = banners_for(request.user)
        return request._nav_banners

    return banners


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": [], "nav_employee": None, "nav_unread": 0, "nav_menu": [], "nav_banners": []}
    if not hasattr(request, "_nav_roles"):
        request._nav_roles = roles_of(user)
    return {"nav_roles": request._nav_roles, "nav_employee": employee_of(user),
            "nav_unread": _unread_counter(request), "nav_menu": navigation_menu(request),
            "nav_banners": _banners(request)}
