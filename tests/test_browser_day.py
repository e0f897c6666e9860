"""A team's day in a real Chromium (Playwright) against the live server.

A researcher logs in, filters the queue, claims a company, adds a contact and a note and moves
it to ready for outreach; a rep logs a touchpoint; an admin lowers the threshold and the queue
grows. Every request that leaves the live server is blocked and reported: pages work offline.
With LEADGEN_SCREENSHOTS=1 the main pages are saved to docs/screenshots/.
"""

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from prospects.models import (
    Company,
    Contact,
    IPResolution,
    Note,
    Page,
    Session,
    ThresholdChange,
    Touchpoint,
)
from scoring.models import CompanyScore, ModelVersion
from tests.factories import CompanyFactory, PageViewFactory, VisitorFactory

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # The live server reads what the test writes, so the data must be committed; the
    # serialized rollback brings back the migration's roles and threshold for the next test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_context(live_server, monkeypatch):
    """A Chromium context on the live server that refuses every other host."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI would fail here")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are ordinary synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1360, "height": 900}
        )
        context.set_default_timeout(15_000)
        context.foreign_requests = []

        def only_live_server(route):
            url = route.request.url
            if url.startswith(live_server.url) or url.startswith("data:"):
                route.continue_()
            else:
                context.foreign_requests.append(url)
                route.abort()

        context.route("**/*", only_live_server)
        try:
            yield context
        finally:
            context.close()
            browser.close()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()


def screenshot(page, name):
    """Save a full-page screenshot for the README when LEADGEN_SCREENSHOTS=1."""
    if os.environ.get("LEADGEN_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, username):
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    form = page.locator("form", has=page.locator("#id_password"))
    form.locator("button, input[type=submit]").first.click()
    page.wait_for_url(lambda url: "/login/" not in url)


def reveal(page, form_id):
    """Open the folded section (<details>) holding a form, as a person would."""
    folded = page.locator("details:not([open])", has=page.locator(f"#{form_id}"))
    if folded.count():
        folded.first.locator("summary").first.click()
    return page.locator(f"#{form_id}")


def submit(page, action_id):
    """Submit an action form (or click the action button) and wait for the POST's answer."""
    target = page.locator(f"#{action_id}")
    if target.evaluate("el => el.tagName") == "FORM":
        target = target.locator("button:not([type=button]), input[type=submit]").first
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        target.click()
    assert answer.value.status < 400, (action_id, answer.value.status)


def expect_message(page, text):
    """Wait for a flash message containing text."""
    page.locator(".messages").filter(has_text=text).first.wait_for()


def queue_rows(page):
    return page.locator("tr[data-company-id]")


# (name, domain, score, pages read, days since the last visit, where the visitor came from)
MAIN_COMPANIES = [
    ("Granite Advisory", "granite-advisory.com", 0.92, ["blog", "pricing", "premium"], 1, "search"),
    ("Harbor Logistics", "harbor-logistics.de", 0.81, ["blog", "product"], 2, "social"),
    ("Maple Systems", "maple-systems.io", 0.66, ["product"], 3, "direct"),
    ("Willow Partners", "willow-partners.co.uk", 0.42, ["blog", "pricing"], 4, "partner"),
    ("Quartz Labs", "quartz-labs.net", 0.35, ["blog"], 5, "direct"),
]
# More of the queue, so the screenshots look like a working day; none read the pricing page.
OTHER_COMPANIES = [
    (f"{first.title()} {second.title()}", f"{first}-{second}.com", score, seen, days, source)
    for first, second, score, seen, days, source in [
        ("summit", "consulting", 0.88, ["product", "blog"], 2, "search"),
        ("cedar", "analytics", 0.77, ["premium", "product"], 6, "campaign"),
        ("lumen", "engineering", 0.74, ["blog", "blog"], 8, "search"),
        ("keystone", "services", 0.69, ["product"], 3, "partner"),
        ("ember", "digital", 0.61, ["premium"], 12, "social"),
        ("falcon", "networks", 0.57, ["blog", "product"], 9, "direct"),
        ("juniper", "group", 0.53, ["blog"], 15, "search"),
    ]
]
REFERRERS = {
    "search": "https://www.google.com/",
    "social": "https://www.linkedin.com/feed/",
    "partner": "https://www.g2.com/categories/psa",
    "campaign": "",
    "direct": "",
}


def build_day():
    """Scored companies with identified visitors who read some pages; threshold is 0.50."""
    version = ModelVersion.objects.create(
        algorithm="gradient_boosting",
        trained_by="browser test",
        is_active=True,
        file_name="browser.skops",
        training_size=5000,
        training_positives=120,
        roc_auc=0.86,
        pr_auc=0.41,
        brier=0.03,
    )
    pages = {
        "pricing": ("/pricing", "differentiation"),
        "premium": ("/resources/whitepapers/psa-roi-study", "education"),
        "blog": ("/blog/margin-leaks", "education"),
        "product": ("/product/billing", "interest"),
    }
    pages = {
        key: Page.objects.create(path=path, category=key, funnel_stage=stage)
        for key, (path, stage) in pages.items()
    }
    now = timezone.now()
    companies = {}
    for name, domain, probability, seen, days, source in MAIN_COMPANIES + OTHER_COMPANIES:
        company = CompanyFactory(name=name, domain=domain)
        start = now - dt.timedelta(days=days, minutes=5 * len(seen))
        visitor = VisitorFactory(
            company=company,
            first_seen=start - dt.timedelta(days=3),
            last_seen=now - dt.timedelta(days=days),
        )
        IPResolution.objects.create(
            ip=visitor.ip,
            outcome="ok",
            ptr_name=f"gw.{domain}",
            forward_confirmed=True,
            domain=domain,
            classification="business",
            evidence=[
                f"PTR gw.{domain} resolves back to {visitor.ip}",
                f"{domain} is a registrable domain",
            ],
            company=company,
            resolved_at=now,
        )
        session = Session.objects.create(
            visitor=visitor,
            started_at=start,
            ended_at=visitor.last_seen,
            pageview_count=len(seen),
            landing_page=pages[seen[0]],
            source_type=source,
            referrer=REFERRERS[source],
        )
        for k, key in enumerate(seen):
            PageViewFactory(
                visitor=visitor,
                session=session,
                page=pages[key],
                ts=start + dt.timedelta(minutes=5 * k),
                source_type=source if k == 0 else "internal",
                referrer=REFERRERS[source] if k == 0 else "",
                time_on_page=300 if k < len(seen) - 1 else None,
            )
        CompanyScore.objects.create(
            company=company,
            model_version=version,
            probability=probability,
            visitor_count=1,
            pricing_views=seen.count("pricing"),
            premium_views=seen.count("premium"),
            last_visit=visitor.last_seen,
            top_visitor=visitor,
            reasons=[
                {"text": f"read {len(seen)} pages in one visit"},
                {"text": "viewed pricing" if "pricing" in seen else "came back after 3 days"},
            ],
            scored_at=now,
        )
        companies[name] = company
    return companies


