"""Reads about imported traffic: the log imports and what they found."""

from django.db.models import QuerySet

from prospects.models import LogImport


def recent_imports(limit: int = 20) -> QuerySet[LogImport]:
    """The latest log imports with their counts and malformed samples."""
    return LogImport.objects.order_by("-started_at")[:limit]
