"""The main pages in a real Chromium, checked with axe-core at desktop and phone widths.

Every main page (queue, company, my work, attribution, my outreach, model, capacity,
identification, imports, login) has no serious or critical axe-core violation at 1400 and
390 px, no id twice, chips with AA contrast and, on a phone, no sideways scrolling. The
keyboard works: a skip link first, visible focus rings, the queue's j / k / o / c keys, and
the focus kept after an in-place claim. With LEADGEN_SCREENSHOTS=1 the phone pages are
saved to docs/screenshots/.
"""

import pytest

from prospects.attribution.services import compute_attribution
from prospects.crm import outreach, services
from prospects.models import Company, LogImport
from scoring import services as scoring
from tests.a11y import (
    FOCUS_CONTRAST,
    TEXT_CONTRAST,
    axe_violations,
    chip_contrasts,
    duplicate_ids,
    focus_ring,
    horizontal_overflow,
)
from tests.scoring_factories import population, quick_candidates
from tests.test_browser_day import browser_context, build_day, log_in, page, screenshot

__all__ = ["browser_context", "page"]  # fixtures, used by name

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (1400, 390)


@pytest.fixture
def team_day(researcher, rep, admin_user):
    """The queue, a company each stage of the work, a trained model and an import."""
    companies = build_day()
    population(400, seed=4)  # enough conversions before the backtest cutoff to learn
    scoring.train_model(trained_by="nightly", folds=3, candidates=quick_candidates())
    harbor = companies["Harbor Logistics"]
    services.claim_company(company=harbor, user=researcher)
    services.add_note(company=harbor, author=researcher, body="Runs 14 warehouses.")
    services.change_status(company=harbor, to_status="ready", user=researcher)
    outreach.take_for_outreach(company=harbor, user=rep)
    services.claim_company(company=companies["Maple Systems"], user=researcher)
    LogImport.objects.create(
        name="/var/log/nginx/access.log.1",
        status="done",
        lines=120_000,
        pageviews=80_000,
        bots=30_000,
        malformed=2,
        malformed_samples=["<script>alert(1)</script> - - [garbage"],
    )
    compute_attribution()  # the attribution page's tables over the population's journeys
    return companies


def _pages(companies):
    granite = companies["Granite Advisory"]
    return [
        ("rita", "queue", "/"),
        ("rita", "company", f"/companies/{granite.pk}/"),
        ("rita", "my_work", "/my-work/"),
        ("rita", "attribution", "/attribution/"),
        ("oscar", "my_outreach", "/my-outreach/"),
        ("ada", "model", "/scoring/model/"),
        ("ada", "capacity", "/capacity/"),
        ("ada", "identification", "/identification/"),
        ("ada", "imports", "/imports/"),
    ]


def _check(page, name, width, problems, chips):
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_load_state("networkidle")
    where = f"{name} at {width} px"
    problems += [f"{where}: {v}" for v in axe_violations(page)]
    problems += [f"{where}: id {i!r} used twice" for i in duplicate_ids(page)]
    measured = chip_contrasts(page)
    chips[name] = len(measured)
    problems += [
        f"{where}: chip {text!r} has contrast {ratio:.2f}"
        for text, ratio in measured
        if ratio < TEXT_CONTRAST
    ]
    if width < 700:
        overflow = horizontal_overflow(page)
        if overflow:
            problems.append(f"{where}: scrolls sideways by {overflow} px")


def test_main_pages_pass_axe_at_desktop_and_phone_widths(page, team_day):
    problems, chips = [], {}
    page.goto("/login/")
    for width in WIDTHS:
        _check(page, "login", width, problems, chips)
    user = None
    for username, name, url in _pages(team_day):
        if username != user:
            log_in(page, username)
            user = username
        assert page.goto(url).status == 200, url
        for width in WIDTHS:
            _check(page, name, width, problems, chips)
            if width == WIDTHS[0] and name == "imports":
                screenshot(page, "imports")
        if name in ("queue", "identification", "imports"):
            screenshot(page, f"{name}_phone")
    assert not problems, "\n".join(problems)
    # The contrast check saw the score, reason and status chips (13 queue rows).
    assert chips["queue"] >= 13 * 3 and chips["company"] > 0
    assert page.context.foreign_requests == []


def test_the_keyboard_reaches_everything_with_a_visible_focus(page, team_day):
    log_in(page, "rita")
    page.goto("/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    weak = []
    for _ in range(12):
        page.keyboard.press("Tab")
        ring = focus_ring(page)
        if ring["width"] < 2 or ring["contrast"] < FOCUS_CONTRAST:
            weak.append(ring)
    assert weak == []


def test_the_phone_menu_folds_the_navigation(page, team_day):
    log_in(page, "ada")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/identification/")
    nav = page.locator("#main-nav")
    toggle = page.locator("#nav-toggle")

    assert not nav.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    nav.get_by_role("link", name="Imports").click()
    page.wait_for_url("**/imports/")
    assert horizontal_overflow(page) == 0


def test_on_a_phone_the_company_page_puts_its_actions_first(page, team_day):
    harbor = team_day["Harbor Logistics"]
    log_in(page, "rita")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/companies/{harbor.pk}/")

    def top(selector):
        return page.locator(selector).first.bounding_box()["y"]

    order = ["#status-panel", "#people-panel", "#tasks-panel", "#composer", "#contacts-panel"]
    tops = [top(selector) for selector in order]
    assert tops == sorted(tops)
    assert tops[-1] < top("#timeline") < top("#evidence")
    # The next step and the moves are on the first screen.
    assert top("#status-panel") < 844


def test_queue_keys_move_open_and_claim_and_the_focus_stays(page, team_day):
    log_in(page, "rita")
    page.goto("/")
    page.wait_for_load_state("networkidle")
    rows = page.locator("[data-company-id]")
    ids = [rows.nth(i).get_attribute("data-company-id") for i in range(rows.count())]

    def focused_row():
        return page.evaluate(
            "() => document.activeElement.closest('[data-company-id]')?.dataset.companyId"
        )

    page.keyboard.press("j")
    assert focused_row() == ids[0]
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert focused_row() == ids[1]

    # c claims the row in place: the whole row is refreshed and the focus stays on it.
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.keyboard.press("c")
    assert answer.value.status == 200
    row = page.locator(f"[data-company-id='{ids[1]}']")
    row.get_by_text("Researching").wait_for()
    page.wait_for_function(
        f"() => document.activeElement.closest('[data-company-id]')?.dataset.companyId === '{ids[1]}'"
    )
    company = Company.objects.get(pk=ids[1])
    assert company.status == Company.Status.RESEARCHING and company.assignee.username == "rita"

    page.keyboard.press("o")
    page.wait_for_url(f"**/companies/{ids[1]}/")
