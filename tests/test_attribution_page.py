"""The attribution report from stored visits: journeys with a known answer, the outreach
check against a holdout, the page's roles and hostile text from the logs."""

import datetime as dt

import pytest
from django.urls import reverse

from prospects.attribution.services import compute_attribution
from prospects.experiments.services import record_past_experiment
from prospects.models import Page, PageView, Session, Touchpoint, Visitor
from tests.factories import CompanyFactory, UserFactory, VisitorFactory, stable_hash

pytestmark = pytest.mark.django_db

DAY0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
HOSTILE_PATH = "/blog/<script>alert(1)</script>"
HOSTILE_CAMPAIGN = '<img src=x onerror="alert(2)">'
HOSTILE_REFERRER = "https://evil.example/<svg onload=alert(3)>"


def _session(visitor, start, pages, *, source="search", campaign="", referrer="", utm=("", "")):
    """A session of page views a minute apart (a goal page converts the visitor)."""
    session = Session.objects.create(
        visitor=visitor,
        started_at=start,
        ended_at=start + dt.timedelta(minutes=len(pages)),
        pageview_count=len(pages),
        landing_page=pages[0],
        source_type=source,
        referrer=referrer,
        utm_source=utm[0],
        utm_medium=utm[1],
        utm_campaign=campaign,
    )
    for i, page in enumerate(pages):
        ts = start + dt.timedelta(minutes=i)
        PageView.objects.create(
            visitor=visitor,
            session=session,
            page=page,
            ts=ts,
            status=200,
            source_type=source,
            line_hash=stable_hash(f"{visitor.pk}-{ts.isoformat()}"),
        )
        if page.is_goal and visitor.converted_at is None:
            visitor.converted_at = ts
    visitor.first_seen = visitor.first_seen or start
    visitor.last_seen = session.ended_at
    visitor.save()
    return session


@pytest.fixture
def pages():
    make = Page.objects.create
    return {
        "blog": make(path=HOSTILE_PATH, category="blog", funnel_stage="education"),
        "pricing": make(path="/pricing", category="pricing", funnel_stage="differentiation"),
        "docs": make(path="/docs", category="docs", funnel_stage="interest"),
        "goal": make(path="/trial/thanks", category="contact", is_goal=True),
    }


@pytest.fixture
def site(pages, admin_user):
    """A treated company reached by email before its visitor came from search and converted;
    a held-out company whose visitor read docs and left; a visitor of no company who came
    from a campaign, read the blog and converted."""
    treated, held = CompanyFactory(name="Treated"), CompanyFactory(name="Held out")
    buyer = VisitorFactory(company=treated)
    _session(buyer, DAY0 + dt.timedelta(days=3), [pages["blog"], pages["pricing"], pages["goal"]])
    reader = VisitorFactory(company=held)
    _session(reader, DAY0 + dt.timedelta(days=2), [pages["docs"]], source="direct")
    lone = VisitorFactory()
    _session(
        lone,
        DAY0 + dt.timedelta(days=1),
        [pages["blog"], pages["goal"]],
        source="campaign",
        campaign=HOSTILE_CAMPAIGN,
        referrer=HOSTILE_REFERRER,
    )
    record_past_experiment(
        name="Spring holdout",
        share_percent=50,
        arms={treated: ("treatment", DAY0), held: ("control", DAY0)},
        started_at=DAY0,
        stopped_at=DAY0 + dt.timedelta(days=30),
        user=admin_user,
    )
    Touchpoint.objects.create(
        company=treated,
        channel="email",
        outcome="replied",
        happened_on=(DAY0 + dt.timedelta(days=1)).date(),
    )
    return compute_attribution(now=DAY0 + dt.timedelta(days=40))


def _rows(report, level, dimension) -> dict:
    rows = report.results[level]["dimensions"][dimension]["rows"]
    return {r["label"]: r for r in rows}


def test_journey_credit_by_category_and_channel(site):
    assert site.conversions == 2 and site.journeys == 3
    category = _rows(site, "visitor", "category")
    # The buyer read blog then pricing (the goal page left out): half each under linear; the
    # campaign visitor read only the blog.
    assert category["Blog"]["models"]["linear"][0] == pytest.approx(1.5)
    assert category["Pricing"]["models"]["linear"][0] == pytest.approx(0.5)
    assert category["Blog"]["models"]["first"][0] == pytest.approx(2.0)
    assert category["Pricing"]["models"]["last"][0] == pytest.approx(1.0)
    assert category["Blog"]["models"]["linear"][1] == pytest.approx(0.75)
    assert (
        "Contact / trial" not in category or category["Contact / trial"]["models"]["linear"][0] == 0
    )
    # Journeys that saw the blog: two, both converted; the docs reader did not.
    assert category["Blog"]["exposure"]["saw"] == 2
    assert category["Blog"]["exposure"]["saw_rate"] == pytest.approx(1000.0)
    assert category["Blog"]["exposure"]["unseen_rate"] == pytest.approx(0.0)
    channel = _rows(site, "visitor", "channel")
    assert channel["Outreach: Email"]["models"]["first"][0] == pytest.approx(1.0)
    assert channel["Search"]["models"]["last"][0] == pytest.approx(1.0)
    assert channel["Search"]["models"]["last_non_direct"][0] == pytest.approx(1.0)


