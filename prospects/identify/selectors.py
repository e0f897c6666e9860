"""Reads for the identification page: resolved IPs, their classifications, hand overrides."""

from django.db.models import Count, F, QuerySet

from prospects.models import IdentificationOverride, IPResolution


def ip_classifications(*, classification: str = "", limit: int = 200) -> QuerySet[IPResolution]:
    """Resolved IPs, newest first, optionally of one classification, with their company."""
    rows = IPResolution.objects.select_related("company").order_by(
        F("resolved_at").desc(nulls_last=True), "ip"
    )
    if classification:
        rows = rows.filter(classification=classification)
    return rows[:limit]


def identification_counts() -> dict:
    """How many resolved IPs fall in each classification."""
    rows = IPResolution.objects.order_by().values("classification").annotate(n=Count("pk"))
    return {row["classification"]: row["n"] for row in rows}


def overrides(limit: int = 200) -> QuerySet[IdentificationOverride]:
    """Hand overrides of identification, newest first."""
    return IdentificationOverride.objects.select_related("company", "created_by")[:limit]
