"""Filters of the experiment and attribution pages: rates and differences with the precision small rates need."""

from django import template

register = template.Library()


@register.filter
def rate(value) -> str:
    """A share as a percentage with one decimal ("2.3%"), a dash when missing."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def points(value) -> str:
    """A difference of two rates in percentage points, signed ("+1.20 pts")."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:+.2f} pts"


@register.filter
def signed(value) -> str:
    """A difference with its sign and one decimal ("+12.3", "-4.0"), a dash when missing."""
    if value is None or value == "":
        return "—"
    return f"{float(value):+.1f}"
