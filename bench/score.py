"""Benchmark of scoring: build features for and score 100,000 visitors (3,000,000 page views).

    python bench/score.py [--visitors N] [--views-per-visitor M] [--train-visitors T]

The data goes into a scratch database with bulk SQL: a temporary SQLite file by default, or,
when DATABASE_URL names a PostgreSQL server, a scratch database created next to it and
dropped afterwards. A model is trained on weekly snapshots of the first T visitors (all of
them by default: `train_seconds` is snapshot features, the backtest of every candidate and
the final refit), then the rest arrive and every visitor not yet converted is scored as of
the newest hit. The figure is `visitors_per_s`: visitors through feature building plus
scoring (probabilities and the three reasons), without the database writes, which
`rescore_visitors_per_s` adds. The `_cpu_` figures are this process's CPU time: on a shared
machine they say what the code costs where the wall clock says how busy the neighbours are
(on SQLite the database works inside this process; PostgreSQL's own work is not in them).
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# The project root replaces this script's folder on the path (bench/queue.py shadows queue).
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.scratch import scratch_database  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadgen.settings")
os.environ.setdefault("DEBUG", "1")

START = np.datetime64("2026-01-01T00:00:00", "s")
# (path, category, funnel stage) of the bench site; the goal page is last.
PAGES = (
    [("/", "home", "awareness")]
    + [(f"/blog/post-{i}", "blog", "education") for i in range(40)]
    + [(f"/product/{i}", "product", "interest") for i in range(12)]
    + [(f"/pricing/{i}", "pricing", "differentiation") for i in range(3)]
    + [(f"/docs/{i}", "docs", "interest") for i in range(20)]
    + [(f"/resources/{i}.pdf", "premium", "education") for i in range(6)]
    + [(f"/careers/{i}", "jobs", "awareness") for i in range(5)]
    + [("/about", "company", "interest"), ("/press", "press", "awareness")]
    + [("/trial", "contact", "differentiation"), ("/trial/thanks", "contact", "differentiation")]
)
SOURCES = ["direct", "search", "social", "campaign", "partner"]
DAYS = 120


def generate(visitors: int, views_per_visitor: int, seed: int = 1) -> dict:
    """Column arrays for visitors, sessions and page views; evaluators convert most."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(
        4, size=visitors, p=[0.15, 0.55, 0.2, 0.1]
    )  # evaluator, reader, browser, job
    weights = np.zeros((4, len(PAGES) - 1))
    cats = np.array([c for _, c, _ in PAGES[:-1]])
    for kind, favoured in enumerate(
        [
            ("product", "pricing", "docs", "premium"),
            ("blog",),
            ("home", "product", "company", "press"),
            ("jobs", "company"),
        ]
    ):
        weights[kind] = np.where(np.isin(cats, favoured), 10.0, 1.0)
        weights[kind][cats == "contact"] = 0.5 if kind == 0 else 0.05
        weights[kind] /= weights[kind].sum()
    views = rng.integers(views_per_visitor // 3, views_per_visitor * 5 // 3 + 1, size=visitors)
    views = np.maximum(views, 1)
    sessions = np.minimum(
        views, np.where(kinds == 0, rng.integers(2, 8, visitors), rng.integers(1, 4, visitors))
    )
    visitor_of_view = np.repeat(np.arange(visitors), views)
    n_views = len(visitor_of_view)
    first_view = np.r_[0, np.cumsum(views)[:-1]]
    position = np.arange(n_views) - first_view[visitor_of_view]
    session_in_visitor = position * sessions[visitor_of_view] // views[visitor_of_view]
    session_offset = np.r_[0, np.cumsum(sessions)[:-1]]
    session_of_view = session_offset[visitor_of_view] + session_in_visitor
    n_sessions = int(sessions.sum())
    # Sessions on distinct days; views a minute or two apart.
    # Arrivals over four months, so weekly snapshots with closed 30-day windows exist.
    visitor_start = rng.integers(0, DAYS * 86400, visitors)
    session_start = (
        visitor_start[np.repeat(np.arange(visitors), sessions)]
        + (np.arange(n_sessions) - np.repeat(session_offset, sessions)) * 86400
        + rng.integers(0, 3600, n_sessions)
    )
    first_in_session = np.r_[True, session_of_view[1:] != session_of_view[:-1]]
    step = rng.integers(10, 240, n_views)
    step[first_in_session] = 0
    ts_offset = session_start[session_of_view] + _cumsum_by_group(step, first_in_session)
    page = np.empty(n_views, dtype=np.int64)
    for kind in range(4):
        mask = kinds[visitor_of_view] == kind
        page[mask] = rng.choice(len(PAGES) - 1, size=int(mask.sum()), p=weights[kind])
    last_in_session = np.r_[session_of_view[1:] != session_of_view[:-1], True]
    time_on_page = np.where(last_in_session, -1, np.r_[step[1:], 0])
    # Conversions: the last view of a converting visitor becomes the goal page.
    p_convert = np.array([0.08, 0.004, 0.01, 0.0])[kinds]
    converts = rng.random(visitors) < p_convert
    last_view = first_view + views - 1
    goal_views = last_view[converts]
    page[goal_views] = len(PAGES) - 1
    converted_at = np.full(visitors, -1, dtype=np.int64)
    converted_at[converts] = ts_offset[goal_views]
    return {
        "visitors": visitors,
        "views_per_visitor": views,
        "sessions_per_visitor": sessions,
        "converted_at": converted_at,
        "visitor_first": ts_offset[first_view],
        "visitor_last": ts_offset[last_view],
        "session_visitor": np.repeat(np.arange(visitors), sessions),
        "session_start": session_start,
        "session_end": np.maximum.reduceat(ts_offset, np.flatnonzero(first_in_session)),
        "session_views": np.bincount(session_of_view, minlength=n_sessions),
        "session_source": rng.choice(len(SOURCES), n_sessions),
        "session_landing": page[first_in_session],
        "view_visitor": visitor_of_view,
        "view_session": session_of_view,
        "view_page": page,
        "view_ts": ts_offset,
        "view_time": time_on_page,
    }


def _cumsum_by_group(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    base = np.maximum.accumulate(np.where(starts, total - values, 0))
    return total - base


def _stamps(offsets: np.ndarray, postgres: bool) -> np.ndarray:
    text = np.datetime_as_string(START + offsets.astype("timedelta64[s]"), unit="s")
    # Django's SQLite format: a space between date and time, UTC implied.
    return np.char.add(text, "+00") if postgres else np.char.replace(text, "T", " ")


def insert(data: dict, visitors: slice, postgres: bool) -> None:
    """Insert a slice of visitors with their sessions and page views in bulk."""
    from django.db import connection, transaction

    v0, v1 = visitors.start, visitors.stop
    s_mask = (data["session_visitor"] >= v0) & (data["session_visitor"] < v1)
    p_mask = (data["view_visitor"] >= v0) & (data["view_visitor"] < v1)
    conv = data["converted_at"][v0:v1]
    stamps = lambda a: _stamps(a, postgres)  # noqa: E731
    converted = np.where(conv >= 0, stamps(np.maximum(conv, 0)), None)
    ids = np.arange(v0, v1) + 1
    visitor_rows = zip(
        ids.tolist(),
        [f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}" for i in ids.tolist()],
        ["bench"] * len(ids),
        ids.tolist(),
        stamps(data["visitor_first"][v0:v1]).tolist(),
        stamps(data["visitor_last"][v0:v1]).tolist(),
        converted.tolist(),
        [""] * len(ids),
        strict=True,
    )
    s_ids = np.flatnonzero(s_mask)
    session_rows = zip(
        (s_ids + 1).tolist(),
        (data["session_visitor"][s_mask] + 1).tolist(),
        stamps(data["session_start"][s_mask]).tolist(),
        stamps(data["session_end"][s_mask]).tolist(),
        data["session_views"][s_mask].tolist(),
        (data["session_landing"][s_mask] + 1).tolist(),
        np.array(SOURCES)[data["session_source"][s_mask]].tolist(),
        strict=True,
    )
    p_ids = np.flatnonzero(p_mask)
    t = data["view_time"][p_mask]
    view_rows = zip(
        (p_ids + 1).tolist(),
        (data["view_visitor"][p_mask] + 1).tolist(),
        (data["view_session"][p_mask] + 1).tolist(),
        (data["view_page"][p_mask] + 1).tolist(),
        stamps(data["view_ts"][p_mask]).tolist(),
        np.where(t >= 0, t, None).tolist(),
        (p_ids + 1).tolist(),
        strict=True,
    )
    tables = [
        (
            "prospects_visitor",
            "id, ip, user_agent, ua_hash, first_seen, last_seen, converted_at, excluded_reason",
            visitor_rows,
        ),
        (
            "prospects_session",
            "id, visitor_id, started_at, ended_at, pageview_count, landing_page_id, source_type, "
            "referrer, utm_source, utm_medium, utm_campaign",
            ((*row, "", "", "", "") for row in session_rows),
        ),
        (
            "prospects_pageview",
            "id, visitor_id, session_id, page_id, ts, time_on_page, line_hash, status, query, "
            "referrer, source_type, utm_source, utm_medium, utm_campaign",
            ((*row, 200, "", "", "internal", "", "", "") for row in view_rows),
        ),
    ]
    with transaction.atomic():
        raw = connection.connection
        for table, columns, rows in tables:
            if postgres:
                _copy(raw, table, columns, rows)
            else:
                marks = ", ".join("?" * len(columns.split(",")))
                raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _copy(raw, table: str, columns: str, rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    with raw.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=100_000)
    parser.add_argument("--views-per-visitor", type=int, default=30)
    parser.add_argument("--train-visitors", type=int, default=100_000)
    args = parser.parse_args()
    url, drop = scratch_database(os.environ.get("DATABASE_URL", "sqlite:///"), "score")
    os.environ["DATABASE_URL"] = url
    with tempfile.TemporaryDirectory() as models:
        os.environ["LEADGEN_MODEL_DIR"] = models
        try:
            run(args, postgres=url.startswith("postgres"))
        finally:
            from django.db import connections

            connections.close_all()
            drop()


def run(args, *, postgres: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from prospects.models import Page
    from scoring import selectors, services
    from scoring.snapshots import scoring_features, training_snapshots

    call_command("migrate", verbosity=0)
    Page.objects.all().delete()
    Page.objects.bulk_create(
        Page(id=i + 1, path=path, category=cat, funnel_stage=stage, is_goal=path == "/trial/thanks")
        for i, (path, cat, stage) in enumerate(PAGES)
    )
    began = time.perf_counter()
    data = generate(args.visitors, args.views_per_visitor)
    train_n = min(args.train_visitors, args.visitors)
    insert(data, slice(0, train_n), postgres)
    print(
        f"generated and inserted {train_n} visitors in {time.perf_counter() - began:.1f} s",
        file=sys.stderr,
    )

    began = time.perf_counter()
    snapshots = training_snapshots()
    snapshots_s = time.perf_counter() - began
    began = time.perf_counter()
    version = services.train_model(trained_by="bench/score.py")
    train_s = time.perf_counter() - began
    print(
        f"trained on {version.training_size} snapshot rows at {len(snapshots.cutoffs)} cutoffs "
        f"({version.training_positives} conversions): {version.algorithm}, backtest ROC AUC "
        f"{version.roc_auc:.3f}, PR AUC {version.pr_auc:.3f}",
        file=sys.stderr,
    )
    for name, candidate in version.backtest["candidates"].items():
        figures = candidate["backtest"]
        print(
            f"  backtest {name}: ROC AUC {figures['roc_auc']}, PR AUC {figures['pr_auc']}, "
            f"precision top 5% {figures['precision_top_5pct']}",
            file=sys.stderr,
        )

    began = time.perf_counter()
    if train_n < args.visitors:
        insert(data, slice(train_n, args.visitors), postgres)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"inserted the other {args.visitors - train_n} visitors in {time.perf_counter() - began:.1f} s; "
        f"{len(data['view_page'])} page views, {len(data['session_start'])} sessions in all",
        file=sys.stderr,
    )

    began, began_cpu = time.perf_counter(), time.process_time()
    table = scoring_features()
    features_s, features_cpu = time.perf_counter() - began, time.process_time() - began_cpu
    _, reasons = services.score_table(selectors.active_version(), table)
    total_s, total_cpu = time.perf_counter() - began, time.process_time() - began_cpu
    began, began_cpu = time.perf_counter(), time.process_time()
    result = services.rescore()
    rescore_s, rescore_cpu = time.perf_counter() - began, time.process_time() - began_cpu
    open_visitors = int((data["converted_at"] < 0).sum())
    assert len(table) == open_visitors and result.visitors == open_visitors
    assert all(len(r) <= 3 for r in reasons)
    print(f"vendor: {connection.vendor}")
    print(f"visitors: {len(table)}")
    print(f"page_views: {len(data['view_page'])}")
    print(f"snapshot_rows: {len(snapshots)}")
    print(f"snapshot_features_seconds: {snapshots_s:.1f}")
    print(f"train_seconds: {train_s:.1f}")
    print(f"features_seconds: {features_s:.2f}")
    print(f"features_cpu_seconds: {features_cpu:.2f}")
    print(f"scoring_seconds: {total_s - features_s:.2f}")
    print(f"rescore_with_writes_seconds: {rescore_s:.2f}")
    print(f"rescore_with_writes_cpu_seconds: {rescore_cpu:.2f}")
    print(f"rescore_visitors_per_s: {open_visitors / rescore_s:.0f}")
    print(f"visitors_per_s: {open_visitors / total_s:.0f}")
    print(f"visitors_per_cpu_s: {open_visitors / total_cpu:.0f}")


if __name__ == "__main__":
    main()
