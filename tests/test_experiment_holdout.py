"""Control companies never reach researchers or reps: pages, the API, alerts; admins see them
on the experiment page only, and a stopped experiment gives them back to the team."""

import pytest
from django.urls import get_resolver, reverse

from prospects.alerts import preferences
from prospects.alerts import services as alerts
from prospects.experiments import services
from prospects.models import Alert, QueueEntry
from tests.api_client import client_for
from tests.experiment_fixtures import scored_companies, start
from tests.test_access import PUBLIC, _named_routes

pytestmark = pytest.mark.django_db


@pytest.fixture
def arms(admin_user):
    """A running 50% holdout over 30 new companies: (experiment, control, treatment)."""
    experiment = start(admin_user, share=50)
    scored_companies(30, probability=0.9, prefix="arm")
    services.record_queue_entries()
    entries = QueueEntry.objects.filter(experiment=experiment).select_related("company")
    control = [e.company for e in entries if e.arm == "control"]
    treatment = [e.company for e in entries if e.arm == "treatment"]
    assert control and treatment
    return experiment, control, treatment


def _argument_free_routes(prefix: str) -> list[str]:
    """Names of the routes (namespaced, Django admin left out) that take no argument."""
    return [
        name
        for name, route in _named_routes(get_resolver().url_patterns)
        if name.startswith(prefix) and name not in PUBLIC and "<" not in route
    ]


def _shows(content: bytes, companies) -> set[str]:
    text = content.decode()
    return {c.name for c in companies if c.name in text or c.domain in text}


@pytest.mark.parametrize("role", ["researcher", "rep"])
def test_no_page_a_researcher_or_rep_can_open_shows_a_control_company(client, request, arms, role):
    _experiment, control, treatment = arms
    client.force_login(request.getfixturevalue(role))
    queue = client.get(reverse("queue"))
    assert _shows(queue.content, treatment), "the queue lists the treated companies"
    opened = 0
    for name in _argument_free_routes(""):
        if name.startswith("api-"):
            continue
        response = client.get(reverse(name))
        if response.status_code == 200:
            opened += 1
            # CSV downloads are streamed.
            body = b"".join(response) if response.streaming else response.content
            assert not _shows(body, control), name
    assert opened >= 4
    for company in control:
        assert client.get(reverse("company", args=[company.pk])).status_code == 404
    held = control[0]
    assert client.post(reverse("company_note", args=[held.pk]), {"body": "x"}).status_code == 404
    assert client.get(reverse("company", args=[treatment[0].pk])).status_code == 200


@pytest.mark.parametrize("role", ["researcher", "rep"])
def test_no_api_list_shows_a_control_company(request, arms, role):
    _experiment, control, treatment = arms
    api = client_for(request.getfixturevalue(role))
    control_ids = {c.pk for c in control}
    listed = 0
    for name in _argument_free_routes("api-"):
        if not name.endswith("-list"):
            continue
        response = api.get(reverse(name))
        assert response.status_code == 200, name
        listed += 1
        body = response.json()
        rows = body.get("results", body) if isinstance(body, dict) else body
        for row in rows if isinstance(rows, list) else []:
            if name in ("api-queue-list", "api-company-list"):
                assert row["id"] not in control_ids, name
            assert row.get("company") not in control_ids, name
        assert not _shows(response.content, control), name
    assert listed >= 5
    queue_ids = {row["id"] for row in api.get("/api/queue/").json()["results"]}
    assert queue_ids & {c.pk for c in treatment} and not queue_ids & control_ids
    for company in control:
        assert api.get(f"/api/companies/{company.pk}/").status_code == 404
        assert api.post(f"/api/companies/{company.pk}/notes/", {"body": "x"}).status_code == 404
        assert api.get("/api/visitors/", {"company": company.pk}).json()["results"] == []


def test_alerts_announce_treated_companies_only(researcher, admin_user):
    preferences.update_subscription(user=researcher, new_companies=True)
    alerts.scan_alerts()  # the baseline
    experiment = start(admin_user, share=50)
    scored_companies(30, probability=0.9, prefix="alert")
    alerts.scan_alerts()
    announced = set(Alert.objects.values_list("company_id", flat=True))
    arms = dict(experiment.entries.values_list("company_id", "arm"))
    assert announced and announced == {pk for pk, arm in arms.items() if arm == "treatment"}


def test_admins_see_control_companies_on_the_experiment_page_only(client, admin_user, arms):
    _experiment, control, treatment = arms
    client.force_login(admin_user)
    assert not _shows(client.get(reverse("queue")).content, control)
    page = client.get(reverse("experiments"))
    assert page.status_code == 200
    assert _shows(page.content, control) == {c.name for c in control}
    assert not _shows(page.content, treatment)
    assert client.get(reverse("company", args=[control[0].pk])).status_code == 200


def test_a_stopped_experiment_gives_its_control_back_to_the_team(client, researcher, arms):
    experiment, control, _treatment = arms
    services.stop_experiment(experiment=experiment, user=experiment.started_by)
    client.force_login(researcher)
    assert client.get(reverse("company", args=[control[0].pk])).status_code == 200
    ids = {row["id"] for row in client_for(researcher).get("/api/queue/").json()["results"]}
    assert {c.pk for c in control} <= ids
