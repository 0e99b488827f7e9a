from .audit import Verb as AuditVerb
from .nightly import NightlyBatch, NightlyRun
from .permissions import PartialPermission, PermissionKind, PermissionStatus, TkNotice, TkNoticeKind
from .presence import (
    MODE_BY_KIND,
    Correction,
    CorrectionStatus,
    DayStatus,
    ExportJob,
    ExportStatus,
    Punch,
    Source,
    WorkMode,
)
from .recap import RecapFreshness
from .rules import AttendanceRules, Band, BandKind, ImplausibleStatus
from .schedule import RosterEntry, Shift
from .staffing import ABSENCE_COLUMNS, StaffingAlert, StaffingSnapshot, StaffingStatus, UnitStaffChange

__all__ = [
    "ABSENCE_COLUMNS", "AttendanceRules", "AuditVerb", "Band", "BandKind", "Correction", "CorrectionStatus",
    "DayStatus", "ExportJob", "ExportStatus", "ImplausibleStatus", "MODE_BY_KIND", "NightlyBatch",
    "NightlyRun", "PartialPermission",
    "PermissionKind", "PermissionStatus", "Punch", "RecapFreshness", "RosterEntry", "Shift", "Source", "StaffingAlert",
    "StaffingSnapshot", "StaffingStatus", "TkNotice", "TkNoticeKind", "UnitStaffChange", "WorkMode",
]
