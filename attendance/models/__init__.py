from .audit import Verb as AuditVerb
from .presence import (
    MODE_BY_KIND,
    Band,
    BandKind,
    Correction,
    CorrectionStatus,
    DayStatus,
    ExportJob,
    ExportStatus,
    Punch,
    Source,
    WorkMode,
)
from .staffing import ABSENCE_COLUMNS, StaffingAlert, StaffingSnapshot, StaffingStatus, UnitStaffChange

__all__ = [
    "ABSENCE_COLUMNS", "AuditVerb", "Band", "BandKind", "Correction", "CorrectionStatus", "DayStatus", "ExportJob",
    "ExportStatus", "MODE_BY_KIND", "Punch", "Source", "StaffingAlert", "StaffingSnapshot", "StaffingStatus",
    "UnitStaffChange", "WorkMode",
]
