"""Prospects models, split by subject: visits, companies and CRM work, IP identification."""

from .companies import (
    Company,
    Contact,
    Note,
    StatusChange,
    ThresholdChange,
    Touchpoint,
)
from .identify import IdentificationOverride, IPResolution
from .visits import (
    ContentRule,
    ConversionGoal,
    LogImport,
    Page,
    PageView,
    Session,
    Visitor,
)

__all__ = [
    "Company",
    "Contact",
    "ContentRule",
    "ConversionGoal",
    "IPResolution",
    "IdentificationOverride",
    "LogImport",
    "Note",
    "Page",
    "PageView",
    "Session",
    "StatusChange",
    "ThresholdChange",
    "Touchpoint",
    "Visitor",
]
