"""Every write of scheduling, each in one place that the pages, the API, the admin and the tasks
call: ``requests`` (submit, withdraw, cancel), ``decisions`` (approve, reject, bulk, expiry),
``fwa`` (FWA windows), ``policies`` (coverage policies), ``notifications`` and ``reminders``
(the messages scheduling sends), ``unit_days`` (the rows staffing follows), ``leave`` (HR's leave
settings and balances).
"""

from scheduling.services.decisions import (
    Decision,
    DecisionBlocked,
    request_day_approve,
    request_day_reject,
    request_days_expire,
    requests_decide_bulk,
)
from scheduling.services.emergency import emergency_clean, emergency_declare, emergency_end
from scheduling.services.fwa import FwaOpened, fwa_window_clean, fwa_window_delete, fwa_window_open
from scheduling.services.leave import (
    kind_rule_clean,
    kind_rule_save,
    leave_adjust,
    leave_opening_set,
    leave_settings_save,
)
from scheduling.services.policies import coverage_policy_clean, coverage_policy_delete, coverage_policy_save
from scheduling.services.requests import (
    RequestBlocked,
    SubmitResult,
    request_day_cancel,
    request_day_withdraw,
    request_submit,
)
from scheduling.services.unit_days import unit_days_mark_clean

__all__ = [
    "Decision", "DecisionBlocked", "FwaOpened", "RequestBlocked", "SubmitResult", "coverage_policy_clean",
    "coverage_policy_delete", "coverage_policy_save", "fwa_window_clean", "fwa_window_delete", "fwa_window_open",
    "kind_rule_clean", "kind_rule_save", "leave_adjust", "leave_opening_set", "leave_settings_save",
    "request_day_approve", "request_day_cancel", "request_day_reject", "request_day_withdraw",
    "request_days_expire", "request_submit", "requests_decide_bulk", "unit_days_mark_clean",
    "emergency_clean", "emergency_declare", "emergency_end",
]
