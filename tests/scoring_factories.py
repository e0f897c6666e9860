"""Visitors with behaviour for the scoring tests: archetypes whose conversion odds are known.

Evaluators read product and pricing pages and come back on later days (they convert often,
one to twenty days after their research); blog readers and job seekers rarely or never do.
Visitors arrive over `weeks` weeks, so weekly snapshots with closed 30-day windows exist.
Rows are bulk-created, so a few hundred visitors with sessions and page views take well
under a second.
"""

import datetime as dt

import numpy as np

from prospects.models import Page, PageView, Session, Visitor
from scoring.training import visitor_candidates
from tests.factories import stable_hash

# Twenty weeks back from today: a population's newest hits are from the last few days, so it
# mixes with fixtures that visit "now" (the snapshots' cutoffs count back from the newest hit).
START = dt.datetime.combine(dt.date.today() - dt.timedelta(weeks=20), dt.time(9), tzinfo=dt.UTC)
PAGES = {
    "pricing": ("/pricing", "pricing", "differentiation"),
    "product": ("/product", "product", "interest"),
    "docs": ("/docs", "docs", "interest"),
    "premium": ("/resources/guide", "premium", "education"),
    "blog": ("/blog/post", "blog", "education"),
    "jobs": ("/careers", "jobs", "awareness"),
    "home": ("/", "home", "awareness"),
    "goal": ("/trial/thanks", "contact", "differentiation"),
}
# archetype: (pages it reads, sessions range, days range, conversion probability)
ARCHETYPES = {
    "evaluator": (["home", "product", "pricing", "docs", "premium"], (2, 5), (2, 5), 0.45),
    "reader": (["blog", "blog", "home"], (1, 2), (1, 2), 0.03),
    "job_seeker": (["jobs", "home"], (1, 2), (1, 1), 0.0),
}


def pages() -> dict[str, Page]:
    """The handful of pages the synthetic visitors read, keyed by kind."""
    return {
        kind: Page.objects.get_or_create(
            path=path,
            defaults={"category": category, "funnel_stage": stage, "is_goal": kind == "goal"},
        )[0]
        for kind, (path, category, stage) in PAGES.items()
    }


class ViewWriter:
    """Collects sessions and page views in memory and writes them in bulk."""

    def __init__(self):
        self.sessions: list[tuple[Session, list[PageView]]] = []
        self.count = 0

    def session(self, visitor, page_list, start, source="direct", seconds=60):
        session = Session(
            visitor=visitor,
            started_at=start,
            ended_at=start + dt.timedelta(seconds=seconds * len(page_list)),
            pageview_count=len(page_list),
            source_type=source,
        )
        views = []
        for i, page in enumerate(page_list):
            self.count += 1
            views.append(
                PageView(
                    visitor=visitor,
                    page=page,
                    ts=start + dt.timedelta(seconds=seconds * i),
                    status=200,
                    time_on_page=seconds if i < len(page_list) - 1 else None,
                    line_hash=stable_hash(f"{visitor.ip}-{start.isoformat()}-{i}-{self.count}"),
                )
            )
        self.sessions.append((session, views))

    def write(self):
        Session.objects.bulk_create([s for s, _ in self.sessions])
        for session, views in self.sessions:
            for view in views:
                view.session = session
        PageView.objects.bulk_create(
            [v for _, views in self.sessions for v in views], batch_size=2000
        )


def population(
    n: int = 400, *, seed: int = 1, company=None, mix=(0.4, 0.4, 0.2), weeks: int = 16
) -> dict:
    """Create n visitors of the three archetypes; returns {visitor_id: archetype}."""
    rng = np.random.default_rng(seed)
    site = pages()
    kinds = rng.choice(list(ARCHETYPES), size=n, p=list(mix))
    visitors = Visitor.objects.bulk_create(
        [
            Visitor(
                ip=f"10.{seed % 250}.{i // 250}.{i % 250 + 1}",
                user_agent="Mozilla/5.0 test",
                ua_hash=stable_hash(f"ua-{seed}-{i}"),
                company=company,
                first_seen=START,
                last_seen=START,
            )
            for i in range(n)
        ]
    )
    writer = ViewWriter()
    converted = []
    for visitor, kind in zip(visitors, kinds, strict=True):
        reads, session_range, day_range, p_convert = ARCHETYPES[kind]
        days = rng.integers(day_range[0], day_range[1] + 1)
        sessions = max(days, rng.integers(session_range[0], session_range[1] + 1))
        moment = START + dt.timedelta(hours=int(rng.integers(0, weeks * 7 * 24)))
        for s in range(sessions):
            if s and s < days:
                moment += dt.timedelta(days=1, hours=int(rng.integers(0, 5)))
            elif s:
                moment += dt.timedelta(hours=2)
            page_list = [site[k] for k in rng.choice(reads, size=int(rng.integers(1, 5)))]
            source = "search" if kind == "evaluator" and s == 0 else "direct"
            writer.session(visitor, page_list, moment, source)
        if rng.random() < p_convert:
            moment += dt.timedelta(days=int(rng.integers(1, 21)), hours=3)
            # The conversion, then behaviour after it that must never reach the features.
            writer.session(visitor, [site["goal"], site["pricing"], site["pricing"]], moment)
            visitor.converted_at = moment
            converted.append(visitor)
        visitor.last_seen = moment + dt.timedelta(minutes=5)
    writer.write()
    Visitor.objects.bulk_update(visitors, ["converted_at", "last_seen"])
    return {v.pk: str(k) for v, k in zip(visitors, kinds, strict=True)}


def quick_candidates() -> dict:
    """The visitor model's candidates as production trains them (quick on a few hundred rows)."""
    return visitor_candidates()
