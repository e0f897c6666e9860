"""An admin's day in a real Chromium (Playwright) against the live server.

The admin hands two queue rows to a rep in bulk, finds an office IP that reverse DNS called an
ISP, overrides it to the company it belongs to (the page says how many IPs and visitors that
changed), trains a new model with "Train now" and rolls back to the earlier version. With LEADGEN_SCREENSHOTS=1 the
identification and model pages are saved to docs/screenshots/.
"""

import pytest
from django.utils import timezone

from leadgen.celery import app as celery_app
from prospects.models import Company, IdentificationOverride, IPResolution
from scoring import services
from scoring.models import ModelVersion
from tests.factories import VisitorFactory
from tests.scoring_factories import population, quick_candidates
from tests.test_browser_day import (
    browser_context,
    build_day,
    expect_message,
    log_in,
    page,
    queue_rows,
    screenshot,
)

__all__ = ["browser_context", "page"]  # fixtures, used by name

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OFFICE_IP = "203.0.113.50"


@pytest.fixture
def eager_training(monkeypatch):
    """The queued training runs in the live server even with a broker (CI)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def build_admin_day():
    """The team's queue, a trained model, and an office IP misread as a home connection."""
    companies = build_day()
    population(300, seed=3)
    earlier = services.train_model(trained_by="nightly", folds=3, candidates=quick_candidates())
    for agent in ("Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 14_5"):
        VisitorFactory(ip=OFFICE_IP, user_agent=f"Mozilla/5.0 ({agent}) Chrome/126.0 Safari/537.36")
    IPResolution.objects.create(
        ip=OFFICE_IP,
        outcome="ok",
        ptr_name="pool-203-0-113-50.bstn.east.example-isp.net",
        forward_confirmed=True,
        domain="example-isp.net",
        classification="isp",
        evidence=["PTR name looks dynamic (pool-…)", "example-isp.net is a known ISP"],
        resolved_at=timezone.now(),
    )
    return companies, earlier


def test_an_admin_overrides_an_identification_trains_and_rolls_back(
    page, admin_user, rep, eager_training
):
    companies, earlier = build_admin_day()
    granite = companies["Granite Advisory"]
    log_in(page, "ada")

    # Two rows of the queue handed to a rep in one bulk action; only the rep picker shows.
    page.goto("/")
    rows = queue_rows(page)
    two = [int(rows.nth(i).get_attribute("data-company-id")) for i in range(2)]
    for pk in two:
        page.locator(f"tr[data-company-id='{pk}'] input[name=ids]").check()
    page.select_option("#bulk-action", "assign_rep")
    assert page.locator("#bulk-to-user").is_hidden() and page.locator("#bulk-to-rep").is_visible()
    page.select_option("#bulk-to-rep", "oscar")
    page.locator("#bulk-form button[type=submit]").click()
    expect_message(page, "Assigned 2 companies for outreach.")
    assert set(Company.objects.filter(rep=rep).values_list("pk", flat=True)) == set(two)

    # The IP is found by searching part of its PTR name; it reads as an ISP.
    page.goto("/identification/")
    page.locator("#ipsearch_q").fill("bstn.east")
    page.locator("#ip-search").get_by_role("button", name="Search").click()
    page.wait_for_url("**q=bstn.east**")
    rows = page.locator("#ip-table tbody tr")
    assert rows.count() == 1
    assert "ISP / residential" in rows.first.inner_text()

    # The override names Granite by its domain; the page says what it changed.
    page.locator("#override-panel summary").click()
    form = page.locator("#override-form")
    form.locator("[name=kind]").select_option("ip")
    form.locator("[name=value]").fill(OFFICE_IP)
    form.locator("[name=classification]").select_option("business")
    form.locator("[name=company_domain]").fill("granite-advisory.com")
    form.locator("[name=note]").fill("Granite's Boston office (their IT confirmed)")
    form.get_by_role("button", name="Save override").click()
    expect_message(page, "it covers 1 IP and 2 visitors")
    assert granite.visitors.filter(ip=OFFICE_IP).count() == 2
    assert IdentificationOverride.objects.get().created_by == admin_user
    page.locator("#ipsearch_q").fill(OFFICE_IP)
    page.locator("#ip-search").get_by_role("button", name="Search").click()
    page.locator("#ip-table").get_by_role("link", name="Granite Advisory").wait_for()
    page.set_viewport_size({"width": 1400, "height": 900})
    screenshot(page, "identification")

    # Train now: the new version becomes the active one, the earlier one stays for a rollback.
    page.goto("/scoring/model/")
    page.locator("#train-form").get_by_role("button", name="Train now").click()
    # The queued task runs in the live server here (eager), which says how long it took.
    expect_message(page, "Trained in this request in")
    newer = ModelVersion.objects.get(is_active=True)
    assert newer.pk != earlier.pk and newer.trained_by == "ada"
    page.locator("#history").get_by_text(f"v{newer.pk}").first.wait_for()
    screenshot(page, "model")

    # Rolling back makes the earlier version score again.
    page.locator("#history").get_by_role("button", name=f"Roll back to v{earlier.pk}").click()
    expect_message(page, f"Model v{earlier.pk} is now active")
    earlier.refresh_from_db()
    newer.refresh_from_db()
    assert earlier.is_active and not newer.is_active

    assert page.context.foreign_requests == []