def test_a_team_works_a_company_from_queue_to_outreach(page, researcher, rep, admin_user):
    companies = build_day()
    granite = companies["Granite Advisory"]

    # The researcher logs in and sees the queue, best first.
    page.goto("/")
    page.wait_for_url("**/login/**")
    screenshot(page, "login")
    log_in(page, "rita")
    rows = queue_rows(page)
    above_threshold = len(OTHER_COMPANIES) + 3
    assert rows.count() == above_threshold
    assert rows.first.get_attribute("data-company-id") == str(granite.pk)
    screenshot(page, "queue")

    # Filtering by content seen keeps only the company that read the pricing page.
    filters = page.locator("form#queue-filters")
    # The select's change event sends the form; a second submit would race the click below
    # with its own swap of the table.
    with page.expect_response(lambda r: "category=pricing" in r.url):
        filters.locator("[name=category]").select_option("pricing")
    page.wait_for_function(
        "() => document.querySelectorAll('tr[data-company-id]').length === 1", timeout=10_000
    )
    assert rows.first.get_attribute("data-company-id") == str(granite.pk)

    # Open the company and claim it.
    rows.first.locator("a").first.click()
    page.wait_for_url(f"**/companies/{granite.pk}/")
    submit(page, "next-step-form")
    expect_message(page, "You have claimed Granite Advisory")
    granite.refresh_from_db()
    assert granite.assignee == researcher
    assert granite.status == Company.Status.RESEARCHING

    # A contact with a buyer persona, then a note.
    contact_form = reveal(page, "contact-form")
    contact_form.locator("[name=name]").fill("Ann Lee")
    contact_form.locator("[name=title]").fill("Chief Operating Officer")
    contact_form.locator("[name=persona]").select_option("coo")
    contact_form.locator("[name=email]").fill("ann.lee@granite-advisory.com")
    submit(page, "contact-form")
    expect_message(page, "Added Ann Lee")
    assert Contact.objects.get(company=granite).persona == "coo"

    reveal(page, "note-form").locator("[name=body]").fill(
        "40 consultants, still plans capacity in Excel."
    )
    submit(page, "note-form")
    page.get_by_text("still plans capacity in Excel").first.wait_for()
    assert Note.objects.get(company=granite).author == researcher

    # Ready for outreach.
    submit(page, "next-step-form")
    expect_message(page, "Ready for outreach")
    granite.refresh_from_db()
    assert granite.status == Company.Status.READY

    page.goto("/my-work/")
    page.get_by_text("Granite Advisory").first.wait_for()
    screenshot(page, "my_work")

    # The rep logs an email that got a reply: the company is now in outreach.
    log_in(page, "oscar")
    page.goto(f"/companies/{granite.pk}/")
    touch = reveal(page, "touchpoint-form")
    touch.locator("[name=channel]").select_option("email")
    touch.locator("[name=contact]").select_option(str(Contact.objects.get(name="Ann Lee").pk))
    touch.locator("[name=happened_on]").fill(timezone.localdate().isoformat())
    touch.locator("[name=outcome]").select_option("replied")
    touch.locator("[name=summary]").fill("Asked for the ROI study; call on Friday.")
    submit(page, "touchpoint-form")
    page.get_by_text("call on Friday").first.wait_for()
    touchpoint = Touchpoint.objects.get(company=granite)
    assert (touchpoint.logged_by, touchpoint.outcome, touchpoint.contact.name) == (
        rep,
        "replied",
        "Ann Lee",
    )
    granite.refresh_from_db()
    assert granite.status == Company.Status.IN_OUTREACH
    page.goto(f"/companies/{granite.pk}/")
    screenshot(page, "company")

    # The admin lowers the threshold to 0.40 and the queue takes in Willow Partners.
    log_in(page, "ada")
    page.goto("/capacity/")
    reveal(page, "threshold-form").locator("[name=value]").fill("0.40")
    submit(page, "threshold-form")
    expect_message(page, "0.40")
    assert ThresholdChange.objects.first().value == Decimal("0.40")
    page.goto("/capacity/")
    screenshot(page, "capacity")
    page.goto("/")
    listed = {rows.nth(i).get_attribute("data-company-id") for i in range(rows.count())}
    assert str(companies["Willow Partners"].pk) in listed
    assert str(companies["Quartz Labs"].pk) not in listed
    assert len(listed) == above_threshold + 1

    # The API docs render from the server's own static files.
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").get_by_text("Lead-generation engine API").wait_for()

    assert page.context.foreign_requests == []
