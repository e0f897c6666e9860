"""Time the queue page, a company page, search and CSV exports on 100,000 visitors and 10,000 companies.

Usage: python bench/queue.py [--visitors 100000] [--companies 10000] [--n 50]

Without a PostgreSQL DATABASE_URL the data goes into a temporary SQLite file, deleted afterwards.
With DATABASE_URL=postgres://... the bench creates and later drops a scratch database next to
it, so the named database is never touched.
Prints ``name: value`` lines: p50/p95 server time in ms and the SQL queries per page, and
CSV rows per second (the 100,000 visitors' scores, and the companies from the page).
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

# The project root replaces this script's folder on sys.path: this file's name would shadow
# the standard library's `queue` module that Django and asgiref import.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.queue_data import fill, fill_contacts  # noqa: E402
from bench.scratch import migrated_scratch_django  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--n", type=int, default=50, help="requests timed per page")
    parser.add_argument("--seed", type=int, default=5)
    return parser.parse_args()


def time_page(client, urls, n):
    """Wall and CPU ms of n GETs cycling through urls, after one warm-up request each.

    CPU time is this process's (SQLite runs in it; PostgreSQL's own work is not counted): on
    a shared, loaded machine it is the figure that does not grow with other people's work.
    """
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    wall, cpu = [], []
    for k in range(n):
        w, c = time.perf_counter(), time.process_time()
        response = client.get(urls[k % len(urls)])
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        assert response.status_code == 200
    return wall, cpu


def time_csv(pieces) -> tuple[int, float, float, int]:
    """(rows, seconds, CPU seconds, growth of the process's peak memory in KB) to produce a
    CSV's text (no cell of these exports holds a line break, so lines are rows)."""
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu = time.perf_counter(), time.process_time()
    rows = sum(piece.count("\n") for piece in pieces) - 1
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return rows, seconds, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before


def percentiles(prefix: str, timings) -> dict:
    """p50 and p95 of a page's wall and CPU ms, named after the page."""
    wall, cpu = timings
    return {
        f"{prefix}_p50_ms": round(statistics.median(wall), 1),
        f"{prefix}_p95_ms": round(p(wall, 95), 1),
        f"{prefix}_cpu_p50_ms": round(statistics.median(cpu), 1),
        f"{prefix}_cpu_p95_ms": round(p(cpu, 95), 1),
    }


def streamed(client, url):
    """The pieces of a streamed download, as the client receives them."""
    response = client.get(url)
    assert response.status_code == 200 and response.streaming, url
    for piece in response.streaming_content:
        yield piece.decode()


def count_queries(client, url):
    """The number of SQL queries one request to url runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def p(values, q):
    """The q-th percentile (0-100) of values, inclusive method."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main():
    args = parse_args()
    vendor, cleanup = migrated_scratch_django("queue")
    try:
        from django.test import Client
        from django.urls import reverse

        started = time.perf_counter()
        researcher, (biggest, biggest_visitors), views = fill(
            args.visitors, args.companies, args.seed
        )
        fill_contacts(args.companies)
        fill_seconds = time.perf_counter() - started

        from prospects.queue.selectors import research_queue

        top_ids = list(research_queue().values_list("id", flat=True)[:9])
        from django.conf import settings

        # DEBUG (needed to start without a SECRET_KEY) would log every SQL statement; time the
        # pages as production runs them. CaptureQueriesContext still counts queries.
        settings.DEBUG = False
        client = Client(HTTP_HOST="localhost")
        client.force_login(researcher)
        queue_urls = [reverse("queue"), reverse("queue") + "?page=2"]
        company_urls = [reverse("company", args=[c]) for c in [biggest, *top_ids]]
        search = reverse("search")
        search_urls = [
            f"{search}?q=bench company 42",  # thousands of names match; 20 are shown
            f"{search}?q=bench-company-4321.com",
            f"{search}?q=12.0.1.77",  # a whole address: the index
            f"{search}?q=12.0.3.",  # the start of one
            f"{search}?q=pat9876@",
        ]
        queue_ms = time_page(client, queue_urls, args.n)
        company_ms = time_page(client, company_urls, args.n)
        search_ms = time_page(client, search_urls, args.n)

        from prospects.exports.csvstream import csv_lines
        from prospects.exports.scores import visitor_scores

        visitor_rows, visitor_s, visitor_cpu, visitor_kb = time_csv(csv_lines(*visitor_scores()))
        company_rows, company_s, company_cpu, _kb = time_csv(
            streamed(client, reverse("export_companies"))
        )
        results = {
            "database": vendor,
            "visitors": args.visitors,
            "companies": args.companies,
            "pageviews": views,
            "largest_company_visitors": biggest_visitors,
            "fill_seconds": round(fill_seconds, 1),
            "requests_per_page": args.n,
            **percentiles("queue", queue_ms),
            **percentiles("company", company_ms),
            **percentiles("search", search_ms),
            "queue_queries": count_queries(client, queue_urls[0]),
            "company_queries": count_queries(client, company_urls[0]),
            "search_queries": count_queries(client, search_urls[0]),
            "csv_visitor_rows": visitor_rows,
            "csv_visitor_rows_per_s": round(visitor_rows / visitor_s),
            "csv_visitor_rows_per_cpu_s": round(visitor_rows / visitor_cpu),
            "csv_visitor_peak_memory_growth_kb": visitor_kb,
            "csv_company_rows": company_rows,
            "csv_company_rows_per_s": round(company_rows / company_s),
            "csv_company_rows_per_cpu_s": round(company_rows / company_cpu),
            "load_average": round(os.getloadavg()[0], 1),
        }
    finally:
        cleanup()
    for name, value in results.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
