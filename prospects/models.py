"""The app's models, each defined with its domain; Django and the rest of the code import them here."""

from .crm.models import Company, Contact, Note, StatusChange, Touchpoint
from .identify.models import IdentificationOverride, IPResolution
from .queue.models import ThresholdChange
from .visits.models import (
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
