from .presence import (
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
from .staffing import ABSENCE_COLUMNS, StaffingAlert, StaffingSnapshot, StaffingStatus

__all__ = [
    "ABSENCE_COLUMNS", "Band", "BandKind", "Correction", "CorrectionStatus", "DayStatus", "ExportJob",
    "ExportStatus", "Punch", "Source", "StaffingAlert", "StaffingSnapshot", "StaffingStatus", "WorkMode",
]
