"""Every definition of issue 2's ingestion section, checked through `ingest_file`."""

import datetime as dt

import pytest
from django.test import override_settings

from prospects.models import ContentRule, ConversionGoal, Page, PageView, Session, Visitor
from prospects.visits.ingest.importer import ingest_file
from prospects.visits.services import delete_rule, save_rule
from tests.ingest_lines import BROWSER, FIREFOX, T0, line, write_log

pytestmark = pytest.mark.django_db


def ingest(tmp_path, lines, name="access.log"):
    return ingest_file(write_log(tmp_path, lines, name))


def test_a_visitor_is_one_ip_and_user_agent_pair(tmp_path):
    ingest(
        tmp_path,
        [
            line("/", ip="203.0.113.7", agent=BROWSER),
            line("/pricing", ip="203.0.113.7", agent=BROWSER, minutes=1),
            line("/", ip="203.0.113.7", agent=FIREFOX),
            line("/", ip="2001:db8::7", agent=BROWSER),
        ],
    )
    assert sorted(Visitor.objects.values_list("ip", "user_agent")) == [
        ("2001:db8::7", BROWSER),
        ("203.0.113.7", BROWSER),
        ("203.0.113.7", FIREFOX),
    ]
    assert Visitor.objects.get(ip="203.0.113.7", user_agent=BROWSER).pageviews.count() == 2


def test_page_views_are_successful_gets_of_non_assets(tmp_path):
    result = ingest(
        tmp_path,
        [
            line("/pricing"),
            line("/blog/post", status=304),
            line("/resources/ebook.pdf"),
            line("/static/site.css"),
            line("/img/logo.png"),
            line("/favicon.ico"),
            line("/fonts/inter.woff2"),
            line("/contact", method="POST"),
            line("/missing", status=404),
            line("/old", status=301),
            line("/pricing", method="HEAD"),
        ],
    )
    assert (result.lines, result.pageviews, result.static, result.ignored) == (11, 3, 4, 4)
    assert set(PageView.objects.values_list("page__path", flat=True)) == {
        "/pricing",
        "/blog/post",
        "/resources/ebook.pdf",
    }


def test_bots_are_counted_and_never_stored(tmp_path):
    result = ingest(
        tmp_path,
        [
            line(
                "/",
                agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            ),
            line("/", agent="curl/8.4.0"),
            line("/", agent="python-requests/2.31.0"),
            line("/", agent="Go-http-client/1.1"),
            line("/", agent="-"),
            line("/", agent=BROWSER),
        ],
    )
    assert (result.bots, result.pageviews) == (5, 1)
    assert list(Visitor.objects.values_list("user_agent", flat=True)) == [BROWSER]


def test_blank_lines_are_ignored_and_malformed_lines_counted(tmp_path):
    result = ingest(tmp_path, ["", "   ", "not a log line", line("/")])
    assert (result.lines, result.malformed, result.pageviews) == (2, 1, 1)


def test_a_gap_over_thirty_minutes_starts_a_new_session(tmp_path):
    ingest(
        tmp_path,
        [
            line("/", minutes=0),
            line("/pricing", minutes=10),
            line("/product", minutes=40),  # exactly 30 minutes later: same session
            line("/blog/a", minutes=70, seconds=1),  # 30 minutes and 1 second: new session
            line("/blog/b", minutes=71),
        ],
    )
    sessions = list(Session.objects.order_by("started_at"))
    assert [s.pageview_count for s in sessions] == [3, 2]
    assert sessions[0].started_at == T0
    assert sessions[0].ended_at == T0 + dt.timedelta(minutes=40)
    assert sessions[1].landing_page.path == "/blog/a"
    assert PageView.objects.filter(session__isnull=True).count() == 0


def test_time_on_page_is_the_gap_to_the_next_view_and_none_on_the_last(tmp_path):
    ingest(
        tmp_path,
        [
            line("/", minutes=0),
            line("/pricing", minutes=2),
            line("/product", minutes=2, seconds=45),
            line("/blog/later", minutes=120),
        ],
    )
    times = dict(PageView.objects.values_list("page__path", "time_on_page"))
    assert times == {"/": 120, "/pricing": 45, "/product": None, "/blog/later": None}


def test_visitor_first_and_last_seen(tmp_path):
    ingest(tmp_path, [line("/", minutes=5), line("/pricing", minutes=500)])
    visitor = Visitor.objects.get()
    assert visitor.first_seen == T0 + dt.timedelta(minutes=5)
    assert visitor.last_seen == T0 + dt.timedelta(minutes=500)


