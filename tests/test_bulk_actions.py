"""Bulk actions on queue rows: one call and one transaction each, the single action's rules,
a summary of what changed and what was refused."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from prospects.crm import services
from prospects.errors import ServiceError
from prospects.models import Company, StatusChange
from prospects.queue import bulk, selectors
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _post(client, **data):
    return client.post(reverse("queue_bulk"), data, follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_claiming_three_with_one_taken_claims_two_and_says_who_has_the_third(client, researcher):
    a, b, c = (scored_company(0.9 - i / 10, name=n) for i, n in enumerate(["A", "B", "C"]))
    sam = UserFactory(username="sam", first_name="Sam", role="researcher")
    services.claim_company(company=b, user=sam)
    client.force_login(researcher)
    response = _post(client, action="claim", ids=[a.pk, b.pk, c.pk], query="")
    assert _messages(response) == [
        "Claimed 2 companies; 1 refused.",
        "B: B is already claimed by Sam.",
    ]
    assert set(Company.objects.filter(assignee=researcher).values_list("name", flat=True)) == {
        "A",
        "C",
    }
    assert Company.objects.get(pk=b.pk).assignee == sam


def test_all_matching_acts_on_the_filtered_queue_only(client, researcher):
    hot = [scored_company(0.9), scored_company(0.8)]
    cool = scored_company(0.6)
    below = scored_company(0.2)  # under the threshold: not in the queue at all
    client.force_login(researcher)
    response = _post(client, action="claim", all_matching="1", query="score_min=70")
    assert _messages(response) == ["Claimed 2 companies."]
    assert set(Company.objects.filter(assignee=researcher)) == set(hot)
    # Ids outside the queue are not acted on, even when posted.
    _post(client, action="claim", ids=[below.pk], query="")
    assert Company.objects.get(pk=below.pk).assignee is None
    assert Company.objects.get(pk=cool.pk).assignee is None


def test_disqualify_needs_a_reason_and_records_each_move(client, rep):
    companies = [scored_company(0.9), scored_company(0.8)]
    client.force_login(rep)
    ids = [c.pk for c in companies]
    response = _post(client, action="disqualify", ids=ids, query="")
    assert _messages(response) == ["Say why these companies are disqualified."]
    response = _post(client, action="disqualify", ids=ids, reason="Too small", query="")
    assert _messages(response) == ["Disqualified 2 companies."]
    moves = StatusChange.objects.filter(to_status="disqualified", changed_by=rep)
    assert sorted(moves.values_list("company_id", flat=True)) == sorted(ids)
    assert set(
        Company.objects.filter(pk__in=ids).values_list("disqualified_reason", flat=True)
    ) == {"Too small"}


def test_snooze_takes_a_future_day(client, researcher):
    company = scored_company(0.9)
    client.force_login(researcher)
    response = _post(client, action="snooze", ids=[company.pk], query="")
    assert _messages(response) == ["Choose the day they come back."]
    back = timezone.localdate() + dt.timedelta(days=14)
    response = _post(client, action="snooze", ids=[company.pk], snoozed_until=back.isoformat())
    assert _messages(response) == ["Snoozed 1 company."]
    company.refresh_from_db()
    assert (company.status, company.snoozed_until) == ("snoozed", back)


def test_only_admins_assign_and_only_to_researchers(client, researcher, admin_user, rep):
    company = scored_company(0.9)
    client.force_login(researcher)
    response = _post(client, action="assign", ids=[company.pk], to_user="rita")
    assert _messages(response) == ["Your role does not allow this."]
    client.force_login(admin_user)
    response = _post(client, action="assign", ids=[company.pk], to_user="oscar")
    assert _messages(response)[1].endswith("has no research role.")
    response = _post(client, action="assign", ids=[company.pk], to_user="rita")
    assert _messages(response) == ["Assigned 1 company."]
    assert Company.objects.get(pk=company.pk).assignee == researcher


def test_reps_cannot_claim_in_bulk_either(rep):
    company = scored_company(0.9)
    with pytest.raises(PermissionDenied):
        bulk.bulk_act(companies=Company.objects.filter(pk=company.pk), action=bulk.CLAIM, user=rep)


def test_more_than_the_cap_is_refused_whole(researcher, settings, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_MAX", 2)
    for _ in range(3):
        scored_company(0.9)
    with pytest.raises(ServiceError, match="At most 2 companies"):
        bulk.bulk_act(companies=selectors.research_queue(), action=bulk.CLAIM, user=researcher)
    assert not Company.objects.filter(assignee__isnull=False).exists()


def test_export_of_the_selected_rows(client, researcher):
    first, second = scored_company(0.9, name="First"), scored_company(0.8, name="Second")
    scored_company(0.7, name="Unselected")
    client.force_login(researcher)
    response = client.post(
        reverse("queue_bulk"), {"action": "export", "ids": [first.pk, second.pk], "query": ""}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["name"] for row in rows] == ["First", "Second"]


def test_the_queue_offers_each_role_its_bulk_actions(client, researcher, rep, admin_user):
    scored_company(0.9)
    client.force_login(rep)
    html = client.get(reverse("queue")).content.decode()
    assert 'value="snooze"' in html and 'value="claim"' not in html
    assert 'form="bulk-form"' in html
    client.force_login(researcher)
    assert 'value="claim"' in client.get(reverse("queue")).content.decode()
    client.force_login(admin_user)
    assert 'value="assign"' in client.get(reverse("queue")).content.decode()


def test_admins_assign_outreach_to_a_rep_in_bulk(client, researcher, admin_user, rep):
    a, b = scored_company(0.9, name="A"), scored_company(0.8, name="B")
    client.force_login(researcher)
    response = _post(client, action="assign_rep", ids=[a.pk, b.pk], to_rep="oscar")
    assert _messages(response) == ["Your role does not allow this."]
    client.force_login(admin_user)
    html = client.get(reverse("queue")).content.decode()
    assert 'value="assign_rep"' in html and '<option value="oscar">' in html
    response = _post(client, action="assign_rep", ids=[a.pk, b.pk], to_rep="rita")
    assert _messages(response)[0] == "Assigned 0 companies for outreach; 2 refused."
    assert _messages(response)[1].endswith("has no outreach role.")
    response = _post(client, action="assign_rep", ids=[a.pk, b.pk], to_rep="oscar")
    assert _messages(response) == ["Assigned 2 companies for outreach."]
    assert set(Company.objects.filter(rep=rep)) == {a, b}
    assert _messages(_post(client, action="assign_rep", ids=[a.pk], to_rep="nemo")) == [
        "No such person to assign to."
    ]
    # "Nobody" frees them, as the single reassign does.
    response = _post(client, action="assign_rep", ids=[a.pk], to_rep="")
    assert _messages(response) == ["Assigned 1 company for outreach."]
    assert Company.objects.get(pk=a.pk).rep is None
    assert Company.objects.get(pk=b.pk).rep == rep
