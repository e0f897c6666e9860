"""Template helpers for the workspace pages: role checks and small formatting."""

import re

from django import template
from django.utils import timezone
from django.utils.html import format_html

from prospects.models import Company
from prospects.roles import has_role as _has_role
from prospects.visits.agents import describe
from scoring.meaning import chance_text, percent_text
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
def chance(value) -> str:
    """A probability in words: "31% chance of a trial or contact request within 30 days"."""
    if value is None or value == "":
        return ""
    return chance_text(float(value))


@register.simple_tag
def score_meaning() -> str:
    """What every score means, without a number: "chance of … within 30 days"."""
    return chance_text(0.5).removeprefix(percent_text(0.5)).strip()


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
    if seconds < 0:
        # A stamp ahead of the clock (a log server whose clock runs fast) is never "just now".
        return stamp(when)
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
def stamp(when) -> str:
    """`<time>` for a moment in the active (the person's) time zone, with the zone shown.

    "Mon 2026-03-02 14:05 CET"; a moment ahead of now says so instead of pretending it passed.
    """
    if not when:
        return ""
    local = timezone.localtime(when) if timezone.is_aware(when) else when
    text = local.strftime("%a %Y-%m-%d %H:%M %Z").strip()
    if when > timezone.now():
        return format_html(
            '<time datetime="{}" class="future" title="This time is ahead of the server\'s clock">'
            "{} (in the future)</time>",
            local.isoformat(),
            text,
        )
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), text)


@register.simple_tag
def zone_name() -> str:
    """The active time zone's name, e.g. "Europe/Berlin", for "times are in ..." notes."""
    return str(timezone.get_current_timezone())


# A hostname as DNS allows it: letters, digits and hyphens in dot-separated labels.
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@register.filter
def website(domain) -> str:
    """The https address of a company's domain, or "" when the domain is not a plain hostname."""
    domain = (domain or "").strip().lower()
    return f"https://{domain}/" if _HOSTNAME.match(domain) else ""


@register.filter
def browser(user_agent) -> str:
    """A user-agent header as browser and operating system ("Chrome 120 on Windows 10")."""
    return describe(user_agent or "")


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


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dict's value, an empty list when missing."""
    return mapping.get(key, []) if mapping else []


@register.filter
def status_label(value) -> str:
    """A status value's label ("converted" → "Converted (SQL)")."""
    try:
        return Company.Status(value).label
    except ValueError:
        return ""


# How each move reads on its button (snooze and disqualify have their own small forms).
_MOVE_LABELS = {
    Company.Status.NEW: "Back to new",
    Company.Status.RESEARCHING: "Back to research",
    Company.Status.READY: "Ready for outreach",
    Company.Status.IN_OUTREACH: "Back to outreach",
    Company.Status.CONVERTED: "Mark converted (SQL)…",
    Company.Status.OPPORTUNITY: "Mark opportunity…",
    Company.Status.CUSTOMER: "Mark won (customer)…",
}


@register.filter
def move_label(status) -> str:
    """The button text of a move to this status."""
    return _MOVE_LABELS.get(status, status_label(status))


def _days_from_today(day) -> int:
    return (day - timezone.localdate()).days


@register.filter
def due(day) -> str:
    """A due day against today in the person's time zone: "overdue 2 days", "today", "Fri 2026-12-04"."""
    if not day:
        return ""
    days = _days_from_today(day)
    if days < 0:
        return f"overdue {-days} day{'s' if days < -1 else ''} ({day:%a %Y-%m-%d})"
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    return f"due {day:%a %Y-%m-%d}"


@register.filter
def due_class(day) -> str:
    """CSS class of a due day: "overdue", "today" or "upcoming"."""
    if not day:
        return ""
    days = _days_from_today(day)
    return "overdue" if days < 0 else "today" if days == 0 else "upcoming"
