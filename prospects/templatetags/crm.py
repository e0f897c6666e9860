"""Template helpers for the workspace pages: role checks and small formatting."""

from django import template

from prospects.roles import has_role as _has_role

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
def duration(seconds) -> str:
    """Seconds as "1m 05s" for time on page; blank when unknown (a session's last page)."""
    if seconds is None:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


@register.filter
def reason_texts(reasons) -> list[str]:
    """The readable text of each score reason, whatever shape the scorer stored."""
    texts = []
    for reason in reasons or []:
        text = reason.get("text") if isinstance(reason, dict) else reason
        if text:
            texts.append(str(text))
    return texts
