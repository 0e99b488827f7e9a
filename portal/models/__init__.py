from .audit import AuditEvent
from .calendar import CalendarOverride, OverrideKind, RamadanPeriod, WorkingHours
from .notify import EmailState, Notification
from .org import (
    AsnType,
    Delegation,
    DelegationKind,
    Employee,
    HRAdminScope,
    PositionKind,
    TimeZone,
    Unit,
    UnitKind,
    User,
)

__all__ = [
    "AsnType", "AuditEvent", "EmailState", "Notification",
    "CalendarOverride", "Delegation", "DelegationKind", "Employee",
    "HRAdminScope", "OverrideKind", "PositionKind", "RamadanPeriod", "TimeZone", "Unit",
    "UnitKind", "User", "WorkingHours",
]
