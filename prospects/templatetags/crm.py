"""Template helpers for the workspace pages: role checks and small formatting."""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from prospects.roles import has_role as _has_role
from scoring.reasons import reason_texts as _reason_texts

register = template.Library()


@register.filter
def has_role(user, role: str) -> bool:
    """`{% if user|has_role:"admin" %}`: whether the user holds the role (admins hold all)."""
    return _has_role(user, role)


@register.filter
def percent(value) -> str:
    """A probability as a whole percentage, blank when missing."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.0f}%"


@register.filter
def fraction(value) -> str:
    """A probability with two decimals and a dot whatever the locale, for CSS (`--p: 0.87`).

    Cheaper than floatformat, which goes through Decimal and localisation on every row.
    """
    if value is None or value == "":
        return ""
    return f"{float(value):.2f}"


# (seconds in the unit, singular, plural), largest first, for ago().
_AGO_UNITS = [
    (365 * 86400, "year", "years"),
    (30 * 86400, "month", "months"),
    (7 * 86400, "week", "weeks"),
    (86400, "day", "days"),
    (3600, "hour", "hours"),
    (60, "minute", "minutes"),
]


@register.filter
def ago(when) -> str:
    """`<time>` for a past moment, shown as "3 days ago" in its largest whole unit.

    The queue shows one per row: this skips naturaltime's translations and the localised
    date formats, which cost more than the rest of the row.
    """
    if not when:
        return ""
    seconds = int((timezone.now() - when).total_seconds())
    text = "just now"
    for size, one, many in _AGO_UNITS:
        if seconds >= size:
            count = seconds // size
            text = f"{count} {one if count == 1 else many} ago"
            break
    local = timezone.localtime(when) if timezone.is_aware(when) else when
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        local.strftime("%Y-%m-%d %H:%M %Z").strip(),
        text,
    )


@register.filter
def duration(seconds) -> str:
    """Seconds as "1m 05s" for time on page; blank when unknown (a session's last page)."""
    if seconds is None:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


@register.filter
def reason_texts(reasons) -> list[str]:
    """The readable text of each score reason (scoring.reasons owns the stored shape)."""
    return _reason_texts(reasons)
