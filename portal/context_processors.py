"""Template context shared by every page: the user's roles for the navigation."""

from portal.selectors import employee_of, roles_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": [], "nav_employee": None}
    if not hasattr(request, "_nav_roles"):
        request._nav_roles = roles_of(user)
    return {"nav_roles": request._nav_roles, "nav_employee": employee_of(user)}
