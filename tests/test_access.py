"""Every route in the URL configuration needs a login and the right role.

The routes are read from the resolver, as NetBox's view tests do, so a page or endpoint added
without an entry in ROUTES fails here until someone decides who may use it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from prospects.models import (
    Contact,
    Experiment,
    IdentificationOverride,
    SavedView,
    Segment,
    StatusChange,
    Task,
    Touchpoint,
    Webhook,
)
from scoring.models import PointRule
from tests.crm_fixtures import model_version, scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WORK = {"researcher", "rep", "admin_user"}
RESEARCH = {"researcher", "admin_user"}
OUTREACH = {"rep", "admin_user"}
ADMIN = {"admin_user"}
# Signed-in people without a role still have their own settings.
EVERYONE = {"researcher", "rep", "admin_user", "outsider"}
ROLES = ["researcher", "rep", "admin_user", "outsider"]

# Route name: (method, the roles that may use it). Format-suffix twins share their entry.
ROUTES = {
    "queue": ("get", WORK),
    "home": ("get", WORK),
    "search": ("get", WORK),
    "queue_bulk": ("post", WORK),
    "view_save": ("post", WORK),
    # The view is someone else's: only an admin may delete it (its owner too, not in this cast).
    "view_delete": ("post", ADMIN),
    "view_default": ("post", WORK),
    "export_queue": ("get", WORK),
    "export_companies": ("get", WORK),
    "export_contacts": ("get", WORK),
    "export_touchpoints": ("get", WORK),
    "my_work": ("get", WORK),
    "my_outreach": ("get", WORK),
    "settings": ("get", EVERYONE),
    "settings_time_zone": ("post", EVERYONE),
    "settings_alerts": ("post", EVERYONE),
    "webhook_add": ("post", WORK),
    "webhook_remove": ("post", WORK),
    "webhook_test": ("post", WORK),
    "company_watch": ("post", WORK),
    "deliveries": ("get", ADMIN),
    "company": ("get", WORK),
    "company_claim": ("post", RESEARCH),
    "company_release": ("post", WORK),
    "company_take": ("post", OUTREACH),
    "company_release_outreach": ("post", OUTREACH),
    "company_reassign_rep": ("post", ADMIN),
    "company_undo": ("post", WORK),
    "company_task": ("post", WORK),
    "task_done": ("post", WORK),
    "company_reassign": ("post", ADMIN),
    "company_status": ("post", WORK),
    "company_note": ("post", WORK),
    "company_contact": ("post", RESEARCH),
    "company_touchpoint": ("post", OUTREACH),
    "company_edit": ("post", RESEARCH),
    "company_mark_wrong": ("post", RESEARCH),
    "capacity": ("get", ADMIN),
    "imports": ("get", ADMIN),
    "privacy": ("get", ADMIN),
    "privacy_erase": ("post", ADMIN),
    "identification": ("get", ADMIN),
    "override_add": ("post", ADMIN),
    "override_remove": ("post", ADMIN),
    "experiments": ("get", ADMIN),
    "experiment": ("get", ADMIN),
    "experiment_stop": ("post", ADMIN),
    "segments": ("get", WORK),
    "segment_rename": ("post", ADMIN),
    "attribution": ("get", RESEARCH),
    "attribution_recompute": ("post", ADMIN),
    "scoring:model": ("get", ADMIN),
    "scoring:version": ("get", ADMIN),
    "scoring:activate": ("post", ADMIN),
    "scoring:points": ("get", ADMIN),
    "scoring:point_add": ("post", ADMIN),
    "scoring:point_edit": ("post", ADMIN),
    "scoring:point_delete": ("post", ADMIN),
    "scoring:points_restore": ("post", ADMIN),
    "scoring:train": ("post", ADMIN),
    "api-root": ("get", WORK),
    "api-schema": ("get", WORK),
    "api-docs": ("get", WORK),
    "api-queue-list": ("get", WORK),
    "api-company-list": ("get", WORK),
    "api-company-detail": ("get", WORK),
    "api-company-claim": ("post", RESEARCH),
    "api-company-release": ("post", WORK),
    "api-company-reassign": ("post", ADMIN),
    "api-company-change-status": ("post", WORK),
    "api-company-notes": ("post", WORK),
    "api-company-contacts": ("post", RESEARCH),
    "api-company-touchpoints": ("post", OUTREACH),
    "api-company-take": ("post", OUTREACH),
    "api-company-release-outreach": ("post", OUTREACH),
    "api-company-reassign-rep": ("post", ADMIN),
    "api-company-undo": ("post", WORK),
    "api-company-tasks": ("post", WORK),
    "api-contact-list": ("get", WORK),
    "api-contact-detail": ("get", WORK),
    "api-touchpoint-list": ("get", WORK),
    "api-touchpoint-detail": ("get", WORK),
    "api-task-list": ("get", WORK),
    "api-task-done": ("post", WORK),
    "api-visitor-list": ("get", WORK),
    "api-visitor-detail": ("get", WORK),
    "api-pageview-list": ("get", WORK),
    "api-pageview-detail": ("get", WORK),
    "api-threshold-list": ("get", WORK),
}
# Open by design: signing in and out, the API's token exchange (it checks the password), and
# the tracker's beacons (the vendor's anonymous visitors send them; origins, rate and size are
# limited in prospects/tracking/endpoint.py).
PUBLIC = {"login", "logout", "api-token", "track"}


def _named_routes(patterns, prefix="", namespace=""):
    """(namespaced name, route) of every URL pattern under `patterns`."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":  # Django admin checks staff status itself
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield name, prefix + str(pattern.pattern)