def test_the_first_goal_hit_marks_the_visitor_converted(tmp_path):
    ingest(
        tmp_path,
        [
            line("/pricing", ip="198.51.100.1"),
            line("/trial/thanks", ip="198.51.100.1", minutes=3),
            line("/contact/thanks", ip="198.51.100.1", minutes=9),
            line("/pricing", ip="198.51.100.2"),
            line("/trial/thanks", ip="198.51.100.3", method="POST"),
        ],
    )
    converted = dict(Visitor.objects.values_list("ip", "converted_at"))
    assert converted == {"198.51.100.1": T0 + dt.timedelta(minutes=3), "198.51.100.2": None}


def test_editing_conversion_goals_recomputes_conversions(tmp_path):
    ingest(tmp_path, [line("/pricing"), line("/demo/booked", minutes=4)])
    assert Visitor.objects.get().converted_at is None
    goal = ConversionGoal(name="Demo booked", pattern="/demo/booked", match_type="exact")
    save_rule(rule=goal)
    assert Page.objects.get(path="/demo/booked").is_goal
    assert Visitor.objects.get().converted_at == T0 + dt.timedelta(minutes=4)
    delete_rule(rule=goal)
    assert Visitor.objects.get().converted_at is None


def test_content_rules_give_categories_and_stages(tmp_path):
    ingest(
        tmp_path,
        [
            line("/"),
            line("/blog/why-reports-matter"),
            line("/pricing"),
            line("/product/api"),
            line("/about"),
            line("/press/launch"),
            line("/careers/engineer"),
            line("/whitepapers/roi.pdf"),
            line("/docs/install"),
            line("/something-else"),
        ],
    )
    labels = {p.path: (p.category, p.funnel_stage) for p in Page.objects.all()}
    assert labels == {
        "/": ("home", "awareness"),
        "/blog/why-reports-matter": ("blog", "education"),
        "/pricing": ("pricing", "differentiation"),
        "/product/api": ("product", "interest"),
        "/about": ("company", "interest"),
        "/press/launch": ("press", "awareness"),
        "/careers/engineer": ("jobs", "awareness"),
        "/whitepapers/roi.pdf": ("premium", "education"),
        "/docs/install": ("docs", "interest"),
        "/something-else": ("other", "awareness"),
    }


def test_editing_a_content_rule_relabels_pages(tmp_path):
    ingest(tmp_path, [line("/webinar-replay"), line("/pricing")])
    assert Page.objects.get(path="/webinar-replay").category == "other"
    rule = ContentRule(
        position=5,
        match_type="regex",
        pattern=r"^/webinar",
        category="premium",
        funnel_stage="education",
    )
    save_rule(rule=rule)
    assert Page.objects.get(path="/webinar-replay").category == "premium"
    delete_rule(rule=ContentRule.objects.get(pattern="/pricing"))
    assert Page.objects.get(path="/pricing").category == "other"


@override_settings(LEADGEN_SITE_DOMAINS=["northwind-software.com"])
def test_referrers_give_session_source_types_and_utm_tags_are_kept(tmp_path):
    visits = {
        "192.0.2.1": ("https://www.google.co.uk/", "/"),
        "192.0.2.2": ("https://www.linkedin.com/feed/", "/"),
        "192.0.2.3": ("https://mail.google.com/mail/u/0/", "/"),
        "192.0.2.4": ("https://partner-blog.example.net/review", "/"),
        "192.0.2.5": ("https://www.northwind-software.com/blog", "/pricing"),
        "192.0.2.6": ("-", "/"),
        "192.0.2.7": ("https://t.co/x", "/?utm_source=spring&utm_medium=email&utm_campaign=launch"),
    }
    lines = [line(path, ip=ip, referrer=ref) for ip, (ref, path) in visits.items()]
    # A later view inside the session does not change the session's source.
    lines.append(line("/product", ip="192.0.2.1", referrer="https://www.bing.com/", minutes=1))
    ingest(tmp_path, lines)
    sources = dict(Session.objects.values_list("visitor__ip", "source_type"))
    assert sources == {
        "192.0.2.1": "search",
        "192.0.2.2": "social",
        "192.0.2.3": "campaign",
        "192.0.2.4": "partner",
        "192.0.2.5": "internal",
        "192.0.2.6": "direct",
        "192.0.2.7": "campaign",
    }
    campaign = Session.objects.get(visitor__ip="192.0.2.7")
    assert (campaign.utm_source, campaign.utm_medium, campaign.utm_campaign) == (
        "spring",
        "email",
        "launch",
    )
    view = PageView.objects.get(visitor__ip="192.0.2.7")
    assert (view.query, view.utm_campaign) == (
        "utm_source=spring&utm_medium=email&utm_campaign=launch",
        "launch",
    )
    assert Session.objects.get(visitor__ip="192.0.2.1").referrer == "https://www.google.co.uk/"
