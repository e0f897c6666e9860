"""The app's models, each defined with its domain; Django and the rest of the code import them here."""

from .accounts.models import Profile
from .alerts.models import (
    Alert,
    AlertScan,
    Delivery,
    DeliveryAttempt,
    QueueArrival,
    Subscription,
    Watch,
    Webhook,
)
from .attribution.models import AttributionReport
from .crm.models import Company, Contact, Note, StatusChange, Task, Touchpoint
from .experiments.models import Experiment, QueueEntry
from .forecast.models import StageChance, StageForecast
from .identify.models import IdentificationOverride, IPResolution
from .privacy.models import AuditEvent, Erasure
from .queue.models import SavedView, ThresholdChange, ViewDefault
from .segments.models import CompanySegment, Segment, Segmentation, VisitorSegment
from .tracking.models import QueuedHit, TrackerSalt
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
    "Alert",
    "AlertScan",
    "AttributionReport",
    "AuditEvent",
    "Company",
    "CompanySegment",
    "Contact",
    "ContentRule",
    "ConversionGoal",
    "Delivery",
    "DeliveryAttempt",
    "Erasure",
    "Experiment",
    "IPResolution",
    "IdentificationOverride",
    "LogImport",
    "Note",
    "Page",
    "PageView",
    "Profile",
    "QueueArrival",
    "QueueEntry",
    "QueuedHit",
    "SavedView",
    "Segment",
    "Segmentation",
    "Session",
    "StageChance",
    "StageForecast",
    "StatusChange",
    "Subscription",
    "Task",
    "ThresholdChange",
    "Touchpoint",
    "TrackerSalt",
    "ViewDefault",
    "Visitor",
    "VisitorSegment",
    "Watch",
    "Webhook",
]
