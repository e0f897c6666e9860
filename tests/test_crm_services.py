"""The research and outreach services and the queue selectors, through their public functions."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from prospects.crm import outreach, selectors, services
from prospects.crm.services import ServiceError
from prospects.models import Company, StatusChange, ThresholdChange, Touchpoint, Visitor
from prospects.queue import selectors as queue_selectors
from prospects.queue.services import set_threshold
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def test_claim_moves_new_company_to_researching_and_records_it(researcher):
    company = scored_company()
    services.claim_company(company=company, user=researcher)
    company.refresh_from_db()
    assert company.assignee == researcher
    assert company.status == Company.Status.RESEARCHING
    change = StatusChange.objects.get(company=company)
    assert (change.from_status, change.to_status, change.changed_by) == (
        "new",
        "researching",
        researcher,
    )


def test_second_claimant_is_told_who_holds_the_company(researcher):
    company = scored_company()
    other = UserFactory(username="sam", role="researcher")
    services.claim_company(company=company, user=researcher)
    with pytest.raises(ServiceError, match="already claimed by rita"):
        services.claim_company(company=company, user=other)
    company.refresh_from_db()
    assert company.assignee == researcher


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_claims_have_exactly_one_winner():
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database is not shared between threads safely")
    company = scored_company()
    users = [UserFactory(username=f"r{n}", role="researcher") for n in range(4)]
    barrier = threading.Barrier(len(users))
    results = []

    def claim(user):
        barrier.wait()
        try:
            services.claim_company(company=Company.objects.get(pk=company.pk), user=user)
            results.append("won")
        except Exception as exc:
            results.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("won") == 1
    assert all(r.startswith("ServiceError") and "claimed" in r for r in results if r != "won")


def test_release_by_holder_and_refused_for_others(researcher):
    company = scored_company()
    other = UserFactory(username="sam", role="researcher")
    services.claim_company(company=company, user=researcher)
    with pytest.raises(PermissionDenied):
        services.release_claim(company=company, user=other)
    services.release_claim(company=company, user=researcher)
    company.refresh_from_db()
    assert company.assignee is None and company.claimed_at is None


def test_only_admins_reassign(researcher, admin_user, rep):
    company = scored_company()
    other = UserFactory(username="sam", role="researcher")
    services.claim_company(company=company, user=researcher)
    with pytest.raises(PermissionDenied):
        services.reassign_company(company=company, to_user=other, by=researcher)
    with pytest.raises(ServiceError, match="no research role"):
        services.reassign_company(company=company, to_user=rep, by=admin_user)
    services.reassign_company(company=company, to_user=other, by=admin_user)
    company.refresh_from_db()
    assert company.assignee == other


def test_workflow_to_ready_then_outreach(researcher, rep):
    company = scored_company()
    services.claim_company(company=company, user=researcher)
    services.change_status(company=company, to_status="ready", user=researcher)
    services.change_status(company=company, to_status="in_outreach", user=rep)
    company.refresh_from_db()
    assert company.status == "in_outreach"
    assert list(company.status_changes.values_list("to_status", flat=True)) == [
        "in_outreach",
        "ready",
        "researching",
    ]


def test_invalid_move_is_refused_and_changes_nothing(researcher):
    company = scored_company()
    with pytest.raises(ServiceError, match="cannot move to converted"):
        services.change_status(company=company, to_status="converted", user=researcher)
    company.refresh_from_db()
    assert company.status == "new"
    assert not StatusChange.objects.exists()


def test_disqualify_needs_reason(researcher):
    company = scored_company()
    with pytest.raises(ServiceError, match="why"):
        services.change_status(company=company, to_status="disqualified", user=researcher)
    services.change_status(
        company=company, to_status="disqualified", user=researcher, reason="Too small"
    )
    company.refresh_from_db()
    assert (company.status, company.disqualified_reason) == ("disqualified", "Too small")


def test_snooze_needs_future_date_and_returns_to_queue_when_it_passes(researcher):
    company = scored_company()
    with pytest.raises(ServiceError, match="date"):
        services.change_status(company=company, to_status="snoozed", user=researcher)
    with pytest.raises(ServiceError, match="future"):
        services.change_status(
            company=company,
            to_status="snoozed",
            user=researcher,
            snoozed_until=timezone.localdate(),
        )
    services.change_status(
        company=company, to_status="snoozed", user=researcher, snoozed_until=TOMORROW
    )
    assert company not in queue_selectors.research_queue()
    Company.objects.filter(pk=company.pk).update(snoozed_until=timezone.localdate())
    assert company in queue_selectors.research_queue()


def test_rep_cannot_do_research_moves(rep):
    company = scored_company()
    with pytest.raises(PermissionDenied):
        services.change_status(company=company, to_status="researching", user=rep)


def test_notes_are_newest_first_and_never_empty(researcher, rep):
    company = scored_company()
    services.add_note(company=company, author=researcher, body="First call planned")
    services.add_note(company=company, author=rep, body="  Left a voicemail  ")
    with pytest.raises(ServiceError):
        services.add_note(company=company, author=rep, body="   ")
    assert [n.body for n in company.notes.all()] == ["Left a voicemail", "First call planned"]


def test_contact_is_validated_and_carries_persona_hint(researcher, rep):
    company = scored_company()
    with pytest.raises(ServiceError):
        services.add_contact(company=company, user=researcher, name="Eve", email="not-an-email")
    with pytest.raises(ServiceError):
        services.add_contact(
            company=company, user=researcher, name="Eve", linkedin_url="javascript:alert(1)"
        )
    with pytest.raises(PermissionDenied):
        services.add_contact(company=company, user=rep, name="Eve")
    contact = services.add_contact(
        company=company,
        user=researcher,
        name="Eve Adams",
        title="Chief Operating Officer",
        persona="coo",
        email="eve@example.org",
        linkedin_url="https://www.linkedin.com/in/eve",
    )
    assert "ROI" in contact.persona_hint
    assert company.contacts.count() == 1


def test_touchpoint_moves_to_outreach_and_conversion_stays_out_of_visitors(researcher, rep):
    company = scored_company()
    with pytest.raises(PermissionDenied):
        outreach.log_touchpoint(
            company=company,
            user=researcher,
            channel="email",
            happened_on=timezone.localdate(),
            outcome="replied",
        )
    outreach.log_touchpoint(
        company=company,
        user=rep,
        channel="email",
        happened_on=timezone.localdate(),
        outcome="replied",
    )
    company.refresh_from_db()
    assert company.status == "in_outreach"
    outreach.log_touchpoint(
        company=company,
        user=rep,
        channel="meeting",
        happened_on=timezone.localdate(),
        outcome="converted",
        summary="Trial agreed",
    )
    company.refresh_from_db()
    assert company.status == "converted"
    assert Touchpoint.objects.filter(company=company, outcome="converted").count() == 1
    assert not Visitor.objects.filter(company=company, converted_at__isnull=False).exists()
    assert company not in queue_selectors.research_queue()


def test_touchpoint_refuses_future_dates_and_other_companies_contacts(researcher, rep):
    company, other = scored_company(), scored_company()
    stranger = services.add_contact(company=other, user=researcher, name="Bob")
    with pytest.raises(ServiceError):
        outreach.log_touchpoint(
            company=company, user=rep, channel="call", happened_on=TOMORROW, outcome="replied"
        )
    with pytest.raises(ServiceError):
        outreach.log_touchpoint(
            company=company,
            user=rep,
            channel="call",
            happened_on=timezone.localdate(),
            outcome="replied",
            contact=stranger,
        )
    assert not Touchpoint.objects.exists()


def test_update_company_name_is_no_longer_derived(researcher, rep):
    company = scored_company()
    with pytest.raises(PermissionDenied):
        services.update_company(company=company, user=rep, name="Nope")
    services.update_company(
        company=company, user=researcher, name="Acme Corp", industry="Consulting", size="51-200"
    )
    company.refresh_from_db()
    assert (company.name, company.name_is_derived, company.size) == ("Acme Corp", False, "51-200")
    with pytest.raises(ServiceError):
        services.update_company(company=company, user=researcher, relationship="friend")
    with pytest.raises(ServiceError):
        services.update_company(company=company, user=researcher, status="converted")


def test_threshold_is_admin_only_and_recorded(researcher, admin_user):
    with pytest.raises(PermissionDenied):
        set_threshold(value="0.3", user=researcher)
    with pytest.raises(ServiceError):
        set_threshold(value="1.5", user=admin_user)
    with pytest.raises(ServiceError):
        set_threshold(value="abc", user=admin_user)
    set_threshold(value="0.3", user=admin_user)
    assert ThresholdChange.objects.current() == Decimal("0.30")
    assert ThresholdChange.objects.first().changed_by == admin_user


def test_queue_excludes_dead_ends_and_ranks_by_score(researcher):
    best = scored_company(0.9)
    good = scored_company(0.6)
    scored_company(0.2)  # below the threshold
    scored_company(0.95, relationship="customer")
    closed = scored_company(0.97)
    Company.objects.filter(pk=closed.pk).update(status="disqualified")
    excluded = scored_company(0.99)
    Visitor.objects.filter(company=excluded).update(excluded_reason="isp")
    ids = list(queue_selectors.research_queue().values_list("pk", flat=True))
    assert ids == [best.pk, good.pk]
    rows = queue_selectors.queue_rows(user=researcher, ids=ids)
    assert rows[0].visitor_count == 1 and rows[0].pricing_views == 1
    assert rows[0].reasons[0]["text"] == "viewed pricing 3 times"


def test_queue_length_by_threshold_counts_each_step():
    scored_company(0.85)
    scored_company(0.45)
    steps = {
        row["threshold"]: row["companies"] for row in queue_selectors.queue_length_by_threshold()
    }
    assert steps[Decimal("0.9")] == 0
    assert steps[Decimal("0.8")] == 1
    assert steps[Decimal("0.4")] == 2
    assert steps[Decimal("0.1")] == 2


def test_my_work_lists_claims_and_my_outreach_the_ready_ones(researcher, rep):
    mine = scored_company()
    services.claim_company(company=mine, user=researcher)
    services.change_status(company=mine, to_status="ready", user=researcher)
    assert list(selectors.my_work(user=researcher)["claimed"]) == [mine]
    assert list(selectors.my_outreach(user=rep)["waiting"]) == [mine]
    outreach.log_touchpoint(
        company=mine, user=rep, channel="email", happened_on=timezone.localdate(), outcome="replied"
    )
    work = selectors.my_outreach(user=rep)
    row = work["mine"].get()
    assert (row, row.status, row.touchpoint_count) == (mine, "in_outreach", 1)
    assert not work["waiting"]


def test_stale_claims_are_flagged(researcher):
    company = scored_company()
    services.claim_company(company=company, user=researcher)
    assert not queue_selectors.queue_rows(user=researcher, ids=[company.pk])[0].is_stale
    old = timezone.now() - dt.timedelta(days=10)
    Company.objects.filter(pk=company.pk).update(claimed_at=old)
    StatusChange.objects.filter(company=company).update(changed_at=old)
    assert queue_selectors.queue_rows(user=researcher, ids=[company.pk])[0].is_stale
