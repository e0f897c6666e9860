"""Time the research queue page and a company page on 100,000 visitors and 10,000 companies.

Usage: python bench/queue.py [--visitors 100000] [--companies 10000] [--n 50]

Without a PostgreSQL DATABASE_URL the data goes into a temporary SQLite file, deleted afterwards.
With DATABASE_URL=postgres://... the bench creates and later drops a scratch database next to
it, so the named database is never touched.
Prints ``name: value`` lines: p50/p95 server time in ms and the SQL queries per page.
"""

import argparse
import datetime as dt
import ipaddress
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

# The project root replaces this script's folder on sys.path: this file's name would shadow
# the standard library's `queue` module that Django and asgiref import.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.scratch import scratch_database  # noqa: E402

BATCH = 5000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--n", type=int, default=50, help="requests timed per page")
    parser.add_argument("--seed", type=int, default=5)
    return parser.parse_args()


def setup_django():
    """Point Django at a scratch database and migrate it; returns (vendor, cleanup callable)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadgen.settings")
    os.environ.setdefault("DEBUG", "1")
    url, drop = scratch_database(os.environ.get("DATABASE_URL", "sqlite:///"), "queue")
    os.environ["DATABASE_URL"] = url

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)

    def cleanup():
        connection.close()
        drop()

    return connection.vendor, cleanup


PAGES = [
    ("/", "home", "awareness"),
    ("/pricing", "pricing", "differentiation"),
    ("/pricing/enterprise", "pricing", "differentiation"),
    ("/resources/whitepapers/psa-roi-study", "premium", "education"),
    ("/webinars/capacity-planning-live", "premium", "education"),
    ("/product", "product", "interest"),
    ("/product/billing", "product", "interest"),
    ("/integrations", "product", "interest"),
    ("/docs/getting-started", "docs", "interest"),
    ("/about", "company", "interest"),
    ("/case-studies/atlas-advisory", "company", "differentiation"),
    ("/careers", "jobs", "awareness"),
    ("/press", "press", "awareness"),
    *[(f"/blog/post-{n}", "blog", "education") for n in range(20)],
]
SOURCES = [
    ("direct", ""),
    ("search", "https://www.google.com/"),
    ("social", "https://www.linkedin.com/feed/"),
    ("partner", "https://www.g2.com/categories/psa"),
    ("campaign", "https://mail.example.net/"),
]
STATUSES = ["new"] * 14 + ["researching", "ready", "in_outreach", "snoozed", "disqualified"]


def fill(visitors: int, companies: int, seed: int):
    """Bulk-insert users, companies, visitors, sessions, page views, IPs and visitor scores.

    Company scores (with their engagement summary) come from the real rescore_companies().
    """
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.utils import timezone

    from prospects.models import Company, IPResolution, Page, PageView, Session, Visitor
    from scoring.models import ModelVersion, VisitorScore
    from scoring.services import rescore_companies

    rng = random.Random(seed)
    now = timezone.now()
    researcher = User.objects.create_user("bench-researcher")
    researcher.groups.add(Group.objects.get(name="researcher"))
    team = [researcher]
    for n in range(4):
        user = User.objects.create_user(f"bench-user{n}")
        user.groups.add(Group.objects.get(name="researcher"))
        team.append(user)

    model = ModelVersion.objects.create(
        algorithm="logistic_regression",
        trained_by="bench",
        is_active=True,
        file_name="bench.skops",
        training_size=visitors,
        training_positives=visitors // 50,
        roc_auc=0.8,
        pr_auc=0.3,
        brier=0.05,
    )
    pages = Page.objects.bulk_create(Page(path=p, category=c, funnel_stage=s) for p, c, s in PAGES)

    company_rows = []
    for n in range(1, companies + 1):
        status = rng.choice(STATUSES)
        company_rows.append(
            Company(
                id=n,
                name=f"Bench Company {n}",
                domain=f"bench-company-{n}.com",
                status=status,
                snoozed_until=(now + dt.timedelta(days=7)).date() if status == "snoozed" else None,
                disqualified_reason="bench" if status == "disqualified" else "",
                assignee=rng.choice(team) if status in ("researching", "ready") else None,
                claimed_at=now if status in ("researching", "ready") else None,
            )
        )
    Company.objects.bulk_create(company_rows, batch_size=BATCH)

    # Visitor n belongs to a company drawn from a skewed distribution (a few big companies,
    # many with one or two visitors); one visitor in ten is unidentified home broadband.
    weights = [1 / (k**0.8) for k in range(1, companies + 1)]
    owners = rng.choices(range(1, companies + 1), weights=weights, k=visitors)
    rows = {name: [] for name in ("visitor", "ip", "session", "view", "score")}
    company_visitors = Counter()
    line = 0
    for n in range(1, visitors + 1):
        company_id = None if n % 10 == 0 else owners[n - 1]
        ip = str(ipaddress.IPv4Address(0x0C000000 + n))
        last_seen = now - dt.timedelta(minutes=rng.randrange(60 * 24 * 30))
        views = rng.randint(1, 5)
        first_seen = last_seen - dt.timedelta(minutes=3 * views)
        rows["visitor"].append((n, ip, user_agent(n), n, first_seen, last_seen, company_id, ""))
        domain = f"bench-company-{company_id}.com" if company_id else "isp.net"
        rows["ip"].append(
            (
                ip,
                "ok",
                f"gw{n}.{domain}",
                company_id is not None,
                domain,
                "",
                "business" if company_id else "isp",
                ["PTR in a business domain" if company_id else "ISP naming pattern"],
                company_id,
                0,
                "",
                now,
            )
        )
        source, referrer = rng.choice(SOURCES)
        landing = rng.choice(pages)
        rows["session"].append(
            (n, n, first_seen, last_seen, views, landing.pk, source, referrer, "", "", "")
        )
        for k in range(views):
            line += 1
            page = landing if k == 0 else rng.choice(pages)
            rows["view"].append(
                (
                    n,
                    n,
                    page.pk,
                    first_seen + dt.timedelta(minutes=3 * k),
                    200,
                    "",
                    referrer if k == 0 else "",
                    source if k == 0 else "internal",
                    "",
                    "",
                    "",
                    180 if k < views - 1 else None,
                    line,
                )
            )
        probability = rng.betavariate(1.2, 3)
        reasons = [{"feature": "pricing_views", "text": "viewed pricing twice", "weight": 0.4}]
        rows["score"].append((n, model.pk, probability, False, reasons, now))
        if company_id is not None:
            company_visitors[company_id] += 1

    insert(
        Visitor,
        [
            "id",
            "ip",
            "user_agent",
            "ua_hash",
            "first_seen",
            "last_seen",
            "company",
            "excluded_reason",
        ],
        rows["visitor"],
    )
    insert(
        IPResolution,
        [
            "ip",
            "outcome",
            "ptr_name",
            "forward_confirmed",
            "domain",
            "asn_name",
            "classification",
            "evidence",
            "company",
            "attempts",
            "error",
            "resolved_at",
        ],
        rows["ip"],
    )
    insert(
        Session,
        [
            "id",
            "visitor",
            "started_at",
            "ended_at",
            "pageview_count",
            "landing_page",
            "source_type",
            "referrer",
            "utm_source",
            "utm_medium",
            "utm_campaign",
        ],
        rows["session"],
    )
    insert(
        PageView,
        [
            "visitor",
            "session",
            "page",
            "ts",
            "status",
            "query",
            "referrer",
            "source_type",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "time_on_page",
            "line_hash",
        ],
        rows["view"],
    )
    insert(
        VisitorScore,
        ["visitor", "model_version", "probability", "out_of_fold", "reasons", "scored_at"],
        rows["score"],
    )
    # Company scores and their engagement summary, as the real rescore computes them.
    rescore_companies(model, now)
    reset_sequences([Company, Visitor, Session])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    biggest, biggest_visitors = company_visitors.most_common(1)[0]
    fill_work(biggest, researcher, now)
    return researcher, (biggest, biggest_visitors), len(rows["view"])


def user_agent(n: int) -> str:
    """A browser header that differs per visitor, so the company page parses cold agents."""
    system = [
        "Windows NT 10.0; Win64; x64",
        "Macintosh; Intel Mac OS X 10_15_7",
        "X11; Linux x86_64",
    ]
    return (
        f"Mozilla/5.0 ({system[n % 3]}) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{100 + n % 40}.0.{n % 9000}.{n % 200} Safari/537.36"
    )


def fill_work(company_id: int, researcher, now):
    """A long history on the largest company: the timeline shows its latest of each kind."""
    from django.contrib.auth.models import Group, User

    from prospects.models import Company, Contact, Note, StatusChange, Task, Touchpoint

    rep = User.objects.create_user("bench-rep")
    rep.groups.add(Group.objects.get(name="outreach rep"))
    company = Company.objects.get(pk=company_id)
    Company.objects.filter(pk=company_id).update(status="in_outreach", assignee=researcher, rep=rep)
    contact = Contact.objects.create(company=company, name="Bench Contact", persona="coo")
    Note.objects.bulk_create(
        Note(company=company, author=researcher, body=f"note {n}") for n in range(150)
    )
    touches = Touchpoint.objects.bulk_create(
        Touchpoint(
            company=company,
            contact=contact,
            channel="email",
            outcome="replied",
            happened_on=(now - dt.timedelta(days=n)).date(),
            logged_by=rep,
        )
        for n in range(150)
    )
    Task.objects.bulk_create(
        Task(
            company=company,
            owner=rep,
            kind="call",
            due_on=(now + dt.timedelta(days=n % 9)).date(),
            touchpoint=t,
            created_by=rep,
            done_at=now if n % 2 else None,
        )
        for n, t in enumerate(touches)
    )
    StatusChange.objects.bulk_create(
        StatusChange(company=company, from_status="ready", to_status="in_outreach", changed_by=rep)
        for _ in range(120)
    )


def insert(model, field_names, rows):
    """Insert plain tuples in batches.

    bulk_create spends most of its time building and preparing model instances, which 700,000
    rows do not need. SQLite runs executemany in process; PostgreSQL gets multi-row VALUES
    (psycopg2's execute_values), since executemany there is one round trip per row.
    """
    from django.db import connection, transaction

    fields = [model._meta.get_field(name) for name in field_names]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    adapters = [_adapter(field) for field in fields]
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = [
                [a(v) for a, v in zip(adapters, row, strict=True)]
                for row in rows[start : start + BATCH]
            ]
            if connection.vendor == "postgresql":
                from psycopg2.extras import execute_values

                sql = f"INSERT INTO {table} ({columns}) VALUES %s"
                execute_values(cursor.cursor, sql, batch, page_size=1000)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)


def _adapter(field):
    """How a Python value becomes a database parameter for this field."""
    from django.db import connection

    ops = connection.ops  # bound once: the connection proxy is slow to reach per value
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if kind == "JSONField":
        return json.dumps
    if kind == "GenericIPAddressField":
        return ops.adapt_ipaddressfield_value
    return lambda v: v


def reset_sequences(models):
    """Explicit ids leave PostgreSQL's sequences behind; move them past the inserted rows."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def time_page(client, urls, n):
    """Server time in ms of n GETs cycling through urls, after one warm-up request each."""
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    for k in range(n):
        start = time.perf_counter()
        response = client.get(urls[k % len(urls)])
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return timings


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
    vendor, cleanup = setup_django()
    try:
        from django.test import Client
        from django.urls import reverse

        started = time.perf_counter()
        researcher, (biggest, biggest_visitors), views = fill(
            args.visitors, args.companies, args.seed
        )
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
        queue_ms = time_page(client, queue_urls, args.n)
        company_ms = time_page(client, company_urls, args.n)
        results = {
            "database": vendor,
            "visitors": args.visitors,
            "companies": args.companies,
            "pageviews": views,
            "largest_company_visitors": biggest_visitors,
            "fill_seconds": round(fill_seconds, 1),
            "requests_per_page": args.n,
            "queue_p50_ms": round(statistics.median(queue_ms), 1),
            "queue_p95_ms": round(p(queue_ms, 95), 1),
            "company_p50_ms": round(statistics.median(company_ms), 1),
            "company_p95_ms": round(p(company_ms, 95), 1),
            "queue_queries": count_queries(client, queue_urls[0]),
            "company_queries": count_queries(client, company_urls[0]),
        }
    finally:
        cleanup()
    for name, value in results.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
