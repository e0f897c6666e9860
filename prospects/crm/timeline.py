"""The company page's activity timeline: the work done and the visits, newest first.

Built in Python from the lists `company_detail` fetched, so it costs no query of its own.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils import timezone

from prospects.crm.selectors import TIMELINE_ITEMS


@dataclass
class SessionSummary:
    """One visit in a line: pages, the categories read, the page that held them, the source."""

    pages: int
    categories: list = field(default_factory=list)  # (label, count), most read first
    top_page: str = ""
    top_page_seconds: int | None = None
    # Where the visit came from beyond its source type: the referrer's host and the UTM tags
    # (source / medium / campaign, those set), e.g. "www.google.com" or "newsletter / email".
    source: str = ""


@dataclass
class Entry:
    """One timeline item: `kind` is note, touchpoint, status, task, task_done or session."""

    at: dt.datetime
    kind: str
    item: object
    summary: SessionSummary | None = None

    @property
    def in_future(self) -> bool:
        """Whether the stamp is ahead of now (a log from a server whose clock runs fast)."""
        return self.at > timezone.now()


def summarize_session(session) -> SessionSummary:
    """The summary line of a session, from its prefetched page views (`timeline_views`)."""
    views = session.timeline_views
    categories = Counter(v.page.get_category_display() for v in views)
    seconds = Counter()
    for view in views:
        seconds[view.page.path] += view.time_on_page or 0
    counts = Counter(v.page.path for v in views)
    top = max(counts, key=lambda path: (seconds[path], counts[path]), default="")
    return SessionSummary(
        pages=session.pageview_count or len(views),
        categories=categories.most_common(),
        top_page=top,
        top_page_seconds=seconds[top] or None if top else None,
        source=session_source(session),
    )


def session_source(session) -> str:
    """The referrer's host and the set UTM tags of a session, joined by " · " ('' if none)."""
    referrer = session.referrer or ""
    host = ""
    if referrer and referrer != "-":
        try:
            host = urlsplit(referrer if "//" in referrer else "//" + referrer).hostname or ""
        except ValueError:  # a hostile referrer such as "http://[oops"
            host = ""
    tags = " / ".join(
        tag for tag in (session.utm_source, session.utm_medium, session.utm_campaign) if tag
    )
    return " · ".join(part for part in (host, tags) if part)


def _touchpoint_time(touchpoint) -> dt.datetime:
    """A touchpoint sits on the day it happened: when logged that day, at the logging time;
    when logged later for an earlier day, at the end of that day."""
    logged = timezone.localtime(touchpoint.created_at)
    if touchpoint.happened_on >= logged.date():
        return touchpoint.created_at
    end = dt.datetime.combine(touchpoint.happened_on, dt.time(23, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


# Entries shown before "show older": a working day's reading. A company with years of notes and
# touchpoints would otherwise render hundreds of entries (most of the page's time) on each visit.
TIMELINE_SHOWN = 60


def build_timeline(detail) -> list[Entry]:
    """Notes, touchpoints, status moves, tasks (planned and done) and sessions, newest first.

    A task planned as a touchpoint's next step is shown with that touchpoint, not again.
    """
    entries = [Entry(n.created_at, "note", n) for n in detail.notes]
    entries += [Entry(_touchpoint_time(t), "touchpoint", t) for t in detail.touchpoints]
    entries += [Entry(c.changed_at, "status", c) for c in detail.status_changes]
    for task in detail.tasks:
        if task.touchpoint_id is None:
            entries.append(Entry(task.created_at, "task", task))
        if task.done_at is not None:
            entries.append(Entry(task.done_at, "task_done", task))
    entries += [
        Entry(s.started_at, "session", s, summary=summarize_session(s)) for s in detail.sessions
    ]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def unread_entries(detail) -> int:
    """Entries of the whole timeline (TIMELINE_ITEMS of each kind of work) that `detail` did
    not read: it may hold fewer notes, touchpoints and status moves, which the company counts."""
    company = detail.company
    kinds = (
        (company.note_total, detail.notes),
        (company.touchpoint_total, detail.touchpoints),
        (company.status_change_total, detail.status_changes),
    )
    return sum(min(total, TIMELINE_ITEMS) - len(rows) for total, rows in kinds)


def next_steps_by_touchpoint(detail) -> dict[int, list]:
    """The tasks each touchpoint planned, for showing "next step" beside it."""
    steps: dict[int, list] = {}
    for task in detail.tasks:
        if task.touchpoint_id is not None:
            steps.setdefault(task.touchpoint_id, []).append(task)
    return steps
