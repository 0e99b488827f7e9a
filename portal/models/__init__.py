from .audit import AuditEvent
from .calendar import (
    WEEKDAYS,
    CalendarOverride,
    MonthClosure,
    OverrideKind,
    PatternKind,
    RamadanPeriod,
    WorkPattern,
    WorkPatternDay,
)
from .facts import RuleFactsVersion
from .notify import EmailState, Notification
from .org import (
    AsnType,
    Delegation,
    DelegationKind,
    Employee,
    HRAdminScope,
    PositionKind,
    RecordsEndReason,
    TimeZone,
    Unit,
    UnitKind,
    User,
)

__all__ = [
    "AsnType", "AuditEvent", "EmailState", "Notification",
    "CalendarOverride", "Delegation", "DelegationKind", "Employee",
    "HRAdminScope", "OverrideKind", "PositionKind", "RamadanPeriod", "RecordsEndReason", "RuleFactsVersion",
    "TimeZone", "Unit", "UnitKind", "User", "WEEKDAYS", "MonthClosure", "PatternKind", "WorkPattern", "WorkPatternDay",
]
