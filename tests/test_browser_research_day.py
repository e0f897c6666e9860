"""A researcher's day in a real Chromium (Playwright) against the live server.

The researcher finds a company with the nav's search box (opened with "/"), saves a filtered
view of the queue as their default, claims three companies at once with the bulk action, and
adds a task on one of them. With LEADGEN_SCREENSHOTS=1 the queue and the search results are
saved to docs/screenshots/.
"""

import datetime as dt

import pytest
from django.utils import timezone

from prospects.models import Company, Contact, SavedView, Task
from tests.test_browser_day import (
    browser_context,
    build_day,
    expect_message,
    log_in,
    page,
    screenshot,
)

__all__ = ["browser_context", "page"]  # fixtures, used by name

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_researcher_searches_saves_a_view_claims_three_and_adds_a_task(page, researcher):
    companies = build_day()
    harbor = companies["Harbor Logistics"]
    Contact.objects.create(company=harbor, name="Hanna Berg", email="hanna@harbor-logistics.de")
    log_in(page, "rita")
    page.goto("/")

    # "/" puts the cursor in the nav's search box; a contact's name finds her company.
    page.locator("body").press("/")
    assert page.evaluate("document.activeElement.id") == "nav-search"
    page.keyboard.type("hanna")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=hanna")
    contacts = page.locator("section[aria-labelledby=found-contacts]")
    assert "Hanna Berg" in contacts.inner_text()
    # The domain finds the company itself, in its own group.
    page.fill("#search-q", "harbor-logistics.de")
    page.locator("#search-q").press("Enter")
    found = page.locator("section[aria-labelledby=found-companies] tr[data-company-id]")
    found.first.wait_for()
    assert found.count() == 1 and found.first.get_attribute("data-company-id") == str(harbor.pk)
    screenshot(page, "search")

    # A filtered queue: 70% and more, newest visits first; the filters show as chips.
    page.goto("/")
    filters = page.locator("form#queue-filters")
    filters.locator("[name=score_min]").fill("70")
    filters.locator("[name=ordering]").select_option("-recency")
    with page.expect_response(lambda r: "score_min=70" in r.url):
        filters.evaluate("form => form.requestSubmit()")
    page.locator(".filter-chip", has_text="Score from (%): 70%").wait_for()
    rows = page.locator("tr[data-company-id]")
    high = {c.pk for c in companies.values() if c.score.probability >= 0.7}
    assert {int(rows.nth(i).get_attribute("data-company-id")) for i in range(rows.count())} == high

    # Saved as the default view, it opens the bare queue from now on.
    page.fill("#id_name", "Hot this week")
    page.check("#id_make_default")
    page.locator("#save-view-form button[type=submit]").click()
    expect_message(page, "Saved the view “Hot this week”.")
    view = SavedView.objects.get(owner=researcher)
    assert "score_min=70" in view.query
    page.goto("/")
    page.wait_for_url("**/?*score_min=70*")
    screenshot(page, "queue_view")

    # Three rows ticked, one bulk claim, one summary.
    three = [int(rows.nth(i).get_attribute("data-company-id")) for i in range(3)]
    for pk in three:
        page.locator(f"tr[data-company-id='{pk}'] input[name=ids]").check()
    assert page.locator("#bulk-count").inner_text() == "3 selected"
    page.select_option("#bulk-action", "claim")
    assert page.locator("#bulk-reason").is_hidden()
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.locator("#bulk-form button[type=submit]").click()
    expect_message(page, "Claimed 3 companies.")
    assert set(Company.objects.filter(assignee=researcher).values_list("pk", flat=True)) == set(
        three
    )

    # A follow-up task on one of them, from its page.
    page.goto(f"/companies/{three[0]}/")
    page.locator("#tasks-panel summary").click()
    form = page.locator("#task-form")
    form.locator("[name=kind]").select_option("research")
    due = timezone.localdate() + dt.timedelta(days=2)
    form.locator("[name=due_on]").fill(due.isoformat())
    form.locator("[name=title]").fill("Find the COO")
    with page.expect_response(lambda r: r.request.method == "POST"):
        form.get_by_role("button", name="Add task").click()
    page.locator("#tasks-panel").get_by_text("Find the COO").wait_for()
    task = Task.objects.get(company_id=three[0])
    assert (task.owner, task.kind, task.due_on) == (researcher, "research", due)
    assert page.context.foreign_requests == []
