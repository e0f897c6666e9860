"""A rep's day in a real Chromium (Playwright) against the live server.

The rep signs in and lands on My outreach, takes a company research marked ready, logs a
touchpoint with a next step (in place: the page is not reloaded and keeps its scroll), sees
the step due today, converts the company (confirming) and undoes it. With
LEADGEN_SCREENSHOTS=1 the company page (1400 px and 390 px) and My outreach are saved to
docs/screenshots/.
"""

import datetime as dt

import pytest
from django.utils import timezone

from prospects.crm import outreach, services
from prospects.models import Company, Contact, IPResolution, Page, Session, Task
from scoring.models import CompanyScore, ModelVersion
from tests.factories import CompanyFactory, PageViewFactory, VisitorFactory
from tests.test_browser_day import browser_context, log_in, page, screenshot

__all__ = ["browser_context", "page"]  # fixtures, used by name

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Safari/605.1.15"
)


def _scored(name, domain, probability, *, paths, days_ago, version):
    company = CompanyFactory(name=name, domain=domain)
    now = timezone.now()
    visitor = VisitorFactory(
        company=company,
        user_agent=UA,
        first_seen=now - dt.timedelta(days=days_ago + 3),
        last_seen=now - dt.timedelta(days=days_ago),
    )
    IPResolution.objects.create(
        ip=visitor.ip,
        outcome="ok",
        ptr_name=f"gw.{domain}",
        forward_confirmed=True,
        domain=domain,
        classification="business",
        evidence=[f"PTR gw.{domain} resolves back to {visitor.ip}"],
        company=company,
        resolved_at=now,
    )
    for visit in range(2):
        start = now - dt.timedelta(days=days_ago + 2 * visit, hours=2)
        session = Session.objects.create(
            visitor=visitor,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=4 * len(paths)),
            pageview_count=len(paths),
            source_type="search" if visit else "direct",
            referrer="https://www.google.com/" if visit else "",
        )
        for k, (path, category) in enumerate(paths):
            page, _ = Page.objects.get_or_create(
                path=path, defaults={"category": category, "funnel_stage": "interest"}
            )
            PageViewFactory(
                visitor=visitor,
                session=session,
                page=page,
                ts=start + dt.timedelta(minutes=4 * k),
                time_on_page=240 if k < len(paths) - 1 else None,
            )
    CompanyScore.objects.create(
        company=company,
        model_version=version,
        probability=probability,
        visitor_count=1,
        top_visitor=visitor,
        pricing_views=sum(c == "pricing" for _, c in paths),
        last_visit=visitor.last_seen,
        reasons=[{"text": "viewed pricing twice"}, {"text": "came back after 2 days"}],
        scored_at=now,
    )
    return company


def build_outreach_day(researcher, rep):
    """A company research marked ready (with a contact), and one the rep already works."""
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
    paths = [("/pricing", "pricing"), ("/product/billing", "product"), ("/pricing", "pricing")]
    granite = _scored(
        "Granite Advisory", "granite-advisory.com", 0.92, paths=paths, days_ago=1, version=version
    )
    services.claim_company(company=granite, user=researcher)
    services.add_contact(
        company=granite, user=researcher, name="Ann Lee", title="COO", persona="coo"
    )
    services.add_note(
        company=granite, author=researcher, body="40 consultants, plans capacity in Excel."
    )
    services.change_status(company=granite, to_status="ready", user=researcher)
    harbor = _scored(
        "Harbor Logistics",
        "harbor-logistics.de",
        0.81,
        paths=paths[:2],
        days_ago=3,
        version=version,
    )
    services.claim_company(company=harbor, user=researcher)
    services.change_status(company=harbor, to_status="ready", user=researcher)
    outreach.take_for_outreach(company=harbor, user=rep)
    overdue = timezone.localdate() - dt.timedelta(days=2)
    outreach.add_task(company=harbor, user=rep, due_on=timezone.localdate(), kind="email")
    Task.objects.filter(company=harbor).update(due_on=overdue, title="Send the ROI study")
    return granite, harbor


