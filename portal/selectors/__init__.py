"""Reads of the organisation and the work calendar, always scoped to an actor.

``org`` answers who someone is and what they may see (roles, units, people, audit events,
notifications); ``workcalendar`` whether a date is worked and at what hours. The names most
callers need are importable from the package itself.
"""

from portal.selectors.audit import actor_label, describe_event
from portal.selectors.org import (
    ISSUE_LABELS,
    ROLE_EMPLOYEE,
    ROLE_HR_ADMIN,
    ROLE_SUPERUSER,
    ROLE_SUPERVISOR,
    active_delegations_for,
    ancestors_of,
    audit_events_visible_to,
    current_employee,
    display_name,
    employee_of,
    employees_visible_to,
    hr_scope_units,
    is_hr,
    local_today,
    notifications_of,
    roles_of,
    supervisor_issues,
    units_in_time_zone,
    units_visible_to,
    unread_count,
    with_time_zones,
)

__all__ = [
    "actor_label", "describe_event",
    "ISSUE_LABELS", "ROLE_EMPLOYEE", "ROLE_HR_ADMIN", "ROLE_SUPERUSER", "ROLE_SUPERVISOR",
    "active_delegations_for", "ancestors_of", "audit_events_visible_to", "current_employee", "display_name",
    "employee_of",
    "employees_visible_to", "hr_scope_units", "is_hr", "local_today", "notifications_of", "roles_of",
    "supervisor_issues", "units_in_time_zone", "units_visible_to", "unread_count", "with_time_zones",
]
