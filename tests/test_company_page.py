"""The company page: one timeline, readable agents, the person's time zone, hostile input safe."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from prospects.accounts.services import set_time_zone
from prospects.crm import outreach, services
from prospects.crm.timeline import TIMELINE_SHOWN
from prospects.models import Page, Session
from tests.crm_fixtures import scored_company
from tests.factories import PageViewFactory, VisitorFactory

pytestmark = pytest.mark.django_db

# The session, the user and their roles; the company (with its score, segment, visitor count
# and watch), visitors, addresses, sessions and their page views (the pace reads them too), the
# session count; contacts, notes, touchpoints, moves, tasks, overrides; the contact time's page
# views, the team's reply rates by hour, the pipeline's fits and outcomes; the audit log's row.
COMPANY_PAGE_QUERIES = 20
FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


def _get(client, company):
    response = client.get(reverse("company", args=[company.pk]))
    assert response.status_code == 200
    return response


def test_the_timeline_interleaves_work_and_visits_newest_first(client, researcher, rep):
    company = scored_company()
    visitor = company.visitors.get()
    services.claim_company(company=company, user=researcher)
    services.add_note(company=company, author=researcher, body="Looks like a fit")
    services.change_status(company=company, to_status="ready", user=researcher)
    outreach.log_touchpoint(
        company=company,
        user=rep,
        channel="email",
        happened_on=timezone.localdate(),
        outcome="replied",
        next_step_on=timezone.localdate(),
    )
    outreach.add_task(company=company, user=rep, due_on=timezone.localdate(), title="Send deck")
    start = timezone.now() - dt.timedelta(minutes=30)
    Session.objects.create(visitor=visitor, started_at=start, ended_at=start, pageview_count=1)
    client.force_login(rep)
    timeline = _get(client, company).context["timeline"]
    kinds = [e.kind for e in timeline]
    assert kinds == [
        "task",
        "status",
        "touchpoint",
        "status",
        "note",
        "status",
        "session",
        "session",
    ]
    assert [e.at for e in timeline] == sorted((e.at for e in timeline), reverse=True)


def test_a_session_is_a_summary_that_expands_in_place(client, rep):
    company = scored_company(views=())
    visitor = company.visitors.get()
    start = timezone.now() - dt.timedelta(hours=3)
    session = Session.objects.create(
        visitor=visitor,
        started_at=start,
        ended_at=start,
        pageview_count=3,
        source_type="search",
        referrer="https://www.google.com/",
    )
    pricing = Page.objects.create(
        path="/pricing", category="pricing", funnel_stage="differentiation"
    )
    blog = Page.objects.create(path="/blog/margins", category="blog", funnel_stage="education")
    for k, (page, seconds) in enumerate([(blog, 30), (pricing, 200), (pricing, None)]):
        PageViewFactory(
            visitor=visitor,
            session=session,
            page=page,
            ts=start + dt.timedelta(minutes=k),
            time_on_page=seconds,
        )
    client.force_login(rep)
    response = _get(client, company)
    entry = next(e for e in response.context["timeline"] if e.kind == "session")
    assert entry.summary.pages == 3
    assert entry.summary.categories == [("Pricing", 2), ("Blog", 1)]
    assert (entry.summary.top_page, entry.summary.top_page_seconds) == ("/pricing", 200)
    body = response.content.decode()
    block = body.split(f'id="session-{session.pk}"')[1].split("</details>")[0]
    assert block.startswith(" hx-preserve>") and "<summary>" in block and "Search" in block
    assert "/blog/margins" in block  # the page views are inside the collapsed <details>
    assert entry.summary.source == "www.google.com"
    assert '<span class="small session-source">www.google.com</span>' in block


def test_a_sessions_source_names_its_referrer_host_and_utm_tags_escaped(client, rep):
    company = scored_company(views=())
    start = timezone.now() - dt.timedelta(hours=2)
    session = Session.objects.create(
        visitor=company.visitors.get(),
        started_at=start,
        ended_at=start,
        pageview_count=1,
        source_type="campaign",
        referrer="https://mail.example.net/inbox?x=1",
        utm_source="newsletter",
        utm_medium="email",
        utm_campaign="<script>alert(1)</script>",
    )
    client.force_login(rep)
    response = _get(client, company)
    entry = next(e for e in response.context["timeline"] if e.kind == "session")
    assert entry.summary.source == (
        "mail.example.net · newsletter / email / <script>alert(1)</script>"
    )
    body = response.content.decode()
    block = body.split(f'id="session-{session.pk}"')[1].split("</details>")[0]
    summary = block.split("</summary>")[0]
    assert "mail.example.net · newsletter / email / &lt;script&gt;" in summary
    assert "<script>alert(1)" not in body


def test_times_are_in_the_persons_time_zone_with_the_zone_shown(client, rep):
    company = scored_company()
    note = services.add_note(company=company, author=rep, body="hello")
    client.force_login(rep)
    set_time_zone(user=rep, time_zone="Asia/Kolkata")
    body = _get(client, company).content.decode()
    local = timezone.localtime(note.created_at, timezone.get_fixed_timezone(330))
    assert f"{local:%Y-%m-%d %H:%M} IST" in body
    assert "Times are in Asia/Kolkata." in body


def test_a_future_stamp_never_reads_as_just_now(client, rep):
    company = scored_company()
    ahead = timezone.now() + dt.timedelta(hours=5)
    Session.objects.create(
        visitor=company.visitors.get(), started_at=ahead, ended_at=ahead, pageview_count=1
    )
    company.visitors.update(last_seen=ahead)
    company.score.last_visit = ahead
    company.score.save()
    client.force_login(rep)
    body = _get(client, company).content.decode()
    assert "(in the future)" in body
    assert "just now" not in body.split('class="facts"')[1].split("</p>")[0]


def test_the_website_link_and_readable_browsers(client, rep):
    company = scored_company(domain="granite-advisory.com")
    VisitorFactory(company=company, user_agent=FIREFOX)
    client.force_login(rep)
    body = _get(client, company).content.decode()
    assert 'href="https://granite-advisory.com/" rel="noopener noreferrer nofollow"' in body
    assert "Firefox 121 on Ubuntu" in body


def test_hostile_agents_and_domains_are_text(client, rep):
    company = scored_company(domain='evil.com"><script>alert(1)</script>')
    VisitorFactory(company=company, user_agent='<img src=x onerror="alert(1)">')
    client.force_login(rep)
    body = _get(client, company).content.decode()
    assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert 'href="https://evil.com' not in body  # not a hostname: no link at all
    assert "Unknown browser" in body


def _more_work(company, researcher, rep, n):
    """n more notes, touchpoints with a next step (tasks), visitors and sessions with views."""
    contact = services.add_contact(company=company, user=researcher, name=f"Ann {n}")
    start = timezone.now() - dt.timedelta(days=20)
    for k in range(n):
        services.add_note(company=company, author=researcher, body=f"note {k}")
        outreach.log_touchpoint(
            company=company,
            user=rep,
            channel="call",
            happened_on=timezone.localdate(),
            outcome="no_response",
            contact=contact,
            next_step_on=timezone.localdate(),
        )
        visitor = VisitorFactory(company=company, user_agent=f"{FIREFOX} {n} {k}")
        at = start + dt.timedelta(hours=5 * k)
        session = Session.objects.create(
            visitor=visitor, started_at=at, ended_at=at, pageview_count=1
        )
        PageViewFactory(visitor=visitor, session=session, ts=at)


def test_the_company_page_costs_the_same_queries_however_much_work(
    client, researcher, rep, django_assert_max_num_queries
):
    company = scored_company()
    client.force_login(rep)
    with CaptureQueriesContext(connection) as bare:
        _get(client, company)
    _more_work(company, researcher, rep, 3)
    with django_assert_max_num_queries(COMPANY_PAGE_QUERIES) as small:
        _get(client, company)
    _more_work(company, researcher, rep, 40)
    with django_assert_max_num_queries(COMPANY_PAGE_QUERIES) as large:
        page = _get(client, company).content.decode()
    assert "latest 25 of 44 sessions" in page and "latest 50 of 44" not in page
    assert len(bare.captured_queries) == len(small.captured_queries)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_long_timeline_shows_the_newest_entries_then_the_older_on_request(client, researcher):
    company = scored_company()
    for n in range(TIMELINE_SHOWN + 4):
        services.add_note(company=company, author=researcher, body=f"note {n}")
    client.force_login(researcher)
    response = _get(client, company)
    entries = response.context["timeline"]
    assert len(entries) == TIMELINE_SHOWN
    assert entries[0].item.body == f"note {TIMELINE_SHOWN + 3}"
    # The 64 notes and the company's one session: five older.
    assert 'href="?activity=all#timeline">Show 5 older entries</a>' in response.content.decode()
    everything = client.get(reverse("company", args=[company.pk]), {"activity": "all"})
    assert len(everything.context["timeline"]) == TIMELINE_SHOWN + 5
    assert "older entr" not in everything.content.decode()