def post_in_place(page, click):
    """Click a button whose form HTMX posts, and wait until the swapped page has settled."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        click()
    assert answer.value.status < 400
    page.wait_for_load_state("networkidle")


def test_a_rep_takes_a_company_logs_a_next_step_converts_and_undoes(
    page, researcher, rep, admin_user
):
    granite, harbor = build_outreach_day(researcher, rep)

    # Signing in lands the rep on My outreach, where the overdue company leads.
    page.goto("/login/")
    log_in(page, "oscar")
    page.wait_for_url("**/my-outreach/")
    mine = page.locator("#my-outreach tr[data-company-id]")
    assert mine.first.get_attribute("data-company-id") == str(harbor.pk)
    assert "overdue" in page.locator("#agenda").inner_text().lower()

    # Granite waits in "Ready for outreach": the rep takes it and lands on its page.
    ready = page.locator(f"#ready-for-outreach tr[data-company-id='{granite.pk}']")
    ready.get_by_role("button", name="Take").click()
    page.wait_for_url(f"**/companies/{granite.pk}/")
    page.locator(".messages").get_by_text("is yours for outreach").wait_for()
    granite.refresh_from_db()
    assert (granite.rep, granite.status) == (rep, Company.Status.IN_OUTREACH)

    # A touchpoint with a next step today, saved in place: no reload, same scroll.
    page.evaluate("window.__stayed = true")
    form = page.locator("#touchpoint-form")
    form.locator("[name=channel]").select_option("email")
    form.locator("[name=contact]").select_option(str(Contact.objects.get(name="Ann Lee").pk))
    form.locator("[name=outcome]").select_option("replied")
    form.locator("[name=summary]").fill("Asked for the ROI study; call back today.")
    form.locator("[name=next_step_kind]").select_option("call")
    form.locator("[name=next_step_on]").fill(timezone.localdate().isoformat())
    form.locator("[name=next_step_title]").fill("Call Ann about the pilot")
    button = form.get_by_role("button", name="Log touchpoint")
    button.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    post_in_place(page, button.click)
    page.locator("#tasks-panel").get_by_text("Call Ann about the pilot").wait_for()
    assert page.evaluate("window.__stayed") is True
    assert abs(page.evaluate("window.scrollY") - scrolled) < 80
    page.locator("#timeline").get_by_text("call back today").wait_for()
    task = Task.objects.get(company=granite, done_at__isnull=True)
    assert (task.owner, task.kind, task.due_on) == (rep, "call", timezone.localdate())

    # The company page at desktop and phone widths.
    page.set_viewport_size({"width": 1400, "height": 900})
    page.reload()
    screenshot(page, "company_wide")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "company_phone")
    page.set_viewport_size({"width": 1400, "height": 900})

    # On My outreach the step is due today.
    page.goto("/my-outreach/")
    agenda = page.locator("#agenda")
    assert "Call Ann about the pilot" in agenda.inner_text()
    assert "due today" in agenda.inner_text()
    screenshot(page, "my_outreach")

    # Converting asks first; confirming converts; the visitors leave the queue.
    page.goto(f"/companies/{granite.pk}/")
    post_in_place(page, lambda: page.locator("#move-converted-form button").click())
    granite.refresh_from_db()
    assert granite.status == Company.Status.IN_OUTREACH
    confirm = page.locator("#confirm-move-form").get_by_role("button", name="Yes, mark")
    post_in_place(page, confirm.click)
    page.locator("#status-panel").get_by_text("Converted (SQL)").first.wait_for()
    granite.refresh_from_db()
    assert granite.status == Company.Status.CONVERTED
    assert granite.visitors.get().excluded_reason == "company already an SQL"

    # The rep undoes it: back in outreach, the visitors eligible again, the undo recorded.
    post_in_place(page, lambda: page.locator("#undo-form button").click())
    page.locator(".messages").get_by_text("Undone").wait_for()
    granite.refresh_from_db()
    assert granite.status == Company.Status.IN_OUTREACH
    assert granite.visitors.get().excluded_reason == ""
    undo = granite.status_changes.first()
    assert (undo.from_status, undo.to_status, undo.changed_by) == ("converted", "in_outreach", rep)
    assert undo.undoes.to_status == "converted"

    assert page.context.foreign_requests == []
