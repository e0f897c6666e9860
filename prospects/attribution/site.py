"""The site's rows as column arrays, read with a few raw queries (millions of page views)."""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.utils import timezone

from leadgen.db import epoch
from prospects.attribution.campaigns import campaign_label
from prospects.identify.exclusions import BOT
from prospects.models import Page, PageView, Session, Touchpoint, Visitor
from prospects.visits.choices import Category, SourceType

CATEGORIES = [c.value for c in Category]
SOURCES = [s.value for s in SourceType]
CHANNELS = [c.value for c in Touchpoint.Channel]
# Page-view rows per fetch.
CHUNK = 100_000


@dataclass
class Site:
    """Human visitors with page views, their views, sessions, pages and the touchpoints."""

    visitor_id: np.ndarray
    visitor_company: np.ndarray  # 0: none
    visitor_converted: np.ndarray  # epoch seconds, NaN: not converted
    visitor_last: np.ndarray
    view_visitor: np.ndarray  # row numbers into the visitor arrays
    view_page: np.ndarray  # page ids
    view_t: np.ndarray
    view_session: np.ndarray  # row numbers into the session arrays, -1: none
    session_visitor: np.ndarray
    session_t: np.ndarray
    session_source: np.ndarray  # index into SOURCES
    session_campaign: list[str]  # campaign_label of its UTM tags, "": untagged
    page_path: dict[int, str]
    page_category: dict[int, int]  # index into CATEGORIES
    goal_pages: set[int]
    touch_company: np.ndarray
    touch_t: np.ndarray
    touch_channel: np.ndarray  # index into CHANNELS


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _columns(rows: list[tuple], width: int) -> list[np.ndarray]:
    array = np.array(rows, dtype=float).reshape(len(rows), width)
    return [array[:, i] for i in range(width)]


def _numeric_columns(sql: str, width: int) -> list[np.ndarray]:
    """A numeric query's columns, fetched in chunks: millions of rows as Python tuples at once
    would take several hundred MB, as float arrays 32 bytes a row."""
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [])
        while rows := cursor.fetchmany(CHUNK):
            parts.append(np.array(rows, dtype=float))
    array = np.concatenate(parts) if parts else np.zeros((0, width))
    return [array[:, i] for i in range(width)]


def _code(column: str, vocabulary: list[str]) -> str:
    # Our own constants only (choice values), so they can be written into the SQL.
    assert all(v.replace("_", "").isalpha() for v in vocabulary)
    whens = " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(vocabulary))
    return f"CASE {column} {whens} ELSE 0 END"


def _labels(tags) -> list[str]:
    """campaign_label of each session's (source, medium, campaign), once per distinct tag
    set: a campaign's links repeat one set on thousands of sessions."""
    cache: dict[tuple, str] = {}
    labels = []
    for tag in tags:
        label = cache.get(tag)
        if label is None:
            label = cache[tag] = campaign_label(*tag)
        labels.append(label)
    return labels


def load_site() -> Site:
    """Every human visitor with a page view, and what they did; touchpoints by company."""
    v, pv, s = Visitor._meta.db_table, PageView._meta.db_table, Session._meta.db_table
    human = f"v.bot_rule = '' AND v.excluded_reason <> '{BOT}' AND v.last_seen IS NOT NULL"
    visitors = _rows(
        f"SELECT v.id, COALESCE(v.company_id, 0), {epoch('v.converted_at')}, "
        f"{epoch('v.last_seen')} FROM {v} v WHERE {human} ORDER BY v.id"
    )
    vid, company, converted, last = _columns(
        [tuple(np.nan if x is None else x for x in r) for r in visitors], 4
    )
    vid = vid.astype(np.int64)
    views = _numeric_columns(
        f"SELECT pv.visitor_id, pv.page_id, {epoch('pv.ts')}, COALESCE(pv.session_id, 0) "
        f"FROM {pv} pv JOIN {v} v ON v.id = pv.visitor_id WHERE {human}",
        4,
    )
    sessions = _rows(
        f"SELECT s.id, s.visitor_id, {epoch('s.started_at')}, "
        f"{_code('s.source_type', SOURCES)}, s.utm_source, s.utm_medium, s.utm_campaign "
        f"FROM {s} s JOIN {v} v ON v.id = s.visitor_id WHERE {human} ORDER BY s.id"
    )
    sid, s_visitor, s_t, s_source = _columns([r[:4] for r in sessions], 4)
    sid = sid.astype(np.int64)
    view_session = np.searchsorted(sid, views[3].astype(np.int64))
    found = (view_session < len(sid)) & (sid[np.minimum(view_session, len(sid) - 1)] == views[3])
    pages = Page.objects.values_list("id", "path", "category", "is_goal")
    tz = timezone.get_current_timezone()
    touches = [
        (c, dt.datetime.combine(day, dt.time(), tzinfo=tz).timestamp(), CHANNELS.index(ch))
        for c, day, ch in Touchpoint.objects.values_list("company_id", "happened_on", "channel")
        if ch in CHANNELS
    ]
    t_company, t_t, t_channel = _columns(touches, 3)
    return Site(
        visitor_id=vid,
        visitor_company=company.astype(np.int64),
        visitor_converted=converted,
        visitor_last=last,
        view_visitor=np.searchsorted(vid, views[0].astype(np.int64)),
        view_page=views[1].astype(np.int64),
        view_t=views[2],
        view_session=np.where(found, view_session, -1),
        session_visitor=np.searchsorted(vid, s_visitor.astype(np.int64)),
        session_t=s_t,
        session_source=s_source.astype(np.int64),
        session_campaign=_labels(r[4:] for r in sessions),
        page_path={p: path for p, path, _c, _g in pages},
        page_category={
            p: CATEGORIES.index(c) if c in CATEGORIES else CATEGORIES.index(Category.OTHER)
            for p, _path, c, _g in pages
        },
        goal_pages={p for p, _path, _c, goal in pages if goal},
        touch_company=t_company.astype(np.int64),
        touch_t=t_t,
        touch_channel=t_channel.astype(np.int64),
    )
