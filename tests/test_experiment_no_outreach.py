"""Control companies of a running experiment get no outreach, even from an admin (who may
open them): taking, a rep, touchpoints and tasks are refused by the services with a clear
message; treated companies, and control ones once the experiment stops, are worked as usual."""

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects.crm import outreach, services
from prospects.errors import ServiceError
from prospects.experiments import services as experiments
from prospects.models import Company, QueueEntry, Task, Touchpoint
from tests.api_client import client_for
from tests.experiment_fixtures import scored_companies, start

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
HELD_OUT = "in the control arm of the running experiment"


@pytest.fixture
def arms(admin_user):
    """A running 50% holdout: (experiment, a control company, a treated company), both
    ready for outreach."""
    experiment = start(admin_user, share=50)
    scored_companies(20, probability=0.9, prefix="arm")
    experiments.record_queue_entries()
    entries = QueueEntry.objects.filter(experiment=experiment)
    Company.objects.update(status=Company.Status.READY)
    control = entries.filter(arm="control").first().company
    treated = entries.filter(arm="treatment").first().company
    return experiment, control, treated


def _refused(call) -> str:
    with pytest.raises(ServiceError) as refused:
        call()
    return " ".join(refused.value.messages)


def test_the_services_refuse_outreach_on_a_control_company(admin_user, rep, arms):
    _experiment, control, treated = arms
    touch = {"channel": "email", "happened_on": TODAY, "outcome": "replied"}
    attempts = [
        lambda: outreach.log_touchpoint(company=control, user=admin_user, **touch),
        lambda: outreach.add_task(company=control, user=admin_user, due_on=TODAY),
        lambda: outreach.add_task(company=control, user=admin_user, due_on=TODAY, owner=rep),
        lambda: outreach.take_for_outreach(company=control, user=admin_user),
        lambda: outreach.reassign_outreach(company=control, to_user=rep, by=admin_user),
    ]
    for attempt in attempts:
        assert HELD_OUT in _refused(attempt)
    assert not Touchpoint.objects.filter(company=control).exists()
    assert not Task.objects.filter(company=control).exists()
    control.refresh_from_db()
    assert control.rep is None and control.status == Company.Status.READY
    # Research-side notes stay possible: they are not outreach.
    services.add_note(company=control, author=admin_user, body="Held out: watch only.")
    # The treated company is worked as usual.
    outreach.log_touchpoint(company=treated, user=rep, **touch)
    outreach.add_task(company=treated, user=rep, due_on=TODAY)
    assert Touchpoint.objects.filter(company=treated).count() == 1


def test_the_admin_sees_why_on_the_page_and_the_api_answers_400(client, admin_user, arms):
    _experiment, control, _treated = arms
    client.force_login(admin_user)
    page = client.get(reverse("company", args=[control.pk])).content.decode()
    assert 'id="held-out-note"' in page and 'id="task-form"' not in page
    assert 'id="touchpoint-form"' not in page
    posted = client.post(
        reverse("company_task", args=[control.pk]), {"kind": "call", "due_on": TODAY}
    )
    assert posted.status_code == 400 and 'id="held-out-note"' in posted.content.decode()
    api = client_for(admin_user)
    answer = api.post(
        f"/api/companies/{control.pk}/touchpoints/",
        {"channel": "email", "happened_on": TODAY, "outcome": "replied"},
    )
    assert answer.status_code == 400 and HELD_OUT in answer.content.decode()
    answer = api.post(f"/api/companies/{control.pk}/tasks/", {"due_on": TODAY, "kind": "call"})
    assert answer.status_code == 400 and HELD_OUT in answer.content.decode()
    assert not Task.objects.filter(company=control).exists()


def test_no_page_offers_outreach_on_a_control_company_even_to_an_admin(
    client, admin_user, rep, arms
):
    _experiment, control, treated = arms
    client.force_login(admin_user)
    page = client.get(reverse("company", args=[control.pk])).content.decode()
    assert "Take for outreach" not in page
    assert 'id="move-in_outreach-form"' not in page and 'id="reassign-rep-form"' not in page
    # The same admin is offered all of it on a treated company.
    treated_page = client.get(reverse("company", args=[treated.pk])).content.decode()
    assert "Take for outreach" in treated_page and 'id="reassign-rep-form"' in treated_page
    # Posting anyway is refused with the reason, and so is a move into outreach.
    taken = client.post(reverse("company_take", args=[control.pk]), follow=True)
    assert HELD_OUT in taken.content.decode()
    into_outreach = lambda: services.change_status(  # noqa: E731
        company=control, user=admin_user, to_status=Company.Status.IN_OUTREACH
    )
    assert HELD_OUT in _refused(into_outreach)
    control.refresh_from_db()
    assert control.rep is None and control.status == Company.Status.READY
    # My outreach lists only treated companies as ready to take, for a rep and for an admin.
    for person in (rep, admin_user):
        client.force_login(person)
        home = client.get(reverse("my_outreach")).content.decode()
        assert f'href="{reverse("company", args=[treated.pk])}"' in home
        assert f'href="{reverse("company", args=[control.pk])}"' not in home


def test_a_stopped_experiment_lets_outreach_reach_its_control(client, admin_user, rep, arms):
    experiment, control, _treated = arms
    experiments.stop_experiment(experiment=experiment, user=admin_user)
    outreach.take_for_outreach(company=control, user=rep)
    outreach.log_touchpoint(
        company=control, user=rep, channel="call", happened_on=TODAY, outcome="replied"
    )
    client.force_login(admin_user)
    assert (
        'id="held-out-note"'
        not in client.get(reverse("company", args=[control.pk])).content.decode()
    )


def test_a_control_company_is_never_given_to_a_researcher(client, admin_user, researcher, arms):
    _experiment, control, treated = arms
    give = lambda: services.reassign_company(  # noqa: E731
        company=control, to_user=researcher, by=admin_user
    )
    assert HELD_OUT in _refused(give)
    control.refresh_from_db()
    assert control.assignee is None
    # The page offers no reassignment, and posting one anyway answers 400 with the reason.
    client.force_login(admin_user)
    page = client.get(reverse("company", args=[control.pk])).content.decode()
    assert 'id="reassign-form"' not in page and 'id="reassign-held-out"' in page
    posted = client.post(reverse("company_reassign", args=[control.pk]), {"to_user": researcher.pk})
    assert posted.status_code == 400 and HELD_OUT in posted.content.decode()
    control.refresh_from_db()
    assert control.assignee is None
    client.force_login(researcher)
    assert (
        reverse("company", args=[control.pk]) not in client.get(reverse("my_work")).content.decode()
    )
    # A treated company is reassigned as usual.
    services.reassign_company(company=treated, to_user=researcher, by=admin_user)
    treated.refresh_from_db()
    assert treated.assignee == researcher
