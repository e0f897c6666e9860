"""How long and how far: the caps on what people enter in the workspace.

Services enforce them (so forms, the API and any other caller refuse the same values with the
same message); forms and API inputs declare the same lengths so a browser or a client learns
the cap before sending.
"""

import datetime as dt

from django.utils import timezone

from prospects.errors import ServiceError

NOTE_MAX_CHARS = 10_000
SUMMARY_MAX_CHARS = 5_000
REASON_MAX_CHARS = 300
# A touchpoint is logged as it happens or soon after; ten years back covers an import of an
# old CRM's history, 0001-01-01 is a typo.
TOUCHPOINT_MAX_AGE = dt.timedelta(days=3653)
# A company snoozed for more than a year is a disqualification in disguise.
SNOOZE_MAX = dt.timedelta(days=366)


def check_length(field: str, value: str, limit: int, what: str) -> None:
    """Refuse a text longer than `limit` characters, naming the field."""
    if len(value) > limit:
        raise ServiceError({field: f"Keep {what} under {limit:,} characters."})


def check_touchpoint_day(day) -> None:
    """A touchpoint's date: a date, not in the future, at most ten years back."""
    if not isinstance(day, dt.date):
        raise ServiceError({"happened_on": "Give the date of the touchpoint."})
    today = timezone.localdate()
    if day > today:
        raise ServiceError({"happened_on": "A touchpoint cannot be in the future."})
    if day < today - TOUCHPOINT_MAX_AGE:
        raise ServiceError({"happened_on": "A touchpoint cannot be more than ten years old."})


def check_snooze_day(day) -> None:
    """A snooze date: a date after today, at most a year ahead."""
    if not isinstance(day, dt.date):
        raise ServiceError(
            {"snoozed_until": "Choose the date the company comes back to the queue."}
        )
    today = timezone.localdate()
    if day <= today:
        raise ServiceError({"snoozed_until": "The snooze date must be in the future."})
    if day > today + SNOOZE_MAX:
        raise ServiceError(
            {"snoozed_until": "Snooze for a year at most; disqualify a company that is done."}
        )
