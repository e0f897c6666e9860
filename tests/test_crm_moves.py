"""Safe moves: one next-step button, nothing preselected, final moves confirmed and undoable."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from prospects.crm import outreach, services
from prospects.errors import ServiceError
from prospects.models import Company, StatusChange
from prospects.queue.selectors import research_queue
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _page(client, company):
    return client.get(reverse("company", args=[company.pk]))


def test_the_next_step_is_one_button_and_no_destination_is_preselected(client, researcher):
    company = scored_company()
    services.claim_company(company=company, user=researcher)
    client.force_login(researcher)
    response = _page(client, company)
    body = response.content.decode()
    assert response.context["next_step"]["label"] == "Mark ready for outreach"
    assert 'id="next-step-form"' in body and ">Mark ready for outreach</button>" in body
    # Moves are buttons, not a select with a destination already chosen.
    assert (
        '<select name="to_status"' not in body
        and "selected" not in body.split("status-panel")[1].split("</section>")[0]
    )
    client.post(reverse("company_status", args=[company.pk]), {"to_status": "ready"})
    company.refresh_from_db()
    assert company.status == "ready"


def test_reason_and_snooze_fields_belong_to_their_moves_only(client, researcher):
    company = scored_company()
    services.claim_company(company=company, user=researcher)
    client.force_login(researcher)
    panel = (
        _page(client, company).content.decode().split('id="status-panel"')[1].split("</section>")[0]
    )
    snooze = panel.split('id="move-snoozed-form"')[1].split("</form>")[0]
    disqualify = panel.split('id="move-disqualified-form"')[1].split("</form>")[0]
    new = panel.split('id="move-new-form"')[1].split("</form>")[0]
    assert 'name="snoozed_until"' in snooze and 'name="snoozed_until"' not in disqualify
    assert 'name="reason"' in disqualify and "required" in disqualify
    assert 'name="reason"' not in new and 'name="snoozed_until"' not in new


def test_disqualifying_asks_for_confirmation_first(client, researcher):
    company = scored_company()
    client.force_login(researcher)
    url = reverse("company_status", args=[company.pk])
    move = {"to_status": "disqualified", "reason": "Too small"}
    asked = client.post(url, move)
    assert "Yes, mark" in asked.content.decode() and 'value="Too small"' in asked.content.decode()
    company.refresh_from_db()
    assert company.status == "new" and not StatusChange.objects.exists()
    client.post(url, {**move, "confirm": "1"})
    company.refresh_from_db()
    assert (company.status, company.disqualified_reason) == ("disqualified", "Too small")


def test_the_mover_undoes_a_conversion_and_the_visitors_come_back(client, rep):
    company = scored_company()
    Company.objects.filter(pk=company.pk).update(status="ready")
    outreach.take_for_outreach(company=company, user=rep)
    change = services.change_status(company=company, to_status="converted", user=rep)
    assert company.visitors.get().excluded_reason == "company already an SQL"
    assert company not in research_queue()
    client.force_login(rep)
    page = _page(client, company).content.decode()
    assert 'id="undo-form"' in page
    client.post(reverse("company_undo", args=[company.pk, change.pk]))
    company.refresh_from_db()
    assert company.status == "in_outreach"
    assert company.visitors.get().excluded_reason == ""
    assert company in research_queue()
    undo = company.status_changes.first()
    assert (undo.from_status, undo.to_status, undo.changed_by, undo.undoes) == (
        "converted",
        "in_outreach",
        rep,
        change,
    )
    # A move is undone once: the undo is now the latest move, not a final one.
    with pytest.raises(ServiceError):
        services.undo_status_change(company=company, change_id=change.pk, user=rep)


def test_only_the_mover_or_an_admin_may_undo_and_only_for_a_day(researcher, admin_user):
    company = scored_company()
    other = UserFactory(username="sam", role="researcher")
    change = services.change_status(
        company=company, to_status="disqualified", user=researcher, reason="Competitor's partner"
    )
    with pytest.raises(PermissionDenied):
        services.undo_status_change(company=company, change_id=change.pk, user=other)
    StatusChange.objects.filter(pk=change.pk).update(
        changed_at=timezone.now() - dt.timedelta(hours=25)
    )
    with pytest.raises(ServiceError, match="more than a day"):
        services.undo_status_change(company=company, change_id=change.pk, user=researcher)
    StatusChange.objects.filter(pk=change.pk).update(
        changed_at=timezone.now() - dt.timedelta(hours=23)
    )
    services.undo_status_change(company=company, change_id=change.pk, user=admin_user)
    company.refresh_from_db()
    assert (company.status, company.disqualified_reason) == ("new", "")


def test_an_old_final_move_offers_no_undo(client, researcher):
    company = scored_company()
    services.change_status(
        company=company, to_status="disqualified", user=researcher, reason="Too small"
    )
    client.force_login(researcher)
    assert _page(client, company).context["undo"] is not None
    company.status_changes.update(changed_at=timezone.now() - dt.timedelta(days=2))
    assert _page(client, company).context["undo"] is None


def test_undoing_a_disqualified_snooze_keeps_the_snooze_date(researcher):
    company = scored_company()
    back = timezone.localdate() + dt.timedelta(days=5)
    services.change_status(
        company=company, to_status="snoozed", user=researcher, snoozed_until=back
    )
    change = services.change_status(
        company=company, to_status="disqualified", user=researcher, reason="Closed down"
    )
    services.undo_status_change(company=company, change_id=change.pk, user=researcher)
    company.refresh_from_db()
    assert (company.status, company.snoozed_until) == ("snoozed", back)


def test_release_returns_a_researched_company_to_new(researcher):
    company = scored_company()
    services.claim_company(company=company, user=researcher)
    services.release_claim(company=company, user=researcher)
    company.refresh_from_db()
    assert (company.status, company.assignee) == ("new", None)
    assert company.status_changes.first().reason == "Released"
    assert company in research_queue()
