"""The notification centre: the user's own messages, newest first; marking them read.

Only the recipient ever sees a notification: anyone else's id answers 404. Marking read
is a POST (CSRF-protected) through the service; following a notification's link goes
through :func:`notification_open`, which marks it read on the way.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.selectors import employee_of, notifications_of, unread_count  # noqa: F401 - re-exported for templates/tests
from portal.services.notify import notifications_mark_read

PER_PAGE = 25


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


@login_required
def notification_list(request):
    page = Paginator(notifications_of(request.user), PER_PAGE).get_page(request.GET.get("page"))
    employee = employee_of(request.user)
    tz = employee.unit.tzinfo if employee else timezone.get_current_timezone()
    with timezone.override(tz):  # times in the user's own unit's zone
        return render(request, "portal/notifications.html", {"page": page, "notes": page.object_list})


@login_required
@require_POST
def notification_read(request, pk: int):
    note = get_object_or_404(notifications_of(request.user), pk=pk)
    notifications_mark_read(actor=request.user, ids=[note.pk])
    return redirect(_safe_next(request, reverse("notifications:list")))


@login_required
@require_POST
def notification_read_all(request):
    notifications_mark_read(actor=request.user)
    return redirect(_safe_next(request, reverse("notifications:list")))


@login_required
def notification_open(request, pk: int):
    """Follow a notification's link; opening it is reading it."""
    note = get_object_or_404(notifications_of(request.user), pk=pk)
    notifications_mark_read(actor=request.user, ids=[note.pk])
    link = note.link if note.link and url_has_allowed_host_and_scheme(
        note.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()) else ""
    return redirect(link or reverse("notifications:list"))
