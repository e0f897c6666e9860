"""The workspace pages: constant query counts, filters, HTMX fragments, forms that show errors."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from prospects.crm import services
from prospects.models import Company, IdentificationOverride, Note, Session
from scoring.models import CompanyScore
from tests.crm_fixtures import scored_company
from tests.factories import PageViewFactory, UserFactory
from tests.test_company_page import COMPANY_PAGE_QUERIES

pytestmark = pytest.mark.django_db

# session, user, roles, saved views, threshold, segment choices, count, page ids, page rows,
# the pipeline models' fits and (before the first fit) the outcomes so far.
QUEUE_QUERIES = 11
# New filters are kept in the session for the nav and the breadcrumb: one write (in a savepoint).
SESSION_WRITE = 3


def _queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _many(n, researcher):
    companies = [scored_company(0.5 + (i % 50) / 100) for i in range(n)]
    for company in companies[::3]:
        Company.objects.filter(pk=company.pk).update(assignee=researcher, status="researching")
    return companies


def test_queue_query_count_does_not_grow_with_companies(client, researcher):
    client.force_login(researcher)
    _many(5, researcher)
    small = _queries(client, reverse("queue"))
    _many(195, researcher)
    large = _queries(client, reverse("queue"))
    assert small == large <= QUEUE_QUERIES


def test_filtered_htmx_queue_is_constant_too(client, researcher, django_assert_max_num_queries):
    client.force_login(researcher)
    _many(60, researcher)
    url = reverse("queue") + "?category=pricing&source_type=direct&ordering=-recency&page=2"
    with django_assert_max_num_queries(QUEUE_QUERIES + SESSION_WRITE):
        response = client.get(url, headers={"HX-Request": "true", "HX-Target": "queue-table"})
    body = response.content.decode()
    assert body.startswith('<div id="queue-table"')
    assert "<html" not in body
    assert body.count("data-company-id") == 10


def test_company_page_queries_are_bounded(client, researcher, rep):
    company = scored_company()
    visitor = company.visitors.get()
    start = timezone.now() - dt.timedelta(days=30)
    for day in range(60):
        at = start + dt.timedelta(hours=12 * day)
        Session.objects.create(visitor=visitor, started_at=at, ended_at=at, pageview_count=2)
        PageViewFactory(visitor=visitor, ts=at)
    services.add_note(company=company, author=researcher, body="note")
    services.add_contact(company=company, user=researcher, name="Eve")
    client.force_login(rep)
    first = _queries(client, reverse("company", args=[company.pk]))
    for _ in range(20):
        services.add_note(company=company, author=rep, body="more")
    assert _queries(client, reverse("company", args=[company.pk])) == first <= COMPANY_PAGE_QUERIES
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert "latest 25 of 61 sessions" in page


def test_a_big_companys_session_total_is_capped(client, rep, monkeypatch):
    monkeypatch.setattr("prospects.crm.selectors.SESSION_COUNT_CAP", 30)
    company = scored_company()
    visitor = company.visitors.get()
    start = timezone.now() - dt.timedelta(days=30)
    for day in range(40):
        at = start + dt.timedelta(hours=12 * day)
        Session.objects.create(visitor=visitor, started_at=at, ended_at=at, pageview_count=1)
    client.force_login(rep)
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert "latest 25 of 30+ sessions" in page


def test_assignee_filter_me_and_nobody(client, researcher):
    mine, free = scored_company(name="Mine Inc"), scored_company(name="Free Ltd")
    services.claim_company(company=mine, user=researcher)
    client.force_login(researcher)
    me = client.get(reverse("queue"), {"assignee": "me"}).content.decode()
    nobody = client.get(reverse("queue"), {"assignee": "nobody"}).content.decode()
    assert f'data-company-id="{mine.pk}"' in me and f'data-company-id="{free.pk}"' not in me
    assert f'data-company-id="{free.pk}"' in nobody and f'data-company-id="{mine.pk}"' not in nobody


def test_content_score_and_sort_filters(client, researcher):
    pricing = scored_company(0.7)
    blog = scored_company(0.9, views=(("/blog/a", "blog", "education"),))
    client.force_login(researcher)
    rows = client.get(reverse("queue"), {"category": "pricing"}).context["page"].object_list
    assert list(rows) == [pricing]
    rows = client.get(reverse("queue"), {"score_min": "80"}).context["page"].object_list
    assert list(rows) == [blog]
    rows = client.get(reverse("queue"), {"ordering": "score"}).context["page"].object_list
    assert list(rows) == [pricing, blog]
    now = timezone.now()
    pricing.visitors.update(last_seen=now)
    # The queue sorts on the last visit as of the last rescore, which would record this one.
    CompanyScore.objects.filter(company=pricing).update(last_visit=now)
    rows = client.get(reverse("queue"), {"ordering": "-recency"}).context["page"].object_list
    assert list(rows) == [pricing, blog]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    rows = client.get(reverse("queue"), {"last_visit_before": yesterday}).context["page"]
    assert list(rows.object_list) == [blog]


def test_bad_filter_values_are_shown_back(client, researcher):
    scored_company()
    client.force_login(researcher)
    response = client.get(reverse("queue"), {"score_min": "lots"})
    assert response.status_code == 400
    assert 'value="lots"' in response.content.decode()
    assert "Enter a number" in response.content.decode()


def test_claim_conflict_shows_who_has_it(client, researcher):
    company = scored_company()
    other = UserFactory(username="sam", role="researcher")
    services.claim_company(company=company, user=other)
    client.force_login(researcher)
    response = client.post(reverse("company_claim", args=[company.pk]), follow=True)
    assert "already claimed by sam" in response.content.decode()


def test_htmx_claim_from_the_queue_returns_the_whole_row(client, researcher):
    company = scored_company()
    client.force_login(researcher)
    response = client.post(
        reverse("company_claim", args=[company.pk]),
        # What the table's #queue-row-context adds to the row's form.
        {"compact": "1", "cols": "score,status,assignee"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert f'<tr data-company-id="{company.pk}" id="queue-row-{company.pk}" class="mine">' in body
    # The status cell is fresh, the columns are the ones the queue showed, the box says who.
    assert "Researching" in body and "You have claimed" in body and "release-form" in body
    assert body.count("<td") == 5  # select box, score, company, status and assignee cells
    assert 'hx-include="#queue-row-context"' in body
    # The queue names the columns once, for every row's claim or release.
    page = client.get(reverse("queue"), {"cols": ["score", "status"]}).content.decode()
    assert page.count('id="queue-row-context"') == 1
    assert '<input type="hidden" name="cols" value="score,status">' in page
    assert 'name="compact"' not in page.split('id="queue-row-context"')[1].split("</div>", 1)[1]


def test_htmx_note_goes_back_to_the_page_and_errors_stay_in_place(client, rep):
    company = scored_company()
    client.force_login(rep)
    url = reverse("company_note", args=[company.pk])
    response = client.post(url, {"body": "Called, left a message"}, headers={"HX-Request": "true"})
    # HTMX follows the redirect and swaps the page's #company-main in place.
    assert response.status_code == 302
    assert response["Location"] == reverse("company", args=[company.pk])
    assert Note.objects.filter(company=company, author=rep).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert 'id="company-main"' in page and "Called, left a message" in page
    # A refusal answers 200 to HTMX (so it swaps) with the error beside the form.
    refused = client.post(url, {"body": " "}, headers={"HX-Request": "true"})
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()


def test_contact_form_shows_bad_values_back(client, researcher):
    company = scored_company()
    client.force_login(researcher)
    response = client.post(
        reverse("company_contact", args=[company.pk]),
        {"name": "Eve", "persona": "cio", "email": "eve-at-example"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="eve-at-example"' in body and "valid email" in body
    assert not company.contacts.exists()


def test_invalid_status_move_is_explained(client, researcher):
    company = scored_company()
    client.force_login(researcher)
    response = client.post(reverse("company_status", args=[company.pk]), {"to_status": "ready"})
    assert response.status_code == 400
    assert "cannot move to ready for outreach" in response.content.decode()


def test_researcher_day_then_rep_converts(client, researcher, rep):
    company = scored_company()
    client.force_login(researcher)
    client.post(reverse("company_claim", args=[company.pk]))
    client.post(
        reverse("company_contact", args=[company.pk]),
        {"name": "Eve", "title": "COO", "persona": "coo", "linkedin_url": "linkedin.com/in/eve"},
    )
    client.post(reverse("company_note", args=[company.pk]), {"body": "Strong fit"})
    client.post(reverse("company_status", args=[company.pk]), {"to_status": "ready"})
    client.force_login(rep)
    contact = company.contacts.get()
    assert contact.linkedin_url == "https://linkedin.com/in/eve"
    converting = {
        "channel": "call",
        "contact": contact.pk,
        "happened_on": timezone.localdate().isoformat(),
        "outcome": "converted",
        "summary": "Trial booked",
    }
    url = reverse("company_touchpoint", args=[company.pk])
    # Converting is final: the first submit asks to confirm and changes nothing.
    asked = client.post(url, converting)
    assert "Yes, log it and mark" in asked.content.decode()
    assert not company.touchpoints.exists()
    response = client.post(url, {**converting, "confirm": "1"}, follow=True)
    assert "Touchpoint logged." in response.content.decode()
    company.refresh_from_db()
    assert (company.status, company.assignee) == ("converted", researcher)
    moves = company.status_changes.order_by("changed_at", "id")
    assert [(m.from_status, m.to_status, m.changed_by) for m in moves] == [
        ("new", "researching", researcher),
        ("researching", "ready", researcher),
        ("ready", "converted", rep),
    ]
    assert list(company.notes.values_list("body", flat=True)) == ["Strong fit"]
    touchpoint = company.touchpoints.get()
    assert (touchpoint.contact, touchpoint.summary, touchpoint.logged_by) == (
        contact,
        "Trial booked",
        rep,
    )
    # An SQL leaves the queue at once, its visitors excluded; it stays on the rep's outreach
    # list until it is won or lost (the stages after the SQL are the rep's work).
    assert company.visitors.get().excluded_reason == "company already an SQL"
    assert company not in client.get(reverse("queue")).context["page"].object_list
    assert company in client.get(reverse("my_outreach")).context["mine"]


def test_a_company_made_a_customer_on_its_page_leaves_the_queue_at_once(client, researcher):
    company = scored_company()
    client.force_login(researcher)
    assert company in client.get(reverse("queue")).context["page"].object_list
    response = client.post(
        reverse("company_edit", args=[company.pk]),
        {"name": company.name, "industry": "", "size": "", "relationship": "customer"},
        follow=True,
    )
    assert "Company details saved." in response.content.decode()
    assert company.visitors.get().excluded_reason == "customer"
    assert company not in client.get(reverse("queue")).context["page"].object_list
    assert not client.get(reverse("queue"), {"assignee": "nobody"}).context["page"].object_list


def test_admin_threshold_changes_the_queue_and_is_recorded(client, admin_user):
    low = scored_company(0.3)
    client.force_login(admin_user)
    assert low not in client.get(reverse("queue")).context["page"].object_list
    bad = client.post(reverse("capacity"), {"value": "2"})
    assert bad.status_code == 400 and 'value="2"' in bad.content.decode()
    response = client.post(reverse("capacity"), {"value": "0.25"}, follow=True)
    assert "The threshold is now 0.25" in response.content.decode()
    assert "<svg" in response.content.decode()
    assert low in client.get(reverse("queue")).context["page"].object_list


def test_admin_reassigns_and_edits(client, admin_user, researcher):
    company = scored_company()
    client.force_login(admin_user)
    client.post(reverse("company_reassign", args=[company.pk]), {"to_user": researcher.pk})
    client.post(
        reverse("company_edit", args=[company.pk]),
        {
            "name": "Acme Consulting",
            "industry": "Consulting",
            "size": "",
            "relationship": "prospect",
        },
    )
    company.refresh_from_db()
    assert company.assignee == researcher
    assert (company.name, company.name_is_derived) == ("Acme Consulting", False)


def test_stale_claim_is_flagged_on_my_work(client, researcher):
    company = scored_company()
    services.claim_company(company=company, user=researcher)
    old = timezone.now() - dt.timedelta(days=9)
    Company.objects.filter(pk=company.pk).update(claimed_at=old)
    company.status_changes.update(changed_at=old)
    client.force_login(researcher)
    assert "stale" in client.get(reverse("my_work")).content.decode()


def test_marking_an_identification_wrong_makes_an_override(client, researcher):
    company = scored_company()
    ip = company.visitors.get().ip
    client.force_login(researcher)
    response = client.post(
        reverse("company_mark_wrong", args=[company.pk]),
        {"ip": ip, "classification": "isp", "note": "home broadband"},
        follow=True,
    )
    assert f"{ip} no longer counts for" in response.content.decode()
    override = IdentificationOverride.objects.get(kind="ip", value=ip)
    assert override.classification == "isp" and override.created_by == researcher
    assert not company.visitors.exists()


def test_rep_is_offered_only_outreach_moves(client, rep):
    company = scored_company()
    Company.objects.filter(pk=company.pk).update(status="ready")
    client.force_login(rep)
    context = client.get(reverse("company", args=[company.pk])).context
    assert context["next_step"]["label"] == "Take for outreach"
    assert [s.value for s in context["moves"]] == ["disqualified", "snoozed"]


def test_threshold_zero_is_the_threshold_in_force(client, admin_user):
    unlikely = scored_company(0.01)
    client.force_login(admin_user)
    response = client.post(reverse("capacity"), {"value": "0.00"}, follow=True)
    assert "The threshold is now 0.00" in response.content.decode()
    assert response.context["threshold"] == 0
    assert response.context["queue_now"] == 1
    queue = client.get(reverse("queue"))
    assert queue.context["threshold"] == 0
    assert unlikely in queue.context["page"].object_list
