"""Reads for the privacy page: the latest erasures and audit events."""

from .models import AuditEvent, Erasure


def recent_erasures(limit: int = 50):
    """The latest erasures, newest first."""
    return Erasure.objects.order_by("-erased_at", "-id")[:limit]


def recent_audit_events(limit: int = 100):
    """The latest views and exports, newest first."""
    return AuditEvent.objects.order_by("-at", "-id")[:limit]
