"""Outreach ownership: a rep takes a ready company (one winner), My outreach is a rep's home."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from leadgen.db import is_postgresql
from prospects.crm import outreach, selectors, services
from prospects.errors import ServiceError
from prospects.models import Company, Task
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _ready(**kw):
    company = scored_company(**kw)
    Company.objects.filter(pk=company.pk).update(status="ready")
    company.refresh_from_db()
    return company


def test_a_rep_takes_a_ready_company_and_it_moves_into_outreach(rep):
    company = _ready()
    outreach.take_for_outreach(company=company, user=rep)
    company.refresh_from_db()
    assert (company.rep, company.status) == (rep, "in_outreach")
    assert company.status_changes.first().reason == "Taken for outreach"
    # Taking it again changes nothing.
    outreach.take_for_outreach(company=company, user=rep)
    assert company.status_changes.count() == 1


def test_a_second_rep_is_told_who_has_it_and_cannot_log_touchpoints(rep):
    company = _ready()
    other = UserFactory(username="olga", role="outreach rep")
    outreach.take_for_outreach(company=company, user=rep)
    with pytest.raises(ServiceError, match="already taken by oscar"):
        outreach.take_for_outreach(company=company, user=other)
    with pytest.raises(ServiceError, match="already taken by oscar"):
        outreach.log_touchpoint(
            company=company, user=other, channel="email", happened_on=TODAY(), outcome="replied"
        )


def test_companies_not_ready_cannot_be_taken(rep, researcher):
    company = scored_company()
    with pytest.raises(ServiceError, match="not ready for outreach"):
        outreach.take_for_outreach(company=company, user=rep)
    with pytest.raises(PermissionDenied):
        outreach.take_for_outreach(company=_ready(), user=researcher)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_takes_have_exactly_one_winner():
    if not is_postgresql():
        pytest.skip("the in-memory SQLite test database is not shared between threads safely")
    company = _ready()
    reps = [UserFactory(username=f"rep{n}", role="outreach rep") for n in range(4)]
    barrier = threading.Barrier(len(reps))
    results = []

    def take(user):
        barrier.wait()
        try:
            outreach.take_for_outreach(company=Company.objects.get(pk=company.pk), user=user)
            results.append("won")
        except Exception as exc:
            results.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(u,)) for u in reps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("won") == 1
    assert all(r.startswith("ServiceError") and "taken" in r for r in results if r != "won")
    assert Company.objects.get(pk=company.pk).status_changes.count() == 1


def test_release_makes_it_ready_again_and_admins_reassign(rep, admin_user):
    company = _ready()
    other = UserFactory(username="olga", role="outreach rep")
    outreach.take_for_outreach(company=company, user=rep)
    with pytest.raises(PermissionDenied):
        outreach.release_outreach(company=company, user=other)
    with pytest.raises(PermissionDenied):
        outreach.reassign_outreach(company=company, to_user=other, by=rep)
    outreach.reassign_outreach(company=company, to_user=other, by=admin_user)
    company.refresh_from_db()
    assert company.rep == other
    outreach.release_outreach(company=company, user=other)
    company.refresh_from_db()
    assert (company.rep, company.status) == (None, "ready")
    assert company in Company.objects.ready_for_outreach()


def test_my_outreach_puts_overdue_companies_first(rep):
    later, overdue, idle = _ready(name="Later"), _ready(name="Overdue"), _ready(name="Idle")
    for company in (later, overdue, idle):
        outreach.take_for_outreach(company=company, user=rep)
    outreach.add_task(company=later, user=rep, due_on=TODAY() + dt.timedelta(days=3))
    task = outreach.add_task(company=overdue, user=rep, due_on=TODAY(), kind="call")
    Task.objects.filter(pk=task.pk).update(due_on=TODAY() - dt.timedelta(days=1))
    mine = list(selectors.my_outreach(user=rep)["mine"])
    assert mine == [overdue, later, idle]
    assert mine[0].next_task_kind == "call"


def test_a_rep_lands_on_my_outreach_after_login(client, rep, researcher):
    client.force_login(rep)
    assert client.get(reverse("home"))["Location"] == reverse("my_outreach")
    client.force_login(researcher)
    assert client.get(reverse("home"))["Location"] == reverse("queue")
    client.logout()
    response = client.post(
        reverse("login"), {"username": "oscar", "password": "correct-horse-battery"}
    )
    assert response["Location"] == reverse("home")


def test_empty_states_tell_each_role_what_they_can_do(client, rep, researcher):
    client.force_login(rep)
    work = client.get(reverse("my_work")).content.decode()
    assert "Reps don't claim research" in work and "You have no claims" not in work
    home = client.get(reverse("my_outreach")).content.decode()
    assert "Take one that is ready for outreach below" in home
    client.force_login(researcher)
    assert "Pick a company from the" in client.get(reverse("my_work")).content.decode()
    assert "researchers hand them over" in client.get(reverse("my_outreach")).content.decode()


def test_taking_from_my_outreach_opens_the_company(client, rep, researcher):
    company = _ready()
    services.claim_company(company=company, user=researcher)
    client.force_login(rep)
    page = client.get(reverse("my_outreach")).content.decode()
    assert reverse("company_take", args=[company.pk]) in page
    response = client.post(reverse("company_take", args=[company.pk]), follow=True)
    assert "is yours for outreach" in response.content.decode()
    assert response.context["company"].rep == rep
