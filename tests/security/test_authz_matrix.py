"""The authorization matrix: every route × every persona against an explicit table.

The subject of every object route is ani (employee of bidang_p2p, supervised by kabid,
whose Plh today is citra; hr administers dinkes; hr_other another institution): her
request day, her correction, her notification, bidang_p2p itself, hr's export job.

Columns (see ``PERSONAS``)::

    anonymous  employee(ani)  supervisor(kabid)  other_sup(dedi, UPT)  plh(citra)  hr  hr_other  superuser

Outcomes: "ok" (2xx, or 3xx to a page other than login), "login" (redirect to login, or
401), "400"/"415" (allowed but the body is invalid: authorization passed), "403", "404",
"405".
Out-of-scope objects must answer 404, never 403. A route the URLconf has but the table
lacks fails ``test_it_has_an_entry_for_every_route``; so does a table entry whose route
is gone. The admin tree counts as its index plus one changelist per ModelAdmin.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlparse

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from portal.models import Unit
from tests.security.conftest import FUTURE_WORKING_DAY, PERSONAS

pytestmark = pytest.mark.django_db

# Common rows, in PERSONAS order.
ANYONE = "ok ok ok ok ok ok ok ok"
SIGNED_IN = "login ok ok ok ok ok ok ok"
EMPLOYEES = "login ok ok ok ok 404 404 404"            # active employees only (HR-only accounts have no plan)
OWNER = "login ok 404 404 404 404 404 404"             # ani's own object; a superuser does not act as her
VIEWERS = "login ok ok 404 ok ok 404 ok"               # ani, whoever decides for her, HR over her, superuser
DECIDERS_OF_ANI = "login 404 ok 404 ok 404 404 ok"     # kabid and his Plh; a superuser may decide anything
ANY_DECIDER = "login 404 ok ok ok 404 404 ok"          # pages of people who decide for somebody
HR = "login 404 404 404 404 ok ok ok"                  # HR pages: each HR admin sees their own scope
HR_OF_UNIT = "login 404 404 404 404 ok 404 ok"         # an object in dinkes' subtree
EXPORT_OWNER = "login 404 404 404 404 ok 404 404"      # hr's own export job: nobody else's, not even root's
STAFFING_VIEWERS = "login 404 ok ok ok ok ok ok"
ADMIN_HR = "login login login login login ok ok ok"   # non-staff go to the admin login
ADMIN_ROOT = "login login login login login 403 403 ok"
EMPLOYEE_ACTION_API = "login ok ok ok ok 403 403 403"  # an employee-only action: a role refusal, no object
HR_WRITE_EMPTY = "login 404 404 404 404 400 400 400"   # HR write with an empty body: reached validation
ROOT = "login 404 404 404 404 404 404 ok"              # superuser-only API (HR scopes)
HR_OTHER_ROOT = "login 404 404 404 404 404 ok ok"     # an object of hr_other's institution (a tree root)
ROSTERERS = "login 404 ok ok ok ok ok ok"              # whoever rosters somebody: supervisors, Plh, HR


@dataclass(frozen=True)
class Entry:
    route: str
    method: str
    expect: str
    args: Callable | None = None      # cast -> URL kwargs
    query: Callable | None = None     # cast -> query string dict
    body: Callable | None = None      # cast -> minimal valid body (when "empty" proves nothing)
    why: str = ""


ROTA_OF_P2P = "login 404 ok 404 ok ok 404 ok"         # a rota of bidang_p2p: kabid, his Plh, HR over it, root


def rota_plan(c):
    """A draft rota of bidang_p2p (made once, on first use; each request is rolled back)."""
    from scheduling.models import RotaPlan

    plan, _created = RotaPlan.objects.get_or_create(unit=c.bidang_p2p, month=FUTURE_WORKING_DAY.replace(day=1),
                                                    defaults={"created_by": c.hr})
    return {"pk": plan.pk}


def day(c):
    return {"pk": c.request_day.pk}


def correction(c):
    return {"pk": c.correction.pk}


def note(c):
    return {"pk": c.notification.pk}


def job(c):
    return {"pk": c.export_job.pk}


def p2p_unit(c):
    return {"unit_id": c.bidang_p2p.pk}


def pemkot_checkpoint(c):
    """A signed checkpoint of pemkot's audit chain (hr administers dinkes, inside pemkot): the lane
    of the latest event of one of its units, a chain that has events to sign."""
    from portal.models.audit import AuditEvent
    from portal.services.audit_chain import checkpoint_write

    return {"pk": checkpoint_write(AuditEvent.objects.filter(unit__in=[c.dinkes, c.bidang_p2p]).latest("pk").chain).pk}


def p2p_query(c):
    return {"unit": c.bidang_p2p.pk}


def p2p_report(c):
    return {"report": "monthly-recap", "unit": c.bidang_p2p.pk, "month": "2026-11", "format": "csv"}


def new_request(c):
    return {"kind": "WFH", "dates": ["2026-12-10"]}


def new_correction(c):
    return {"date": "2026-11-30", "check_in": "07:30", "reason": "Jaringan putus."}


def hr_correction(c):
    return {"employee": c.ani.pk, "date": "2026-11-30", "check_in": "07:30", "reason": "Server padam."}


def ani_feed(c):
    """ani's own calendar feed, made now: the secret is the URL's only credential."""
    from scheduling.services.feeds import feed_token_reset

    return {"token": feed_token_reset(actor=c.ani.user, kind="own").secret}


def ani_feed_kind(c):
    ani_feed(c)
    return {"kind": "own"}


ENTRIES = [
    # --- Shell, accounts ----------------------------------------------------------------
    Entry("home", "GET", SIGNED_IN),
    Entry("login", "GET", ANYONE, why="signed-in users are sent home"),
    Entry("logout", "POST", "login login login login login login login login"),
    Entry("set_language", "POST", ANYONE, body=lambda c: {"language": "en"}),
    Entry("favicon", "GET", ANYONE, why="browsers ask before any page; the icon itself"),
    Entry("health", "GET", ANYONE, why="the proxy and systemd probe it; counters only, no personal data"),
    # --- HR pages -------------------------------------------------------------------------
    Entry("hr-import", "GET", HR),
    Entry("hr-supervisor-check", "GET", HR),
    Entry("hr-audit", "GET", HR),
    Entry("hr-audit-checkpoints", "GET", HR),
    Entry("hr-audit-checkpoint-download", "GET", HR_OF_UNIT, args=pemkot_checkpoint,
          why="hr_other's institution is another chain: its checkpoints only"),
    Entry("scheduling:policies", "GET", HR),
    Entry("scheduling:fwa", "GET", HR),
    Entry("scheduling:emergencies", "GET", HR),
    Entry("scheduling:emergency-end", "POST", HR_OF_UNIT, args=lambda c: {"pk": c.emergency.pk}),
    Entry("scheduling:policy_unit", "GET", HR_OF_UNIT, args=p2p_unit),
    Entry("scheduling:policy_edit", "GET", HR_OF_UNIT, args=lambda c: {**p2p_unit(c), "policy_id": c.policy.pk}),
    Entry("attendance-correction-hr", "GET", HR),
    # --- Notifications (pages) ------------------------------------------------------------
    Entry("notifications:list", "GET", SIGNED_IN),
    Entry("notifications:read-all", "POST", SIGNED_IN),
    Entry("notifications:read", "POST", OWNER, args=note),
    Entry("notifications:open", "GET", OWNER, args=note),
    # --- Scheduling pages -----------------------------------------------------------------
    Entry("scheduling:my-calendar", "GET", EMPLOYEES),
    Entry("scheduling:request-new", "GET", EMPLOYEES),
    Entry("scheduling:request-preview", "GET", EMPLOYEES),
    Entry("scheduling:my-requests", "GET", EMPLOYEES),
    Entry("scheduling:day-withdraw", "POST", OWNER, args=day),
    Entry("scheduling:day-cancel", "POST", OWNER, args=day, why="ani: refused with a message (still pending)"),
    Entry("scheduling:request-evidence", "GET", VIEWERS, args=lambda c: {"pk": c.request_evidence.pk}),
    Entry("scheduling:inbox", "GET", ANY_DECIDER),
    Entry("scheduling:inbox-decide", "POST", DECIDERS_OF_ANI, args=day, body=lambda c: {"action": "approve"}),
    Entry("scheduling:inbox-bulk", "POST", ANY_DECIDER, body=lambda c: {"days": [c.request_day.pk],
                                                                        "action": "approve"},
          why="other deciders get a per-day failure message, not the day"),
    Entry("scheduling:team", "GET", STAFFING_VIEWERS, why="HR sees the units of its own scope"),
    # --- Staffing pages -------------------------------------------------------------------
    Entry("staffing-dashboard", "GET", STAFFING_VIEWERS),
    Entry("staffing-day", "GET", "login 404 ok 404 ok ok 404 ok",
          args=lambda c: {**p2p_unit(c), "day": FUTURE_WORKING_DAY.isoformat()}),
    Entry("staffing-export", "GET", "login 404 ok 404 ok ok 404 ok", query=p2p_query),
    # --- Attendance pages -----------------------------------------------------------------
    Entry("attendance-checkin", "GET", EMPLOYEES),
    Entry("attendance-checkin-post", "POST", EMPLOYEES),
    Entry("attendance-checkout-post", "POST", EMPLOYEES),
    Entry("attendance-history", "GET", EMPLOYEES),
    Entry("attendance-correction-new", "GET", EMPLOYEES),
    Entry("attendance-correction-withdraw", "POST", OWNER, args=correction),
    Entry("attendance-correction-evidence", "GET", VIEWERS, args=correction),
    Entry("attendance-corrections-inbox", "GET", ANY_DECIDER),
    Entry("attendance-correction-decide", "POST", DECIDERS_OF_ANI, args=correction,
          body=lambda c: {"action": "approve"}),
    Entry("attendance-reports", "GET", STAFFING_VIEWERS),
    Entry("attendance-report-export", "POST", "login 404 ok 404 ok ok 404 ok", body=p2p_report),
    Entry("attendance-export-status", "GET", EXPORT_OWNER, args=job),
    Entry("attendance-export-download", "GET", EXPORT_OWNER, args=job),
    # --- API: auth, schema ----------------------------------------------------------------
    Entry("api-token", "POST", ANYONE, body=lambda c: {"username": "ani", "password": "rahasia-123"}),
    Entry("api-token", "DELETE", SIGNED_IN),
    Entry("api-me", "GET", SIGNED_IN),
    Entry("api-schema", "GET", ANYONE),
    Entry("api-docs", "GET", ANYONE),
    # --- API: organisation, notifications -------------------------------------------------
    Entry("api-unit-list", "GET", SIGNED_IN, why="empty for non-HR"),
    Entry("api-unit-search", "GET", SIGNED_IN, query=lambda c: {"q": "dinkes"},
          why="units of the caller's own institution; empty for accounts without an employee"),
    Entry("api-unit-detail", "GET", HR_OF_UNIT, args=lambda c: {"pk": c.bidang_p2p.pk}),
    Entry("api-employee-list", "GET", SIGNED_IN, why="empty for non-HR"),
    Entry("api-employee-detail", "GET", HR_OF_UNIT, args=lambda c: {"pk": c.ani.pk}),
    Entry("api-notification-list", "GET", SIGNED_IN),
    Entry("api-notification-read-all", "POST", SIGNED_IN),
    Entry("api-notification-read", "POST", OWNER, args=note),
    # --- API: scheduling ------------------------------------------------------------------
    Entry("api-coverage", "GET", VIEWERS,
          query=lambda c: {**p2p_query(c), "start": "2026-12-07", "end": "2026-12-11"}),
    Entry("api-inbox", "GET", SIGNED_IN, why="empty for non-deciders"),
    Entry("api-request-day-list", "GET", SIGNED_IN),
    Entry("api-request-day-list", "POST", EMPLOYEE_ACTION_API, body=new_request),
    Entry("api-request-day-preview", "POST", EMPLOYEE_ACTION_API, body=new_request),
    Entry("api-request-day-decide", "POST", "login 400 400 400 400 400 400 400",
          why="bulk: per-id results; ids out of scope report ok=false (test_service_permissions)"),
    Entry("api-request-day-detail", "GET", VIEWERS, args=day),
    Entry("api-request-day-approve", "POST", DECIDERS_OF_ANI, args=day),
    Entry("api-request-day-decision-check", "GET", DECIDERS_OF_ANI, args=day),
    Entry("api-request-day-reject", "POST", "login 404 400 404 400 404 404 400", args=day,
          why="the reason is required"),
    Entry("api-request-day-cancel", "POST", "login 400 404 404 404 404 404 404", args=day,
          why="ani: a pending day cannot be cancelled"),
    Entry("api-request-day-withdraw", "POST", OWNER, args=day),
    # --- API: staffing, attendance, corrections, exports ----------------------------------
    Entry("api-staffing", "GET", "login 404 ok 404 ok ok 404 ok", query=p2p_query),
    Entry("api-attendance-list", "GET", SIGNED_IN),
    Entry("api-attendance-check-in", "POST", EMPLOYEE_ACTION_API),
    Entry("api-attendance-check-out", "POST", EMPLOYEE_ACTION_API),
    Entry("api-attendance-correction-list", "GET", SIGNED_IN),
    Entry("api-attendance-correction-list", "POST", EMPLOYEE_ACTION_API, body=new_correction),
    Entry("api-attendance-correction-hr", "POST", HR_OF_UNIT, body=hr_correction),
    Entry("api-attendance-correction-detail", "GET", VIEWERS, args=correction),
    Entry("api-attendance-correction-approve", "POST", DECIDERS_OF_ANI, args=correction),
    Entry("api-attendance-correction-reject", "POST", "login 404 400 404 400 404 404 400", args=correction,
          why="the reason is required"),
    Entry("api-attendance-correction-withdraw", "POST", OWNER, args=correction),
    Entry("api-export-list", "GET", SIGNED_IN),
    Entry("api-export-list", "POST", "login 404 ok 404 ok ok 404 ok", body=p2p_report),
    Entry("api-export-detail", "GET", EXPORT_OWNER, args=job),
    Entry("api-export-file", "GET", EXPORT_OWNER, args=job),
    # --- API: HR writes, delegations, scopes, calendar, import, audit -----------------------
    Entry("api-unit-list", "POST", HR_WRITE_EMPTY),
    Entry("api-unit-detail", "PATCH", HR_OF_UNIT, args=lambda c: {"pk": c.bidang_p2p.pk}),
    Entry("api-unit-deactivate", "POST", HR_OF_UNIT, args=lambda c: {"pk": c.bidang_p2p.pk}),
    Entry("api-employee-list", "POST", HR_WRITE_EMPTY),
    Entry("api-employee-detail", "PATCH", HR_OF_UNIT, args=lambda c: {"pk": c.ani.pk}),
    Entry("api-employee-deactivate", "POST", HR_OF_UNIT, args=lambda c: {"pk": c.ani.pk}),
    Entry("api-delegation-list", "GET", HR),
    Entry("api-delegation-list", "POST", HR_WRITE_EMPTY),
    Entry("api-delegation-detail", "GET", HR_OF_UNIT, args=lambda c: {"pk": c.delegation.pk}),
    Entry("api-delegation-revoke", "POST", HR_OF_UNIT, args=lambda c: {"pk": c.delegation.pk}),
    Entry("api-hr-scope-list", "GET", ROOT),
    Entry("api-hr-scope-list", "POST", "login 404 404 404 404 404 404 400"),
    Entry("api-hr-scope-detail", "GET", ROOT, args=lambda c: {"pk": c.hr_scope.pk}),
    Entry("api-hr-scope-detail", "DELETE", ROOT, args=lambda c: {"pk": c.hr_scope.pk}),
    Entry("api-calendar-override-list", "GET", HR),
    Entry("api-calendar-override-list", "POST", HR_WRITE_EMPTY),
    Entry("api-calendar-override-detail", "GET", HR_OF_UNIT, args=lambda c: {"pk": c.calendar_override.pk}),
    Entry("api-calendar-override-detail", "DELETE", ROOT, args=lambda c: {"pk": c.calendar_override.pk},
          why="the override belongs to pemkot's calendar: only HR over the institution root may change it"),
    Entry("api-hr-import", "GET", HR),
    Entry("api-hr-import", "POST", "login 404 404 404 404 415 415 415", why="multipart only; JSON is refused"),
    Entry("api-hr-supervisor-check", "GET", HR),
    Entry("api-hr-audit", "GET", HR),
    Entry("api-audit-checkpoint-list", "GET", HR),
    Entry("api-audit-checkpoint-detail", "GET", HR_OF_UNIT, args=pemkot_checkpoint),
    # --- API: policies, FWA windows, team, history ----------------------------------------
    Entry("api-policy-list", "GET", HR),
    Entry("api-policy-list", "POST", HR_WRITE_EMPTY),
    Entry("api-policy-effective", "GET", HR_OF_UNIT, query=p2p_query),
    Entry("api-policy-detail", "GET", HR_OF_UNIT, args=lambda c: {"pk": c.policy.pk}),
    Entry("api-policy-detail", "PUT", "login 404 404 404 404 400 404 400", args=lambda c: {"pk": c.policy.pk}),
    Entry("api-policy-preview", "POST", HR_WRITE_EMPTY),
    Entry("api-policy-preview-change", "POST", "login 404 404 404 404 400 404 400", args=lambda c: {"pk": c.policy.pk}),
    Entry("api-fwa-window-list", "GET", HR),
    Entry("api-fwa-window-list", "POST", HR_WRITE_EMPTY),
    Entry("api-fwa-window-detail", "GET", HR_OF_UNIT, args=lambda c: {"pk": c.fwa_window.pk}),
    Entry("api-emergency-list", "GET", HR),
    Entry("api-emergency-list", "POST", HR_WRITE_EMPTY),
    Entry("api-emergency-detail", "GET", HR_OF_UNIT, args=lambda c: {"pk": c.emergency.pk}),
    Entry("api-emergency-end", "POST", HR_OF_UNIT, args=lambda c: {"pk": c.emergency.pk}),
    Entry("api-team", "GET", "login 404 ok 404 ok ok 404 ok", query=p2p_query),
    Entry("api-request-day-history", "GET", VIEWERS, args=day),
    # --- Working patterns, Ramadan, attendance rules, shifts, rosters, izin, closing ---------
    Entry("hr-work-patterns", "GET", HR),
    Entry("hr-work-pattern-unit", "GET", HR_OF_UNIT, args=p2p_unit),
    Entry("hr-work-pattern-edit", "GET", HR_OF_UNIT,
          args=lambda c: {"unit_id": c.bidang_p2p.pk, "pattern_id": c.pattern.pk}),
    Entry("hr-work-pattern-delete", "GET", HR_OF_UNIT, args=lambda c: {"pattern_id": c.pattern.pk},
          why="GET only asks for the confirmation"),
    Entry("hr-ramadan", "GET", HR),
    Entry("hr-ramadan-edit", "GET", HR_OTHER_ROOT, args=lambda c: {"period_id": c.other_ramadan.pk}),
    Entry("hr-ramadan-delete", "GET", HR_OTHER_ROOT, args=lambda c: {"period_id": c.other_ramadan.pk},
          why="GET only asks for the confirmation"),
    Entry("api-work-pattern-list", "GET", HR),
    Entry("api-work-pattern-list", "POST", HR_WRITE_EMPTY),
    Entry("api-work-pattern-in-force", "GET", HR_OF_UNIT, query=p2p_query),
    Entry("api-work-pattern-detail", "GET", HR_OF_UNIT, args=lambda c: {"pk": c.pattern.pk}),
    Entry("api-work-pattern-detail", "PUT", "login 404 404 404 404 400 404 400", args=lambda c: {"pk": c.pattern.pk}),
    Entry("api-work-pattern-detail", "DELETE", HR_OF_UNIT, args=lambda c: {"pk": c.pattern.pk}),
    Entry("api-ramadan-period-list", "GET", HR),
    Entry("api-ramadan-period-list", "POST", HR_WRITE_EMPTY),
    Entry("api-ramadan-period-detail", "GET", HR_OTHER_ROOT, args=lambda c: {"pk": c.other_ramadan.pk}),
    Entry("api-ramadan-period-detail", "PUT", "login 404 404 404 404 404 400 400",
          args=lambda c: {"pk": c.other_ramadan.pk}),
    Entry("api-ramadan-period-detail", "DELETE", HR_OTHER_ROOT, args=lambda c: {"pk": c.other_ramadan.pk}),
    Entry("attendance-rules", "GET", HR),
    Entry("attendance-rules-institution", "GET", HR_OTHER_ROOT,
          args=lambda c: {"institution_id": c.pemprov_lain.pk}),
    Entry("attendance-rules-edit", "GET", HR_OTHER_ROOT,
          args=lambda c: {"institution_id": c.pemprov_lain.pk, "version_id": c.other_rules.pk}),
    Entry("attendance-rules-delete", "GET", HR_OTHER_ROOT, args=lambda c: {"version_id": c.other_rules.pk},
          why="GET only asks for the confirmation"),
    Entry("attendance-shifts", "GET", HR),
    Entry("attendance-shifts-unit", "GET", HR_OF_UNIT, args=lambda c: {"unit_id": c.upt.pk}),
    Entry("attendance-shift-edit", "GET", HR_OF_UNIT, args=lambda c: {"unit_id": c.upt.pk, "shift_id": c.shift.pk}),
    Entry("api-attendance-rules-list", "GET", HR),
    Entry("api-attendance-rules-list", "POST", HR_WRITE_EMPTY),
    Entry("api-attendance-rules-detail", "GET", HR_OTHER_ROOT, args=lambda c: {"pk": c.other_rules.pk}),
    Entry("api-attendance-shift-list", "GET", HR),
    Entry("api-attendance-shift-list", "POST", HR_WRITE_EMPTY),
    Entry("api-attendance-shift-detail", "GET", HR_OF_UNIT, args=lambda c: {"pk": c.shift.pk}),
    Entry("attendance-roster", "GET", ROSTERERS),
    Entry("api-attendance-roster", "GET", ROSTERERS),
    Entry("attendance-permissions", "GET", EMPLOYEES),
    Entry("attendance-permission-withdraw", "POST", OWNER, args=lambda c: {"pk": c.permission.pk}),
    Entry("attendance-permissions-inbox", "GET", ANY_DECIDER),
    Entry("attendance-permission-decide", "POST", DECIDERS_OF_ANI, args=lambda c: {"pk": c.permission.pk}),
    Entry("api-attendance-permission-list", "GET", SIGNED_IN),
    Entry("api-attendance-permission-list", "POST", EMPLOYEE_ACTION_API,
          body=lambda c: {"date": "2026-12-10", "kind": "TERLAMBAT", "end_time": "09:00", "reason": "Antar anak."}),
    Entry("api-attendance-permission-detail", "GET", VIEWERS, args=lambda c: {"pk": c.permission.pk}),
    Entry("api-attendance-permission-withdraw", "POST", OWNER, args=lambda c: {"pk": c.permission.pk}),
    Entry("api-attendance-permission-decide", "POST", "login 404 400 404 400 404 404 400",
          args=lambda c: {"pk": c.permission.pk}),
    Entry("attendance-closing", "GET", HR),
    Entry("attendance-closing", "POST", HR, why="an empty form re-renders with its errors"),
    Entry("attendance-closing-reopen", "POST", HR_OF_UNIT, args=lambda c: {"pk": c.closure.pk}),
    Entry("api-attendance-month-closure-list", "GET", HR),
    Entry("api-attendance-month-closure-list", "POST", HR_WRITE_EMPTY),
    Entry("api-attendance-month-closure-detail", "GET", HR_OF_UNIT, args=lambda c: {"pk": c.closure.pk}),
    Entry("api-attendance-month-closure-reopen", "POST", "login 404 404 404 404 400 404 400",
          args=lambda c: {"pk": c.closure.pk}),
    # --- Leave (cuti): HR settings per institution, balances, import; the employee's own ----------
    Entry("scheduling:my-leave", "GET", EMPLOYEES),
    Entry("scheduling:leave-settings", "GET", HR),
    Entry("scheduling:leave-institution", "GET", HR_OTHER_ROOT, args=lambda c: {"institution_id": c.pemprov_lain.pk}),
    Entry("scheduling:leave-institution", "POST", HR_OTHER_ROOT, args=lambda c: {"institution_id": c.pemprov_lain.pk},
          why="an empty form re-renders with its errors"),
    Entry("scheduling:leave-balances", "GET", HR),
    Entry("scheduling:leave-employee", "GET", HR_OF_UNIT, args=lambda c: {"employee_id": c.ani.pk}),
    Entry("scheduling:leave-employee", "POST", HR_OF_UNIT, args=lambda c: {"employee_id": c.ani.pk},
          why="an empty post re-renders the page"),
    Entry("scheduling:leave-import", "GET", HR),
    Entry("api-leave-institutions", "GET", HR),
    Entry("api-leave-settings", "GET", HR_OTHER_ROOT, args=lambda c: {"pk": c.pemprov_lain.pk}),
    Entry("api-leave-settings", "PUT", "login 404 404 404 404 404 400 400", args=lambda c: {"pk": c.pemprov_lain.pk}),
    Entry("api-leave-kind-rules", "GET", HR_OTHER_ROOT, args=lambda c: {"pk": c.pemprov_lain.pk}),
    Entry("api-leave-kind-rules", "PUT", "login 404 404 404 404 404 400 400",
          args=lambda c: {"pk": c.pemprov_lain.pk}),
    Entry("api-leave-employee", "GET", HR_OF_UNIT, args=lambda c: {"pk": c.ani.pk}),
    Entry("api-leave-opening", "POST", "login 404 404 404 404 400 404 400", args=lambda c: {"pk": c.ani.pk}),
    Entry("api-leave-adjustments", "POST", "login 404 404 404 404 400 404 400", args=lambda c: {"pk": c.ani.pk}),
    Entry("api-leave-me", "GET", EMPLOYEES),
    # --- Calendar feeds: the page, the feed (the token is the credential), the API ------------------
    Entry("scheduling:calendar-feeds", "GET", EMPLOYEES),
    Entry("scheduling:calendar-feeds", "POST", EMPLOYEES, body=lambda c: {"action": "reset", "kind": "own"}),
    Entry("scheduling:calendar-feed", "GET", ANYONE, args=ani_feed,
          why="no session needed: the secret opens ani's feed, and only it, for whoever holds it"),
    Entry("api-calendar-feeds", "GET", SIGNED_IN, why="empty for accounts without a feed"),
    Entry("api-calendar-feeds", "POST", "login ok ok ok ok 400 400 400", body=lambda c: {"kind": "own"},
          why="HR-only accounts have no plan: the kind is refused"),
    Entry("api-calendar-feed-revoke", "POST", OWNER, args=ani_feed_kind, why="others have no live own feed"),
    # --- Rota planner: preferences (Saya), proposals of a unit's month (Tim), the API --------------
    Entry("scheduling:rota-preferences", "GET", EMPLOYEES),
    Entry("scheduling:rota-preferences", "POST", EMPLOYEES, why="an empty choice is a valid preference"),
    Entry("scheduling:rota", "GET", ROSTERERS, why="whoever decides for somebody, HR over its own scope"),
    Entry("scheduling:rota", "POST", ROSTERERS, why="an empty form is shown again with its errors"),
    Entry("scheduling:rota-plan", "GET", ROTA_OF_P2P, args=rota_plan),
    Entry("scheduling:rota-adjust", "POST", ROTA_OF_P2P, args=rota_plan, why="no cell changed"),
    Entry("scheduling:rota-publish", "POST", ROTA_OF_P2P, args=rota_plan),
    Entry("api-rota-preferences", "GET", EMPLOYEES),
    Entry("api-rota-preferences", "PUT", "login 400 400 400 400 404 404 404"),
    Entry("api-rota-plans", "GET", ROSTERERS),
    Entry("api-rota-plans", "POST", "login 404 400 400 400 400 400 400"),
    Entry("api-rota-plan", "GET", ROTA_OF_P2P, args=rota_plan),
    Entry("api-rota-plan-cells", "POST", "login 404 400 404 400 400 404 400", args=rota_plan),
    Entry("api-rota-plan-publish", "POST", ROTA_OF_P2P, args=rota_plan),
    # --- Admin: the index and one changelist per ModelAdmin -------------------------------
    Entry("admin:index", "GET", ADMIN_HR),
    *[Entry(f"admin:{name}_changelist", "GET", ADMIN_HR) for name in (
        "portal_unit", "portal_employee", "portal_delegation", "portal_calendaroverride", "portal_workpattern",
        "portal_monthclosure",
        "portal_ramadanperiod", "portal_auditevent", "scheduling_coveragepolicy", "scheduling_fwawindow",
        "scheduling_workrequest", "scheduling_requestday", "attendance_attendancerules", "attendance_shift",
        "attendance_rosterentry", "attendance_partialpermission", "scheduling_kindrule", "scheduling_leavesettings",
        "scheduling_leaveopening", "scheduling_leaveadjustment", "scheduling_emergency", "scheduling_rotaplan")],
    *[Entry(f"admin:{name}_changelist", "GET", ADMIN_ROOT) for name in (
        "portal_user", "portal_hradminscope", "auth_group", "authtoken_tokenproxy",
        "django_celery_beat_clockedschedule", "django_celery_beat_crontabschedule",
        "django_celery_beat_intervalschedule", "django_celery_beat_periodictask",
        "django_celery_beat_solarschedule")],
]


def test_it_has_an_entry_for_every_route():
    routes = route_names()
    covered = {e.route for e in ENTRIES}
    missing, stale = sorted(routes - covered), sorted(covered - routes)
    assert not missing, "routes without an authorization entry (add them to ENTRIES): " + ", ".join(missing)
    assert not stale, "entries for routes that no longer exist: " + ", ".join(stale)


def test_it_states_one_outcome_per_persona():
    for entry in ENTRIES:
        assert len(entry.expect.split()) == len(PERSONAS), entry


def _url(entry: Entry, cast) -> str:
    url = reverse(entry.route, kwargs=entry.args(cast) if entry.args else None)
    if entry.query:
        url += "?" + urlencode(entry.query(cast))
    return url


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.route}-{e.method}" for e in ENTRIES])
def test_it_answers_each_persona_as_the_table_says(entry, cast):
    url = _url(entry, cast)
    body = entry.body(cast) if entry.body else None
    got = [call(cast.users[p], entry.method, url, body) for p in PERSONAS]
    expected = entry.expect.split()
    wrong = [f"{p}: expected {e}, got {g}" for p, e, g in zip(PERSONAS, expected, got) if e != g]
    assert not wrong, f"{entry.method} {url}: " + "; ".join(wrong) + f"\n  got row: {' '.join(got)}"


def test_it_cuts_admin_changelists_to_the_hr_scope(cast, client):
    """hr_other enters the admin but sees nothing of dinkes."""
    client.force_login(cast.hr_other)
    dinkes_units = set(Unit.objects.subtree_of(cast.dinkes).values_list("pk", flat=True))
    for name in ("portal_unit", "portal_employee", "portal_delegation", "scheduling_coveragepolicy",
                 "scheduling_workrequest", "scheduling_requestday", "portal_auditevent", "scheduling_rotaplan"):
        rows = list(client.get(reverse(f"admin:{name}_changelist")).context["cl"].queryset)
        leaked = [r for r in rows if _unit_id_of(r) in dinkes_units]
        assert not leaked, f"{name}: {leaked}"


def _unit_id_of(obj) -> int | None:
    if isinstance(obj, Unit):
        return obj.pk
    if hasattr(obj, "unit_id"):
        return obj.unit_id
    holder = getattr(obj, "delegator", None) or getattr(obj, "employee", None)
    return holder.unit_id if holder is not None else None


# --- Machinery: walk the URLconf, classify answers ---------------------------------------

ADMIN_NAMESPACE = "admin"


def walk(patterns=None, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """Every (route name, pattern string) of the URLconf, namespaces joined with ':'.

    Unnamed patterns are reported by their pattern string so they cannot hide.
    """
    patterns = get_resolver().url_patterns if patterns is None else patterns
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            found += walk(p.url_patterns, prefix + str(p.pattern), ns)
        else:
            pattern = prefix + str(p.pattern)
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or pattern)
            found.append((name, pattern))
    return found


def admin_entries() -> set[str]:
    """The admin tree as the index plus one changelist per registered ModelAdmin."""
    entries = {f"{ADMIN_NAMESPACE}:index"}
    for model in admin.site._registry:
        entries.add(f"{ADMIN_NAMESPACE}:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return entries


def route_names() -> set[str]:
    """Routes the table must cover: every non-admin route, plus the admin entries."""
    names = {name for name, pattern in walk() if not name.startswith(f"{ADMIN_NAMESPACE}:")
             and not pattern.startswith("admin/")}
    return names | admin_entries()


def outcome(response) -> str:
    """"ok", "login", or the status code as text ("400", "403", "404", "405", "500", ...)."""
    code = response.status_code
    if code == 401:
        return "login"
    if 300 <= code < 400:
        target = urlparse(response["Location"]).path
        return "login" if target in (reverse("login"), reverse("admin:login")) else "ok"
    if 200 <= code < 300:
        return "ok"
    return str(code)


def call(user, method: str, url: str, body: dict | None = None) -> str:
    """One request as ``user`` (None: anonymous), rolled back so personas never see each
    other's writes. Exceptions become "500" instead of aborting the test. API bodies are
    JSON, page bodies are form posts."""
    client = Client(raise_request_exception=False)
    with transaction.atomic():
        if user is not None:
            client.force_login(user)
        kwargs = {}
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            if url.startswith("/api/"):
                kwargs = {"data": json.dumps(body or {}, default=str), "content_type": "application/json"}
            elif body:
                kwargs = {"data": body}
        response = getattr(client, method.lower())(url, **kwargs)
        result = outcome(response)
        if response.streaming:  # consuming runs the client's own close (which keeps the connection)
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return result
