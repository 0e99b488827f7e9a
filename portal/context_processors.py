"""Template context shared by every page: the user's roles and unread count for the navigation."""

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


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": [], "nav_employee": None, "nav_unread": 0}
    if not hasattr(request, "_nav_roles"):
        request._nav_roles = roles_of(user)
    return {"nav_roles": request._nav_roles, "nav_employee": employee_of(user),
            "nav_unread": _unread_counter(request)}
