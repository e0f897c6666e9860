"""Stages after the SQL: opportunity and customer, dated, through touchpoints or status moves."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects.crm import outreach, services
from prospects.errors import ServiceError
from prospects.experiments.models import QueueEntry
from prospects.experiments.selectors import experiment_report
from prospects.experiments.services import record_queue_entries
from prospects.identify import exclusions
from prospects.models import Company, StatusChange, Touchpoint
from tests.crm_fixtures import scored_company
from tests.experiment_fixtures import scored_companies, start

pytestmark = pytest.mark.django_db


def _touch(company, rep, outcome):
    return outreach.log_touchpoint(
        company=company,
        user=rep,
        channel="call",
        happened_on=timezone.localdate(),
        outcome=outcome,
    )


def _moves(company):
    return list(
        StatusChange.objects.filter(company=company)
        .order_by("changed_at", "id")
        .values_list("from_status", "to_status")
    )


def test_an_opportunity_outcome_goes_through_the_sql_and_each_move_is_dated(rep):
    company = scored_company()
    before = timezone.now()
    _touch(company, rep, "opportunity")
    company.refresh_from_db()
    assert company.status == "opportunity"
    assert _moves(company) == [("new", "converted"), ("converted", "opportunity")]
    assert all(c.changed_at >= before for c in company.status_changes.all())
    assert company.visitors.get().excluded_reason == exclusions.SQL_COMPANY
    assert company not in Company.objects.open_for_research()


def test_a_won_customer_leaves_the_queue_as_a_customer_and_takes_no_more_touchpoints(rep):
    company = scored_company()
    _touch(company, rep, "converted")
    _touch(company, rep, "replied")  # an SQL is still worked: a plain outcome moves nothing
    _touch(company, rep, "won")
    company.refresh_from_db()
    assert company.status == "customer" and not company.outreach_open
    assert _moves(company)[-1] == ("converted", "customer")
    assert company.visitors.get().excluded_reason == exclusions.CUSTOMER
    assert company not in Company.objects.open_for_research()
    with pytest.raises(ServiceError, match="customer"):
        _touch(company, rep, "replied")


def test_an_outcome_the_company_is_past_is_refused(rep):
    company = scored_company()
    _touch(company, rep, "opportunity")
    with pytest.raises(ServiceError, match="past that outcome"):
        _touch(company, rep, "converted")
    assert company.touchpoints.count() == 1


def test_status_moves_after_the_sql_are_the_workflows_and_undo_restores_the_exclusion(rep):
    company = scored_company()
    _touch(company, rep, "converted")
    company.refresh_from_db()
    assert services.allowed_statuses(user=rep, company=company) == ["opportunity", "customer"]
    services.change_status(company=company, to_status="opportunity", user=rep)
    with pytest.raises(ServiceError, match="Say why"):
        services.change_status(company=company, to_status="disqualified", user=rep)
    change = services.change_status(company=company, to_status="customer", user=rep)
    assert company.visitors.get().excluded_reason == exclusions.CUSTOMER
    services.undo_status_change(company=company, change_id=change.pk, user=rep)
    company.refresh_from_db()
    assert company.status == "opportunity"
    assert company.visitors.get().excluded_reason == exclusions.SQL_COMPANY
    with pytest.raises(ServiceError, match="cannot move"):
        services.change_status(company=company, to_status="converted", user=rep)


def test_a_researcher_cannot_move_an_sql_further_but_sees_the_stage(client, researcher, rep):
    company = scored_company()
    _touch(company, rep, "won")
    client.force_login(researcher)
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert "Customer (won)" in page
    assert services.allowed_statuses(user=researcher, company=company) == []


def test_the_touchpoint_form_asks_to_confirm_a_stage_outcome(client, rep):
    company = scored_company()
    _touch(company, rep, "converted")
    client.force_login(rep)
    url = reverse("company_touchpoint", args=[company.pk])
    data = {"channel": "meeting", "happened_on": timezone.localdate().isoformat()}
    asked = client.post(url, {**data, "outcome": "opportunity"})
    assert "Yes, log it and mark" in asked.content.decode()
    assert "opportunity" in asked.content.decode()
    assert company.touchpoints.count() == 1
    client.post(url, {**data, "outcome": "opportunity", "confirm": "1"})
    company.refresh_from_db()
    assert company.status == "opportunity"


def test_the_experiment_counts_a_later_stage_outcome_as_an_sql(settings, admin_user):
    settings.LEADGEN_SCORE_HORIZON_DAYS = 30
    experiment = start(admin_user, share=50)
    scored_companies(20, prefix="stage")
    record_queue_entries()
    entries = QueueEntry.objects.filter(experiment=experiment).order_by("company_id")
    treated = [e for e in entries if e.arm == "treatment"]
    at = treated[0].entered_at
    # An "opportunity opened" touchpoint makes the company an SQL on the way.
    Touchpoint.objects.create(
        company=treated[0].company,
        channel="meeting",
        outcome="opportunity",
        happened_on=timezone.localdate(at) + dt.timedelta(days=2),
    )
    report = experiment_report(experiment, now=at + dt.timedelta(days=40))
    sql = next(m for m in report.metrics if m.key == "sql")
    assert (sql.treated, sql.control) == (1, 0)
