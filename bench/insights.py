"""Time the insight pages: the holdout experiment page on a large running experiment, and
behaviour segments and attribution over 100,000 visitors.

Usage: python bench/insights.py [--companies 20000] [--share 20] [--n 50]
                                [--segment-visitors 100000] [--views-per-visitor 30]

Without a PostgreSQL DATABASE_URL the data goes into a temporary SQLite file, deleted afterwards;
with one, a scratch database next to it (see bench.scratch). Every company entered the queue
during the experiment and got its arm from the real service; a few percent converted organically
(a visitor's converted_at); reps reach 15% of the treated (control is never worked) and an
eighth of those touchpoints are SQLs.
Segments run first, on bench/score.py's generated site (visitors of four kinds, their sessions
and page views, inserted in bulk); `segments_seconds` is the whole service (features, the
mixture for k = 2..8, names, companies, and writing every visitor's segment).
Attribution runs next on the same visitors: `attribution_seconds` is compute_attribution, every
model at visitor and company level over the three dimensions, with bootstrap intervals and the
exposure comparison, reading the page views from the database and storing the report.
Prints ``name: value`` lines: p50/p95 server time in ms and the SQL queries of the page.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.queue import count_queries, p, time_page  # noqa: E402
from bench.scratch import migrated_scratch_django  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--share", type=int, default=20, help="holdout share in percent")
    parser.add_argument("--n", type=int, default=50, help="requests timed per page")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--segment-visitors", type=int, default=100_000, help="0: skip")
    parser.add_argument("--views-per-visitor", type=int, default=30)
    return parser.parse_args()


def fill_experiment(companies: int, share: int, seed: int):
    """A running experiment over `companies` scored companies; returns (admin, experiment)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from prospects.experiments import services
    from prospects.models import Company, Touchpoint, Visitor
    from scoring.models import CompanyScore, ModelVersion

    rng = random.Random(seed)
    admin = get_user_model().objects.create_user("bench-admin")
    admin.groups.add(Group.objects.get(name="admin"))
    started = timezone.now() - dt.timedelta(days=45)
    experiment = services.start_experiment(
        name="Bench holdout", share_percent=share, user=admin, now=started
    )
    version = ModelVersion.objects.create(
        algorithm="bench",
        trained_by="bench",
        is_active=True,
        file_name="bench.skops",
        training_size=1,
        training_positives=1,
        roc_auc=0.5,
        pr_auc=0.5,
        brier=0.25,
    )
    rows = Company.objects.bulk_create(
        [Company(name=f"Bench {i:06d}", domain=f"bench{i:06d}.example") for i in range(companies)],
        batch_size=5000,
    )
    agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
    visitors = Visitor.objects.bulk_create(
        [
            Visitor(
                ip=f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
                user_agent=agent,
                # Apart from the segment figure's visitors, which share the addresses.
                ua_hash=i + (1 << 40),
                first_seen=started,
                last_seen=started,
                company=c,
            )
            for i, c in enumerate(rows)
        ],
        batch_size=5000,
    )
    # Arrivals spread over the experiment's 45 days: each day's companies get their score, then
    # the real hook records and assigns them.
    entered = {}
    pairs = list(zip(rows, visitors, strict=True))
    for day in range(45):
        batch = pairs[day * len(pairs) // 45 : (day + 1) * len(pairs) // 45]
        when = started + dt.timedelta(days=day, hours=1)
        CompanyScore.objects.bulk_create(
            [
                CompanyScore(
                    company=c,
                    model_version=version,
                    probability=0.5 + rng.random() / 2,
                    visitor_count=1,
                    top_visitor=v,
                    scored_at=when,
                )
                for c, v in batch
            ],
            batch_size=5000,
        )
        services.record_queue_entries(now=when)
        entered.update({c.pk: when for c, _v in batch})
    arms = dict(experiment.entries.values_list("company_id", "arm"))
    converted, touchpoints = [], []
    for c, v in zip(rows, visitors, strict=True):
        if c.pk in arms and rng.random() < 0.03:
            v.converted_at = entered[c.pk] + dt.timedelta(days=rng.uniform(0, 40))
            converted.append(v)
        # Reps reach 15% of the treated companies; an eighth of those become SQLs.
        if arms.get(c.pk) == "treatment" and rng.random() < 0.15:
            touchpoints.append(
                Touchpoint(
                    company=c,
                    channel="email",
                    outcome="converted" if rng.random() < 0.125 else "replied",
                    happened_on=(entered[c.pk] + dt.timedelta(days=rng.uniform(0, 40))).date(),
                )
            )
    Visitor.objects.bulk_update(converted, ["converted_at"], batch_size=5000)
    Touchpoint.objects.bulk_create(touchpoints, batch_size=5000)
    return admin, experiment


def time_segments(visitors: int, views_per_visitor: int, vendor: str) -> dict:
    """Fill `visitors` with page views and time segment_visitors over them."""
    from bench.queue_data import reset_sequences
    from bench.score import PAGES, generate, insert
    from prospects.models import Page, PageView, Segment, Session, Visitor
    from prospects.segments.services import segment_visitors

    Page.objects.all().delete()
    Page.objects.bulk_create(
        Page(id=i + 1, path=path, category=cat, funnel_stage=stage, is_goal=path == "/trial/thanks")
        for i, (path, cat, stage) in enumerate(PAGES)
    )
    began = time.perf_counter()
    insert(generate(visitors, views_per_visitor), slice(0, visitors), vendor == "postgresql")
    reset_sequences([Page, Visitor, Session, PageView])
    filled = time.perf_counter() - began
    wall, cpu = time.perf_counter(), time.process_time()
    run = segment_visitors()
    return {
        "segment_visitors": run.visitors,
        "segment_pageviews": PageView.objects.count(),
        "segment_fill_seconds": round(filled, 1),
        "segments_k": run.k,
        "segments_seconds": round(time.perf_counter() - wall, 1),
        "segments_cpu_seconds": round(time.process_time() - cpu, 1),
        "segment_names": " | ".join(f"{s.name} ({s.size})" for s in Segment.objects.active()),
    }


def time_attribution() -> dict:
    """Time compute_attribution over the visitors the segment figure filled."""
    from prospects.attribution.services import compute_attribution

    wall, cpu = time.perf_counter(), time.process_time()
    report = compute_attribution()
    return {
        "attribution_journeys": report.journeys,
        "attribution_conversions": report.conversions,
        "attribution_seconds": round(time.perf_counter() - wall, 1),
        "attribution_cpu_seconds": round(time.process_time() - cpu, 1),
    }


def main():
    args = parse_args()
    vendor, cleanup = migrated_scratch_django("insights")
    try:
        from django.conf import settings
        from django.test import Client
        from django.urls import reverse

        segments = (
            time_segments(args.segment_visitors, args.views_per_visitor, vendor)
            if args.segment_visitors
            else {}
        )
        if args.segment_visitors:
            segments.update(time_attribution())
        started = time.perf_counter()
        admin, experiment = fill_experiment(args.companies, args.share, args.seed)
        fill_seconds = time.perf_counter() - started
        settings.DEBUG = False  # time the page as production runs it
        client = Client(HTTP_HOST="localhost")
        client.force_login(admin)
        urls = [
            reverse("experiments"),
            reverse("experiment", args=[experiment.pk]) + "?lift=50",
        ]
        page_ms, cpu_ms = time_page(client, urls, args.n)
        entries = experiment.entries.count()
        results = {
            "database": vendor,
            "experiment_companies": entries,
            "experiment_control": experiment.entries.filter(arm="control").count(),
            "fill_seconds": round(fill_seconds, 1),
            "requests": args.n,
            "experiment_page_p50_ms": round(statistics.median(page_ms), 1),
            "experiment_page_p95_ms": round(p(page_ms, 95), 1),
            "experiment_page_cpu_p50_ms": round(statistics.median(cpu_ms), 1),
            "experiment_page_cpu_p95_ms": round(p(cpu_ms, 95), 1),
            "load_average": round(os.getloadavg()[0], 1),
            "experiment_page_queries": count_queries(client, urls[0]),
            **segments,
        }
    finally:
        cleanup()
    for name, value in results.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
