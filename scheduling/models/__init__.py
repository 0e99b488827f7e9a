"""Flexible-work and absence requests, coverage policies, FWA windows."""

from .audit import Verb as AuditVerb
from .emergency import Emergency, EmergencyProfile
from .feeds import FeedKind, FeedToken
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
from .rota import RotaPlan, RotaStatus, WeekdayPreference

__all__ = [
    "FeedKind", "FeedToken",
    "ABSENCE_KINDS", "ACTIVE_STATUSES", "AuditVerb", "CUTI_KINDS", "CoveragePolicy", "Emergency", "EmergencyProfile",
    "EssentialPosition",
    "Evidence", "FLEXIBLE_KINDS", "FwaWindow", "Kind", "Mode", "PPPK_LEAVE_KINDS", "RequestDay", "Status",
    "UnitDay", "WorkRequest", "evidence_path", "DocumentRule", "KindRule", "LeaveAdjustment", "LeaveOpening",
    "LeaveSettings", "Step", "RotaPlan", "RotaStatus", "WeekdayPreference",
]
