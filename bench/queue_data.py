"""Bench data for bench/queue.py: users, companies, visitors, sessions, page views, scores.

Rows go in as plain tuples in batches (no model instances); company scores come from the real
rescore_companies().
"""

import datetime as dt
import ipaddress
import json
import random
from collections import Counter

BATCH = 5000

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
        rows["score"].append((n, model.pk, probability, reasons, now))
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
        ["visitor", "model_version", "probability", "reasons", "scored_at"],
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


def fill_contacts(companies: int):
    """One contact per company, found by the search's contact group (name and email)."""
    from django.utils import timezone

    from prospects.models import Contact

    now = timezone.now()
    insert(
        Contact,
        ["company", "name", "title", "persona", "email", "phone", "linkedin_url", "created_at"],
        [
            (n, f"Pat Person{n}", "COO", "coo", f"pat{n}@bench-company-{n}.com", "", "", now)
            for n in range(1, companies + 1)
        ],
    )
