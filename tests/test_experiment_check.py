"""The check: what a correlational reading credits to outreach, beside the measured lift."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects.experiments import selectors, services
from prospects.models import QueueEntry, Touchpoint, Visitor
from tests.experiment_fixtures import scored_companies, start

pytestmark = pytest.mark.django_db


def _touch(company, day, outcome="replied"):
    Touchpoint.objects.create(company=company, channel="email", outcome=outcome, happened_on=day)


def test_reached_against_not_reached_beside_the_lift_per_company_reached(admin_user):
    experiment = start(admin_user, share=50)
    scored_companies(40, prefix="check")
    services.record_queue_entries()
    entries = list(QueueEntry.objects.filter(experiment=experiment).select_related("company"))
    treated = [e.company for e in entries if e.arm == "treatment"]
    control = [e.company for e in entries if e.arm == "control"]
    at = entries[0].entered_at
    day = timezone.localdate(at)
    for company in treated[:4]:  # reached by a rep inside the window
        _touch(company, day + dt.timedelta(days=2))
    _touch(treated[4], day - dt.timedelta(days=1))  # before its assignment: not reached
    for company in (treated[0], treated[1], treated[5], control[0]):
        Visitor.objects.filter(company=company).update(converted_at=at + dt.timedelta(days=5))

    report = selectors.experiment_report(experiment, now=at + dt.timedelta(days=40))
    check = report.check
    n_t, n_c = len(treated), len(control)
    assert check.reached == 4
    assert check.reached_rate == pytest.approx(2 / 4)
    assert check.unreached_rate == pytest.approx(1 / (n_t - 4))
    assert check.naive == pytest.approx(2 / 4 - 1 / (n_t - 4))
    measured = 3 / n_t - 1 / n_c
    assert check.measured == pytest.approx(measured)
    assert check.per_reached == pytest.approx(measured / (4 / n_t))
    either = report.metrics[-1].posterior
    assert check.per_reached_low == pytest.approx(either.diff_low / (4 / n_t))
    assert check.per_reached_low < check.per_reached < check.per_reached_high


def test_the_page_says_when_nobody_was_reached_yet(client, admin_user):
    start(admin_user, share=30)
    scored_companies(10, prefix="quiet")
    services.record_queue_entries()
    client.force_login(admin_user)
    text = client.get(reverse("experiments")).content.decode()
    assert "Correlation against the experiment" in text and "Not yet" in text
