"""Reads of scheduling, each answered once for the pages, the API, the services and the other
apps: ``policies`` (the rules in force), ``requests`` (request days as each actor may see them),
``office`` (who is in the office: coverage, the team calendar, plan counts for staffing) and ``preview``
(what a request would meet before it is saved). Attendance reads scheduling only through here.
"""

from scheduling.selectors.decisions import (
    INBOX_PAGE_SIZE,
    DecisionCheck,
    Inbox,
    InboxItem,
    decision_check,
    decision_checks,
    grant_check,
    inbox,
    reject_check,
)
from scheduling.selectors.emergency import (
    emergencies_between,
    emergencies_visible_to,
    emergency_applied,
    emergency_days,
    emergency_for,
)
from scheduling.selectors.evidence import files_prefetch, request_files
from scheduling.selectors.fwa import OpenDay, cap_free_days, open_days
from scheduling.selectors.month import MonthCell, OwnMonth, own_month
from scheduling.selectors.office import (
    CoverageDay,
    TeamCalendar,
    TeamDay,
    approved_plan_for,
    away_by_date,
    changed_unit_days,
    coverage,
    coverage_unit_for,
    essential_counts,
    months_between,
    plan_counts,
    supervised_units,
    team_calendar,
    team_presence,
    team_units,
    unit_headcount,
)
from scheduling.selectors.policies import (
    EffectivePolicy,
    PolicyBrowse,
    PolicyImpact,
    all_policy_rows,
    effective_policies,
    effective_policy,
    effective_with_sources,
    fwa_windows_visible_to,
    policies_visible_to,
    policy_change_impact,
    policy_for,
    policy_units_browse,
    policy_units_visible_to,
    unit_trail,
)
from scheduling.selectors.preview import (
    MAX_RANGE_DAYS,
    DayPreview,
    RequestPreview,
    Skipped,
    expand_dates,
    nearest_passing_days,
    preview_days,
    preview_each_alone,
    request_preview,
)
from scheduling.selectors.requests import (
    HistoryEvent,
    approved_flexible_on,
    approver_for,
    approver_id_for,
    day_for_decision,
    days_decidable_by,
    decides_for_somebody,
    own_day,
    own_days,
    pending_days_before,
    pending_days_on,
    represented_approvers,
    request_days_visible_to,
    request_history,
)

__all__ = [
    "files_prefetch", "request_files",
    "INBOX_PAGE_SIZE", "DecisionCheck", "Inbox", "InboxItem", "decision_check", "decision_checks",
    "grant_check", "reject_check",
    "MonthCell", "OpenDay", "OwnMonth", "cap_free_days", "open_days", "own_month", "preview_each_alone",
    "CoverageDay", "DayPreview", "EffectivePolicy", "HistoryEvent", "MAX_RANGE_DAYS", "RequestPreview", "Skipped",
    "TeamCalendar", "TeamDay", "all_policy_rows", "approved_flexible_on", "approved_plan_for", "approver_for",
    "approver_id_for",
    "away_by_date", "changed_unit_days", "coverage", "coverage_unit_for", "day_for_decision", "days_decidable_by",
    "decides_for_somebody", "effective_policies", "effective_policy", "effective_with_sources", "essential_counts",
    "expand_dates", "fwa_windows_visible_to", "inbox", "months_between", "nearest_passing_days", "own_day",
    "own_days", "pending_days_before", "pending_days_on", "plan_counts",
    "policies_visible_to", "policy_for", "policy_units_visible_to", "preview_days", "represented_approvers",
    "request_days_visible_to", "request_history", "request_preview", "supervised_units", "team_calendar",
    "team_presence", "team_units", "unit_headcount",
    "PolicyBrowse", "PolicyImpact", "policy_change_impact", "policy_units_browse", "unit_trail",
    "emergencies_between", "emergencies_visible_to", "emergency_applied", "emergency_days", "emergency_for",
]
