"""Journeys at visitor or company level, and their touches in three dimensions.

A visitor's journey is its own page views and sessions plus its company's outreach
touchpoints; a company's gathers all its visitors (a visitor without a company stays on its
own) and ends at the company's first conversion. Each window ends at the conversion, or at the
last visit for those who did not convert, and reaches back the look-back period.
"""

from dataclasses import dataclass

import numpy as np

from prospects.attribution.journeys import (
    Journeys,
    Touches,
    in_window,
    make_touches,
    strata_by_engagement,
)
from prospects.attribution.site import CATEGORIES, CHANNELS, SOURCES, Site
from prospects.models import Touchpoint
from prospects.visits.choices import Category, SourceType

LEVELS = (("visitor", "Visitors"), ("company", "Companies"))
DIMENSIONS = (
    ("category", "Content category"),
    ("page", "Page"),
    ("channel", "Source, campaign and outreach"),
)
# Pages and campaigns shown by name; the rest are pooled, so a site with thousands of paths
# (or a hostile run of made-up campaigns) keeps a small chain and a readable table.
TOP_PAGES = 40
TOP_CAMPAIGNS = 20
OTHER_PAGES = "Other pages"
OTHER_CAMPAIGNS = "Other campaigns"
OUTREACH_PREFIX = "Outreach: "
DIRECT = {SOURCES.index(SourceType.DIRECT), SOURCES.index(SourceType.INTERNAL)}


@dataclass
class Level:
    """One level's journeys, the company of each (0: none) and the touches per dimension."""

    journeys: Journeys
    company: np.ndarray
    touches: dict[str, Touches]

    def outreach_labels(self) -> np.ndarray:
        """Which channel labels are outreach touchpoints."""
        return np.array([x.startswith(OUTREACH_PREFIX) for x in self.touches["channel"].labels])


def build_level(site: Site, level: str, lookback_seconds: float) -> Level:
    """Journeys of `level` ("visitor" or "company") and their in-window touches."""
    if level == "company":
        key = np.where(site.visitor_company > 0, site.visitor_company, -site.visitor_id)
        groups, journey_of_visitor = np.unique(key, return_inverse=True)
    else:
        groups, journey_of_visitor = site.visitor_id, np.arange(len(site.visitor_id))
    n = len(groups)
    converted_at = np.full(n, np.inf)
    np.minimum.at(
        converted_at, journey_of_visitor, np.nan_to_num(site.visitor_converted, nan=np.inf)
    )
    last = np.full(n, -np.inf)
    np.maximum.at(last, journey_of_visitor, site.visitor_last)
    converted = np.isfinite(converted_at)
    end = np.where(converted, converted_at, last)
    company = np.zeros(n, dtype=np.int64)
    company[journey_of_visitor] = site.visitor_company
    draft = Journeys(end=end, converted=converted)
    views = _view_touches(site, journey_of_visitor, converted)
    touches = {
        "category": in_window(views["category"], draft, lookback_seconds),
        "page": in_window(views["page"], draft, lookback_seconds),
        "channel": in_window(
            _channel_touches(site, journey_of_visitor, company, level),
            draft,
            lookback_seconds,
            inclusive=True,
        ),
    }
    engagement = np.bincount(touches["page"].journey, minlength=n)
    journeys = Journeys(end=end, converted=converted, stratum=strata_by_engagement(engagement))
    return Level(journeys=journeys, company=company, touches=touches)


def _view_touches(site: Site, journey_of_visitor, converted) -> dict[str, Touches]:
    """Page views (goal pages left out: they are the conversion) by category and by page.

    The pages named are those most viewed on converting journeys (the form before the goal
    among them), then on any.
    """
    top = max(site.page_path, default=0) + 1
    category = np.zeros(top, dtype=np.int64)
    for page, code in site.page_category.items():
        category[page] = code
    keep = ~np.isin(site.view_page, list(site.goal_pages))
    page = site.view_page[keep]
    journey = journey_of_visitor[site.view_visitor[keep]]
    t = site.view_t[keep]
    session = site.view_session[keep]
    has = session >= 0
    direct = np.ones(len(page), dtype=bool)
    direct[has] = _session_direct(site)[session[has]]
    views = np.bincount(page, minlength=top)
    on_converting = np.bincount(page, converted[journey], minlength=top)
    ranked = np.lexsort((-views, -on_converting))
    named = [int(p) for p in ranked[:TOP_PAGES] if p in site.page_path and p not in site.goal_pages]
    code = np.full(top, len(named), dtype=np.int64)
    code[named] = np.arange(len(named))
    page_labels = [site.page_path[p] for p in named] + [OTHER_PAGES]
    category_labels = [Category(c).label for c in CATEGORIES]
    # One sort serves both dimensions: they are the same views, labelled twice.
    order = np.lexsort((t, journey))
    journey, t, page, direct = journey[order], t[order], page[order], direct[order]
    return {
        "category": Touches(journey, t, category[page], direct, category_labels),
        "page": Touches(journey, t, code[page], direct, page_labels),
    }


def _channel_touches(site, journey_of_visitor, company, level) -> Touches:
    """Sessions by their UTM tags ("newsletter / email / spring-launch", when tagged) or
    source type, and outreach touchpoints."""
    campaigns = site.session_campaign
    counts: dict[str, int] = {}
    for name in campaigns:
        if name:
            counts[name] = counts.get(name, 0) + 1
    named = sorted(counts, key=lambda c: (-counts[c], c))[:TOP_CAMPAIGNS]
    labels = [SourceType(s).label for s in SOURCES]
    labels += [*named, OTHER_CAMPAIGNS]
    campaign_code = {c: len(SOURCES) + i for i, c in enumerate(named)}
    other = len(SOURCES) + len(named)
    session_label = np.array(
        [campaign_code.get(c, other) if c else -1 for c in campaigns], dtype=np.int64
    )
    untagged = session_label < 0
    session_label[untagged] = site.session_source[untagged]
    direct = _session_direct(site)
    first_outreach = len(labels)
    labels += [f"{OUTREACH_PREFIX}{Touchpoint.Channel(c).label}" for c in CHANNELS]
    # Each touchpoint joins the journey of every visitor of its company (visitor level) or the
    # company's one journey.
    order = np.argsort(company, kind="stable")
    lo = np.searchsorted(company[order], site.touch_company, side="left")
    hi = np.searchsorted(company[order], site.touch_company, side="right")
    if level == "company":
        hi = np.minimum(hi, lo + 1)
    repeat = hi - lo
    pick = np.repeat(lo - np.r_[0, np.cumsum(repeat)[:-1]], repeat) + np.arange(repeat.sum())
    touch_journey = order[pick] if len(pick) else np.zeros(0, dtype=np.int64)
    touch_index = np.repeat(np.arange(len(site.touch_company)), repeat)
    return make_touches(
        np.r_[journey_of_visitor[site.session_visitor], touch_journey],
        np.r_[site.session_t, site.touch_t[touch_index]],
        np.r_[session_label, first_outreach + site.touch_channel[touch_index]],
        np.r_[direct, np.zeros(len(touch_index), dtype=bool)],
        labels,
    )


def _session_direct(site: Site) -> np.ndarray:
    """Sessions that came straight in (typed, bookmarked, internal) with no UTM tag."""
    untagged = np.array([not c for c in site.session_campaign], dtype=bool)
    return untagged & np.isin(site.session_source, list(DIRECT))