def test_outreach_check_counts_the_treated_conversions_in_their_windows(site):
    check = site.results["check"]
    assert check["conversions"] == 1 and check["reached_conversions"] == 1
    assert check["credit"]["first"] == pytest.approx(1.0)
    assert check["credit"]["last"] == pytest.approx(0.0)
    assert check["credit"]["linear"] == pytest.approx(0.5)
    assert check["credit"]["position"] == pytest.approx(0.5)


def test_the_page_states_the_experiment_beside_each_model(client, site, researcher):
    client.force_login(researcher)
    response = client.get(reverse("attribution"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Spring holdout" in text
    assert "extra conversions" in text
    for name in ("First touch", "Last touch", "Linear", "Data-driven (Markov removal)"):
        assert name in text
    assert 'id="outreach-models"' in text
    assert response.context["check"].treated == 1
    company = client.get(reverse("attribution") + "?level=company")
    assert company.status_code == 200 and company.context["level"] == "company"


def test_tagged_sessions_read_source_medium_campaign(client, pages, researcher):
    """As analytics tools show them: "newsletter / email / spring-launch"; case folded, a
    missing part "(not set)", no campaign: "source / medium"; untagged: the source type."""
    tags = [
        (("newsletter", "email"), "spring-launch"),
        ((" Newsletter", "Email "), "Spring-Launch"),
        (("", ""), "spring-launch"),
        (("linkedin", "paid-social"), ""),
        (("", ""), ""),
    ]
    for day, (utm, campaign) in enumerate(tags):
        visitor = VisitorFactory()
        source = "campaign" if any(utm) or campaign else "search"
        start = DAY0 + dt.timedelta(days=day)
        _session(
            visitor,
            start,
            [pages["docs"], pages["goal"]],
            source=source,
            campaign=campaign,
            utm=utm,
        )
    report = compute_attribution(now=DAY0 + dt.timedelta(days=40))
    credit = {
        label: row["models"]["last"][0]
        for label, row in _rows(report, "visitor", "channel").items()
    }
    assert credit == {
        "newsletter / email / spring-launch": 2.0,
        "(not set) / (not set) / spring-launch": 1.0,
        "linkedin / paid-social": 1.0,
        "Search": 1.0,
    }
    client.force_login(researcher)
    text = client.get(reverse("attribution")).content.decode()
    assert "newsletter / email / spring-launch" in text
    assert "linkedin / paid-social" in text


def test_the_page_shows_each_adjusted_difference_with_its_interval(client, site, researcher):
    client.force_login(researcher)
    text = client.get(reverse("attribution")).content.decode()
    # The blog: both journeys that saw it converted, the one that did not, did not; with all
    # or none converted on each side, Newcombe's interval says how little so few journeys tell.
    assert '+1000.0 <span class="muted small">(-122.1 to +1000.0)</span>' in text
    stored = site.results["visitor"]["dimensions"]["category"]["rows"]
    blog = next(r for r in stored if r["label"] == "Blog")
    blog["exposure"].update(adjusted=130.0, adjusted_low=6.748, adjusted_high=253.252)
    site.save()
    text = client.get(reverse("attribution")).content.decode()
    assert '+130.0 <span class="muted small">(+6.7 to +253.3)</span>' in text


def test_hostile_paths_and_campaigns_are_escaped(client, site, researcher):
    client.force_login(researcher)
    text = client.get(reverse("attribution")).content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img src=x" not in text
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in text
    assert "<svg onload" not in text


@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_allowed_roles_see_the_page_and_the_nav_link(client, role, pages):
    client.force_login(UserFactory(username=f"u-{role}", role=role))
    response = client.get(reverse("attribution"))
    assert response.status_code == 200
    assert "No attribution yet" in response.content.decode()
    assert f'href="{reverse("attribution")}"' in response.content.decode()


def test_others_are_refused(client, rep, outsider):
    url = reverse("attribution")
    assert client.get(url).status_code == 302  # to the login page
    for user in (rep, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(rep)
    assert client.post(reverse("attribution_recompute")).status_code == 403


def test_only_admins_recompute(client, researcher, admin_user):
    client.force_login(researcher)
    assert client.post(reverse("attribution_recompute")).status_code == 403
    client.force_login(admin_user)
    response = client.post(reverse("attribution_recompute"))
    assert response.status_code == 302 and response["Location"] == reverse("attribution")


def test_no_visitors_gives_an_empty_report():
    report = compute_attribution()
    assert report.conversions == 0 and report.results["check"] is None
    assert Visitor.objects.count() == 0
