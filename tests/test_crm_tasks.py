"""Tasks and follow-ups: a touchpoint's next step, overdue / today / upcoming, done."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from prospects.accounts.services import set_time_zone
from prospects.crm import outreach, selectors, services
from prospects.errors import ServiceError
from prospects.models import Company, Task
from tests.crm_fixtures import scored_company

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def test_a_touchpoint_with_a_next_step_adds_the_reps_task(client, rep, researcher):
    company = scored_company()
    contact = services.add_contact(company=company, user=researcher, name="Ann Lee")
    client.force_login(rep)
    tomorrow = _today() + dt.timedelta(days=1)
    response = client.post(
        reverse("company_touchpoint", args=[company.pk]),
        {
            "channel": "email",
            "contact": contact.pk,
            "happened_on": _today().isoformat(),
            "outcome": "replied",
            "next_step_on": tomorrow.isoformat(),
            "next_step_kind": "call",
            "next_step_title": "Call about the pilot",
        },
        follow=True,
    )
    assert "next step on" in response.content.decode()
    task = Task.objects.get()
    assert (task.owner, task.kind, task.due_on, task.contact) == (rep, "call", tomorrow, contact)
    assert task.touchpoint == company.touchpoints.get()
    panel = response.content.decode().split('id="tasks-panel"')[1].split("</section>")[0]
    assert "Call about the pilot" in panel and "due tomorrow" in panel


def test_a_next_step_cannot_be_in_the_past(rep):
    company = scored_company()
    with pytest.raises(ServiceError):
        outreach.log_touchpoint(
            company=company,
            user=rep,
            channel="call",
            happened_on=_today(),
            outcome="no_response",
            next_step_on=_today() - dt.timedelta(days=1),
        )
    assert not company.touchpoints.exists() and not Task.objects.exists()


def test_the_agenda_splits_overdue_today_and_upcoming(rep):
    company = scored_company()
    for days, title in [(0, "today"), (2, "soon"), (0, "overdue")]:
        outreach.add_task(
            company=company, user=rep, due_on=_today() + dt.timedelta(days=days), title=title
        )
    Task.objects.filter(title="overdue").update(due_on=_today() - dt.timedelta(days=3))
    done = outreach.add_task(company=company, user=rep, due_on=_today(), title="done")
    outreach.complete_task(task=done, user=rep)
    agenda = selectors.task_agenda(user=rep)
    assert [t.title for t in agenda.overdue] == ["overdue"]
    assert [t.title for t in agenda.due_today] == ["today"]
    assert [t.title for t in agenda.upcoming] == ["soon"]


def test_today_is_the_persons_own_day(client, rep):
    """Kiritimati (UTC+14) is always at least a day ahead of Etc/GMT+12 (UTC-12)."""
    company = scored_company()
    ahead = zoneinfo.ZoneInfo("Pacific/Kiritimati")
    their_today = timezone.localtime(timezone.now(), ahead).date()
    with timezone.override(ahead):
        outreach.add_task(company=company, user=rep, due_on=their_today, title="Call")
    client.force_login(rep)
    set_time_zone(user=rep, time_zone="Pacific/Kiritimati")
    agenda = client.get(reverse("my_outreach")).context["agenda"]
    assert [t.title for t in agenda.due_today] == ["Call"]
    set_time_zone(user=rep, time_zone="Etc/GMT+12")
    agenda = client.get(reverse("my_outreach")).context["agenda"]
    assert [t.title for t in agenda.upcoming] == ["Call"] and not agenda.due_today


def test_my_work_lists_the_researchers_tasks_and_done_removes_them(client, researcher):
    company = scored_company()
    services.claim_company(company=company, user=researcher)
    task = outreach.add_task(company=company, user=researcher, due_on=_today(), kind="research")
    client.force_login(researcher)
    page = client.get(reverse("my_work")).content.decode()
    assert "due today" in page and reverse("task_done", args=[task.pk]) in page
    response = client.post(reverse("task_done", args=[task.pk]), {"back": "my_work"})
    assert response["Location"] == reverse("my_work")
    task.refresh_from_db()
    assert task.done_by == researcher and task.done_at is not None
    assert not selectors.task_agenda(user=researcher)


def test_only_the_owner_or_an_admin_marks_a_task_done(rep, researcher, admin_user):
    company = scored_company()
    task = outreach.add_task(company=company, user=rep, due_on=_today())
    with pytest.raises(PermissionDenied):
        outreach.complete_task(task=task, user=researcher)
    outreach.complete_task(task=task, user=admin_user)
    assert task.done_by == admin_user


def test_tasks_on_won_or_lost_companies_are_refused_and_leave_the_agenda(rep):
    company = scored_company()
    outreach.add_task(company=company, user=rep, due_on=_today())
    # An SQL is still worked towards an opportunity: its tasks stay.
    Company.objects.filter(pk=company.pk).update(status="converted")
    outreach.add_task(company=company, user=rep, due_on=_today())
    assert len(selectors.task_agenda(user=rep)) == 2
    for status in ("customer", "disqualified"):
        Company.objects.filter(pk=company.pk).update(status=status)
        with pytest.raises(ServiceError, match=status):
            outreach.add_task(company=company, user=rep, due_on=_today())
        assert not selectors.task_agenda(user=rep)


def test_the_api_adds_lists_and_completes_tasks(client, rep):
    company = scored_company()
    client.force_login(rep)
    created = client.post(
        reverse("api-company-tasks", args=[company.pk]),
        {"due_on": _today().isoformat(), "kind": "email", "title": "Send pricing"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    listed = client.get(reverse("api-task-list")).json()["results"]
    assert [t["title"] for t in listed] == ["Send pricing"]
    done = client.post(reverse("api-task-done", args=[created.json()["id"]]))
    assert done.json()["done_by"] == "oscar"
    assert client.get(reverse("api-task-list")).json()["results"] == []
