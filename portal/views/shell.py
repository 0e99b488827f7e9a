"""Login, logout, language choice and the role-aware home page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.contrib.staticfiles import finders
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_GET, require_POST

from portal import navigation as nav
from portal import rules
from portal.models import Employee, User
from portal.selectors import active_delegations_for, employee_of, roles_of, workcalendar

FAVICON = "img/favicon.ico"


class LoginForm(AuthenticationForm):
    """Django's login form with labels and an error message that name the NIP."""

    username = UsernameField(
        label=_("NIP atau nama pengguna"),
        help_text=_("NIP boleh ditulis dengan atau tanpa spasi."),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("NIP/nama pengguna atau kata sandi salah. Periksa kembali lalu coba lagi."),
        "inactive": _("Akun ini tidak aktif. Hubungi admin kepegawaian."),
    }


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_GET
def health(request):
    """For the proxy, systemd and operators: is the database reachable, and what have the cache and
    the broker been doing (failures, calls skipped while they were away). No personal data."""
    from django.db import connection

    from portal.resilience import broker_breaker, cache_breaker

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = True
    except Exception:  # noqa: BLE001 - reporting the outage is this view's whole job
        database = False
    body = {"database": database, "cache": cache_breaker.state(), "broker": broker_breaker.state()}
    return JsonResponse(body, status=200 if database else 503)


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico before reading any page (and keep asking): answer with the icon
    itself, found like any static file, so it never depends on a collected static tree."""
    path = finders.find(FAVICON)
    if not path:
        return redirect(static(FAVICON), permanent=False)
    response = FileResponse(open(path, "rb"), content_type="image/x-icon")  # FileResponse closes the file
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_POST
def logout_view(request):
    logout(request)
    # Stored after the session is flushed: the message travels in the messages cookie to the login page.
    messages.success(request, _("Anda telah keluar."))
    return redirect("login")


@require_POST
def set_language(request):
    """Django's ``set_language`` that also remembers the choice on the account.

    The cookie keeps the choice for this browser; ``User.language`` carries it to a
    new browser (see :class:`portal.middleware.UserLanguageMiddleware`) and to mail.
    """
    response = i18n_views.set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        # A personal display preference, not an HR fact: no audit event.
        User.objects.filter(pk=request.user.pk).exclude(language=language).update(language=language)
    return response


# --- Home -------------------------------------------------------------------------


@dataclass(frozen=True)
class Today:
    """What the home page says about today in the unit's local time."""

    date: dt.date
    tz_abbreviation: str
    is_working_day: bool
    holiday: workcalendar.Holiday | None
    hours: rules.DayHours | None


def _greeting(now: dt.datetime) -> str:
    # Indonesians greet by time of day; the boundaries follow common usage.
    if now.hour < 11:
        return _("Selamat pagi")
    if now.hour < 15:
        return _("Selamat siang")
    if now.hour < 18:
        return _("Selamat sore")
    return _("Selamat malam")


def _today(employee: Employee | None) -> tuple[Today, dt.datetime]:
    unit = employee.unit if employee else None
    tzinfo = unit.tzinfo if unit else timezone.get_default_timezone()
    now = timezone.localtime(timezone=tzinfo)
    day = now.date()
    working = workcalendar.is_working_day(unit, day)
    today = Today(
        date=day,
        tz_abbreviation=unit.tz_abbreviation if unit else "WIB",
        is_working_day=working,
        holiday=workcalendar.holidays_between(unit, day, day).get(day),
        hours=workcalendar.hours_on(unit, day) if working else None,
    )
    return today, now


def home_context(user) -> dict:
    """Everything the home page shows, read for ``user`` only.

    Role cards use ``nav_roles`` from the context processor, so they match the menu.
    """
    employee = employee_of(user)
    if employee is not None:
        employee = Employee.objects.select_related("unit", "supervisor").get(pk=employee.pk)
    today, now = _today(employee)
    delegations = list(active_delegations_for(employee, today.date)) if employee else []
    return {
        "employee": employee,
        "display_name": employee.name if employee else (user.get_full_name() or user.get_username()),
        "greeting": _greeting(now),
        "today": today,
        "delegations": delegations,
    }


def _slots(context: dict) -> tuple[list[dict], list[dict]]:
    """The today slot (drawn inside the today card) apart from the slots that are cards of their own."""
    slots = context["home_slots"]
    today = next((s["items"] for s in slots if s["key"] == nav.TODAY), [])
    return today, [s for s in slots if s["key"] != nav.TODAY]


@login_required
def home(request):
    """Today and the next thing to do, per role: each app's panels (see :mod:`portal.navigation`)."""
    # Read the roles once: the menu (context processor) and the panels use the same answer.
    request._nav_roles = roles_of(request.user)
    context = home_context(request.user)
    context["home_slots"] = nav.home_slots(request._nav_roles, request.user)
    context["today_panels"], context["home_cards"] = _slots(context)
    return render(request, "portal/home.html", context)
