"""`manage.py demo` records the generator's holdout, and its experiment page finds the effect.

The accounts and their visitors' conversions are built from the generator's ground truth (as
ingest and identification would leave them), then recorded by the demo's own step; the
generator's process and its coverage check are in tests/test_demo_outreach.py, whose seeds
and scale these reuse.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects.demo.holdout import record_demo_experiment
from prospects.demo.logs import write_experiment
from prospects.experiments.models import Experiment, QueueEntry
from prospects.models import Company, Touchpoint, Visitor
from tests.factories import stable_hash
from tests.test_demo_outreach import world

START = dt.date(2026, 8, 1)
AGENT = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"


def _build(truth):
    """The experiment's accounts as companies, with their visitors' conversions from the logs."""
    domains = {a.domain for a in truth.experiment.assignments}
    companies = Company.objects.bulk_create(
        [Company(name=domain, domain=domain) for domain in sorted(domains)]
    )
    by_domain = {c.domain: c for c in companies}
    first = dt.datetime.combine(START, dt.time(), tzinfo=dt.UTC)
    visitors = []
    for n, v in enumerate(truth.visitors):
        if v.company not in by_domain or v.converted_day is None or v.converted_day < 0:
            continue
        converted = first + dt.timedelta(days=v.converted_day, hours=12)
        visitors.append(
            Visitor(
                ip=f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}",
                user_agent=AGENT,
                ua_hash=stable_hash(AGENT),
                first_seen=converted,
                last_seen=converted,
                converted_at=converted,
                company=by_domain[v.company],
            )
        )
    Visitor.objects.bulk_create(visitors)


def _page_report(client, admin_user):
    experiment = Experiment.objects.get()
    client.force_login(admin_user)
    response = client.get(reverse("experiment", args=[experiment.pk]))
    assert response.status_code == 200
    return response.context["report"]


@pytest.mark.django_db
@pytest.mark.slow
def test_the_demo_experiment_page_covers_the_generators_true_effect_over_seeds(
    client, admin_user, rep, tmp_path
):
    seeds = range(7, 13)
    covered = 0
    for seed in seeds:
        truth = world(seed)
        path = tmp_path / f"experiment-{seed}.json"
        write_experiment(truth, path, start=START)
        _build(truth)
        recorded = record_demo_experiment(path, admin=admin_user, rep=rep)
        assignments = truth.experiment.assignments
        treated = sum(a.treated for a in assignments)
        assert recorded.companies == len(assignments)
        assert Touchpoint.objects.count() == recorded.touchpoints == treated
        assert not recorded.experiment.running
        report = _page_report(client, admin_user)
        assert report.sizes == {"treatment": treated, "control": len(assignments) - treated}
        organic = report.metrics[0]
        assert organic.treated == sum(a.converted for a in assignments if a.treated)
        assert organic.control == sum(a.converted for a in assignments if not a.treated)
        low, high = organic.posterior.diff_low, organic.posterior.diff_high
        covered += low <= truth.experiment.true_effect <= high
        # Again, as when the demo runs twice: nothing is recorded twice.
        assert record_demo_experiment(path, admin=admin_user, rep=rep) is None
        Visitor.objects.all().delete()
        Company.objects.all().delete()
        Experiment.objects.all().delete()
    assert covered >= len(seeds) - 1


@pytest.mark.django_db
def test_the_recorded_arms_and_windows_are_the_generators(admin_user, rep, tmp_path):
    truth = world(7)
    path = tmp_path / "experiment.json"
    write_experiment(truth, path, start=START)
    _build(truth)
    # An account the app never identified stays out of the experiment.
    missing = truth.experiment.assignments[0]
    Company.objects.filter(domain=missing.domain).delete()
    recorded = record_demo_experiment(path, admin=admin_user, rep=rep)
    assert recorded.companies == recorded.accounts - 1
    entries = {e.company.domain: e for e in QueueEntry.objects.select_related("company")}
    assert missing.domain not in entries
    for a in truth.experiment.assignments[1:]:
        entry = entries[a.domain]
        assert entry.arm == ("treatment" if a.treated else "control")
        assert entry.entered_on == START + dt.timedelta(days=a.entered)
        assert entry.window_ends_at - entry.entered_at == dt.timedelta(days=30)
    touch = Touchpoint.objects.select_related("company").first()
    assert touch.logged_by == rep
    assert entries[touch.company.domain].arm == "treatment"
    assert recorded.experiment.stopped_at <= timezone.now()
