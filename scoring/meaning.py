"""What a score means in words: the chance of the vendor's conversion within the horizon."""

import math

from django.conf import settings


def horizon_days() -> int:
    """Days after the newest page view that a score's chance covers."""
    return settings.LEADGEN_SCORE_HORIZON_DAYS


def percent_text(probability: float) -> str:
    """The chance as a whole percentage; the ends say "under 1%" / "over 99%" rather than 0 / 100."""
    p = float(probability)
    if math.isnan(p) or not 0.0 <= p <= 1.0:
        raise ValueError(f"a chance is between 0 and 1, not {probability!r}")
    if p < 0.005:
        return "under 1%"
    if p >= 0.995:
        return "over 99%"
    # Half up, so 0.305 reads 31% as a person rounds (Python's round() would give 30%).
    return f"{math.floor(round(p * 100, 9) + 0.5)}%"


def chance_text(probability: float) -> str:
    """'31% chance of a trial or contact request within 30 days' for a probability of 0.31."""
    days = horizon_days()
    unit = "day" if days == 1 else "days"
    return (
        f"{percent_text(probability)} chance of {settings.LEADGEN_CONVERSION_WORDS} "
        f"within {days} {unit}"
    )
