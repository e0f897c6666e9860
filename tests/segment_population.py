"""Visitors of four planted behaviours for the segment tests, each reading its own pages."""

import datetime as dt

import numpy as np

from prospects.models import Visitor
from tests.factories import stable_hash
from tests.scoring_factories import START, ViewWriter, pages

# kind: (pages it reads, sessions range, pages per session range)
KINDS = {
    "evaluator": (["pricing", "docs", "product", "pricing"], (3, 5), (3, 6)),
    "blog_reader": (["blog"], (1, 2), (1, 3)),
    "job_seeker": (["jobs"], (1, 1), (1, 3)),
    "product_only": (["product"], (1, 1), (2, 4)),
}


def planted_population(n: int = 400, *, seed: int = 1, companies=(), start=START) -> dict:
    """n visitors of the KINDS, a quarter each; returns {visitor_id: kind}.

    Visitor i belongs to companies[i % len(companies)] when companies are given.
    """
    rng = np.random.default_rng(seed)
    site = pages()
    kinds = [list(KINDS)[i % len(KINDS)] for i in range(n)]
    visitors = Visitor.objects.bulk_create(
        [
            Visitor(
                ip=f"10.{seed % 250}.{i // 250}.{i % 250 + 1}",
                user_agent="Mozilla/5.0 test",
                ua_hash=stable_hash(f"segment-ua-{seed}-{i}"),
                company=companies[i % len(companies)] if companies else None,
                first_seen=start,
                last_seen=start,
            )
            for i in range(n)
        ]
    )
    writer = ViewWriter()
    for visitor, kind in zip(visitors, kinds, strict=True):
        reads, session_range, page_range = KINDS[kind]
        moment = start + dt.timedelta(hours=int(rng.integers(0, 48)))
        visitor.first_seen = moment
        for s in range(int(rng.integers(session_range[0], session_range[1] + 1))):
            if s:
                moment += dt.timedelta(days=int(rng.integers(1, 4)))
            size = int(rng.integers(page_range[0], page_range[1] + 1))
            writer.session(visitor, [site[k] for k in rng.choice(reads, size=size)], moment)
        visitor.last_seen = moment + dt.timedelta(minutes=10)
    writer.write()
    Visitor.objects.bulk_update(visitors, ["first_seen", "last_seen"])
    return {v.pk: kind for v, kind in zip(visitors, kinds, strict=True)}
