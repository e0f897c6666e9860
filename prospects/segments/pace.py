"""The pace cue: from a company's recent sessions, is it hurried or browsing?

Hurried: few pages a visit, short gaps between pages, pricing early in a visit. Browsing: long
reads across many kinds of content. Each side needs two of its three signs and more signs than
the other; otherwise no cue is shown (most companies are neither).
"""

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Max

from prospects.models import PageView, Visitor
from prospects.visits.choices import Category

# The company's sessions within this many days of its newest one count as recent.
RECENT_DAYS = 30
# At most this many recent page views are read (a busy company's newest ones).
MAX_VIEWS = 500
FEW_PAGES = 3.0
SHORT_GAP_S = 45
LONG_READ_S = 90
MANY_CATEGORIES = 4
# Pricing among a visit's first pages.
EARLY = 2


@dataclass(frozen=True)
class Pace:
    kind: str  # "hurried" or "browsing"
    evidence: str
    advice: str


def company_pace(*, company) -> Pace | None:
    """The company's pace from its visitors' recent sessions, or None when there is no clear one."""
    # The newest visit from the (company, last_seen) index.
    newest = Visitor.objects.filter(company=company).aggregate(Max("last_seen"))["last_seen__max"]
    return recent_pace(company=company, newest=newest)


def recent_pace(*, company, newest) -> Pace | None:
    """company_pace for a caller that has read the company's newest visit (None: no visit),
    as the company page has, its visitors newest first."""
    # Page views only of visitors seen since the cut, through the (visitor, ts) index: a big
    # company's old visitors stay out.
    if newest is None:
        return None
    since = newest - dt.timedelta(days=RECENT_DAYS)
    rows = list(
        PageView.objects.filter(
            visitor__company=company, visitor__last_seen__gt=since, ts__gt=since
        )
        .exclude(page__category=Category.CONTACT)
        .order_by("-ts")
        .values_list("session_id", "ts", "time_on_page", "page__category")[:MAX_VIEWS]
    )
    return pace_of(rows)


def sessions_pace(*, sessions, newest) -> Pace | None:
    """recent_pace from sessions already read with their page views (`timeline_views`, pages
    joined), as the company page's timeline holds its latest ones: no query of its own."""
    if newest is None:
        return None
    since = newest - dt.timedelta(days=RECENT_DAYS)
    views = [
        (pv.session_id, pv.ts, pv.time_on_page, pv.page.category)
        for session in sessions
        for pv in session.timeline_views
        if pv.ts > since and pv.page.category != Category.CONTACT
    ]
    views.sort(key=lambda r: r[1], reverse=True)
    return pace_of(views[:MAX_VIEWS])


def pace_of(rows) -> Pace | None:
    """The pace of (session id, time, seconds on page or None, category) rows."""
    sessions: dict = {}
    for session, _ts, _seconds, category in sorted(rows, key=lambda r: (str(r[0]), r[1])):
        sessions.setdefault(session, []).append(category)
    if not sessions:
        return None
    pages = statistics.mean(len(v) for v in sessions.values())
    gaps = [r[2] for r in rows if r[2] is not None]
    gap = statistics.median(gaps) if gaps else None
    early = sum(Category.PRICING in v[:EARLY] for v in sessions.values())
    categories = len({r[3] for r in rows})
    hurried = [
        pages <= FEW_PAGES,
        gap is not None and gap <= SHORT_GAP_S,
        early > 0,
    ]
    browsing = [
        gap is not None and gap >= LONG_READ_S,
        categories >= MANY_CATEGORIES,
        pages > FEW_PAGES,
    ]
    visits = (
        f"{pages:.1f} pages a visit over {len(sessions)} visit{'s' if len(sessions) != 1 else ''}"
    )
    read = f", {_duration(gap)} a page" if gap is not None else ""
    if sum(hurried) >= 2 and sum(hurried) > sum(browsing):
        pricing = f", pricing early in {early} visit{'s' if early != 1 else ''}" if early else ""
        return Pace(
            "hurried",
            visits + read + pricing,
            "Keep it short: lead with price and one next step.",
        )
    if sum(browsing) >= 2 and sum(browsing) > sum(hurried):
        return Pace(
            "browsing",
            visits + read + f", {categories} kinds of content",
            "Offer depth: a guide, a walkthrough, room for questions.",
        )
    return None


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"
