"""Flexible-work and absence requests, coverage policies, FWA windows."""

from .audit import Verb as AuditVerb
from .leave import DocumentRule, KindRule, LeaveAdjustment, LeaveOpening, LeaveSettings
from .policies import CoveragePolicy, EssentialPosition, FwaWindow, Mode
from .requests import (
    ABSENCE_KINDS,
    ACTIVE_STATUSES,
    CUTI_KINDS,
    FLEXIBLE_KINDS,
    PPPK_LEAVE_KINDS,
    Evidence,
    Kind,
    RequestDay,
    Status,
    Step,
    UnitDay,
    WorkRequest,
    evidence_path,
)

__all__ = [
    "ABSENCE_KINDS", "ACTIVE_STATUSES", "AuditVerb", "CUTI_KINDS", "CoveragePolicy", "EssentialPosition",
    "Evidence", "FLEXIBLE_KINDS", "FwaWindow", "Kind", "Mode", "PPPK_LEAVE_KINDS", "RequestDay", "Status",
    "UnitDay", "WorkRequest", "evidence_path", "DocumentRule", "KindRule", "LeaveAdjustment", "LeaveOpening",
    "LeaveSettings", "Step",
]
