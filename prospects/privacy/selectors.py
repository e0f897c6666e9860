"""Reads for the privacy page: the latest erasures and audit events, and what masking did."""

from django.conf import settings

from prospects.identify.models import IdentificationOverride
from prospects.visits import ipkeys
from prospects.visits.models import Visitor

from . import masking
from .models import AuditEvent, Erasure


def recent_erasures(limit: int = 50):
    """The latest erasures, newest first."""
    return Erasure.objects.order_by("-erased_at", "-id")[:limit]


def recent_audit_events(limit: int = 100):
    """The latest views and exports, newest first."""
    return AuditEvent.objects.order_by("-at", "-id")[:limit]


def masking_status() -> dict:
    """The masking settings and how many visitors are masked, due, and still waiting."""
    unmasked = Visitor.objects.filter(ip_key=ipkeys.RAW).count()
    due = masking.due_visitors().count()
    return {
        "enabled": settings.LEADGEN_IP_MASKING,
        "ipv4_bits": settings.LEADGEN_IP_MASK_IPV4_BITS,
        "ipv6_bits": settings.LEADGEN_IP_MASK_IPV6_BITS,
        "delay_hours": settings.LEADGEN_IP_MASK_DELAY_HOURS,
        "masked": Visitor.objects.exclude(ip_key=ipkeys.RAW).count(),
        "due": due,
        # Unresolved yet, or resolved less than the delay ago.
        "waiting": unmasked - due,
        **_override_counts(),
    }


def _override_counts() -> dict:
    """Single-IP overrides masked, and those still holding their full address."""
    ip_overrides = IdentificationOverride.objects.filter(kind=IdentificationOverride.Kind.IP)
    masked = ip_overrides.exclude(ip_key=ipkeys.RAW).count()
    return {"overrides_masked": masked, "overrides_full": ip_overrides.count() - masked}