def _url(name, objects) -> str:
    route = dict(_named_routes(get_resolver().url_patterns))[name]
    if "change_id" in route:
        change = objects["change"]
        return reverse(name, kwargs={"company_id": change.company_id, "change_id": change.pk})
    if "company_id" in route:
        return reverse(name, kwargs={"company_id": objects["company"].pk})
    if "experiment_id" in route:
        return reverse(name, kwargs={"experiment_id": objects["experiment"].pk})
    if "segment_id" in route:
        return reverse(name, kwargs={"segment_id": objects["segment"].pk})
    if "webhook_id" in route:
        return reverse(name, kwargs={"webhook_id": objects["webhook"].pk})
    if "rule_id" in route:
        return reverse(name, kwargs={"rule_id": objects["rule"].pk})
    if "override_id" in route:
        return reverse(name, kwargs={"override_id": objects["override"].pk})
    if "view_id" in route:
        return reverse(name, kwargs={"view_id": objects["view"].pk})
    if "task_id" in route:
        return reverse(name, kwargs={"task_id": objects["task"].pk})
    if "<int:pk>" in route:
        return reverse(name, kwargs={"pk": objects["version"].pk})
    if "(?P<pk>" in route:
        kinds = ("visitor", "pageview", "task", "contact", "touchpoint")
        key = next((k for k in kinds if name.startswith(f"api-{k}-")), "company")
        return reverse(name, kwargs={"pk": objects[key].pk})
    return reverse(name)


@pytest.fixture
def objects():
    company = scored_company()
    visitor = company.visitors.get()
    return {
        "company": company,
        "change": StatusChange.objects.create(company=company, from_status="new", to_status="new"),
        # Without an owner (their account is gone) anyone on the team may mark it done.
        "task": Task.objects.create(company=company, owner=None, due_on=timezone.localdate()),
        "webhook": Webhook.objects.create(
            owner=UserFactory(username="hook-owner"), url="https://example.org/hook"
        ),
        "visitor": visitor,
        "pageview": visitor.pageviews.first(),
        "contact": Contact.objects.create(company=company, name="Eve"),
        "touchpoint": Touchpoint.objects.create(
            company=company, channel="email", happened_on=timezone.localdate(), outcome="replied"
        ),
        "version": model_version(),
        "rule": PointRule.objects.first(),
        "override": IdentificationOverride.objects.create(
            kind="ip", value="192.0.2.1", classification="hosting"
        ),
        "segment": Segment.objects.create(auto_name="blog readers", clustered_at=timezone.now()),
        "experiment": Experiment.objects.create(
            name="Holdout", holdout_share="0.10", seed=1, started_at=timezone.now()
        ),
        # Shared, so every role may open it (deleting it is its owner's or an admin's).
        "view": SavedView.objects.create(
            owner=UserFactory(username="view-owner"), name="Hot", shared=True
        ),
    }


def test_every_route_declares_who_may_use_it():
    names = {name for name, _route in _named_routes(get_resolver().url_patterns)}
    assert None not in names, "every route needs a name"
    assert names - PUBLIC == set(ROUTES)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_visitors_are_refused(client, objects, name):
    method, _roles = ROUTES[name]
    response = getattr(client, method)(_url(name, objects))
    if name.startswith("api-"):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_routes(client, request, objects, role):
    client.force_login(request.getfixturevalue(role))
    refused = set()
    for name, (method, _roles) in ROUTES.items():
        response = getattr(client, method)(_url(name, objects))
        assert response.status_code < 500, (name, response.status_code)
        if response.status_code in (401, 403):
            refused.add(name)
    assert refused == {name for name, (_m, roles) in ROUTES.items() if role not in roles}
