"""`manage.py demo` (what `make demo` runs) takes generated traffic through every stage."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from prospects.experiments.models import Experiment
from prospects.forecast.models import StageForecast
from prospects.models import AttributionReport, Company, LogImport, PageView, Visitor
from scoring.models import CompanyScore, ModelVersion, VisitorScore

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_runs_every_stage_and_is_safe_to_run_again(tmp_path, client):
    out = io.StringIO()
    call_command("demo", visitors=14000, days=90, seed=11, dir=tmp_path / "demo", stdout=out)

    text = out.getvalue()
    assert "2/7 demo users" in text
    # Ninety days leave accounts a whole horizon after entering: the generator's holdout is
    # recorded in the app, with the rep's touchpoints for the treated companies.
    assert "accounts identified as companies" in text
    experiment = Experiment.objects.get()
    assert experiment.entries.filter(arm="control").exists()
    assert experiment.entries.filter(arm="treatment").exists()
    assert LogImport.objects.get().malformed > 0
    assert PageView.objects.count() > 10000
    assert Visitor.objects.filter(converted_at__isnull=False).count() >= 30
    assert Company.objects.filter(relationship="prospect").count() > 20
    assert Company.objects.filter(relationship="customer").exists()
    assert Visitor.objects.filter(excluded_reason="ISP / residential").exists()
    version = ModelVersion.objects.get(is_active=True)
    # The backtest: on the last closed 30 days, unseen in training, the learned winner ranks
    # well and beats the points rule.
    assert version.roc_auc > 0.8
    backtest = version.backtest["candidates"]
    assert version.algorithm != "points_rule"
    assert version.pr_auc > backtest["points_rule"]["backtest"]["pr_auc"]
    assert CompanyScore.objects.filter(probability__gt=0.5).exists()
    # The generator's sales after the SQL are recorded, dated, and the pipeline models fitted.
    assert "opportunities" in text and "lead → customer:" in text
    assert Company.objects.filter(status="customer").exists()
    assert StageForecast.objects.count() == 2
    assert set(get_user_model().objects.values_list("username", flat=True)) >= {
        "researcher",
        "rep",
        "admin",
    }

    # Attribution ran last, against the recorded holdout: the page sets the experiment's
    # measured lift beside each model's credit to outreach.
    assert "attribution of" in text
    check = AttributionReport.objects.get().results["check"]
    assert check["experiment_id"] == experiment.pk
    assert check["conversions"] > 0 and check["reached_conversions"] > 0
    client.force_login(get_user_model().objects.get(username="researcher"))
    page = client.get("/attribution/").content.decode()
    assert "extra conversions" in page and "Data-driven (Markov removal)" in page

    truth = {
        (row["ip"], row["user_agent"]): row["archetype"]
        for row in csv.DictReader((tmp_path / "demo" / "truth.csv").open())
    }
    non_converts = VisitorScore.objects.filter(visitor__converted_at__isnull=True)
    top = non_converts.select_related("visitor").order_by("-probability")
    top = top[: max(10, non_converts.count() // 20)]
    kinds = [truth[s.visitor.ip, s.visitor.user_agent] for s in top]
    everyone = [
        truth[s.visitor.ip, s.visitor.user_agent] for s in non_converts.select_related("visitor")
    ]
    # The model finds the evaluators (at least three times their share among everyone in its
    # top 5%); job seekers and blog-only readers stay out of it.
    assert kinds.count("evaluator") / len(kinds) > 3 * everyone.count("evaluator") / len(everyone)
    assert kinds.count("job_seeker") + kinds.count("blog_reader") < len(kinds) / 5

    call_command("demo", visitors=14000, days=90, seed=11, dir=tmp_path / "demo", stdout=out)
    second = LogImport.objects.order_by("-pk").first()
    assert "already recorded, or it has no accounts" in out.getvalue()[len(text) :]
    assert Experiment.objects.count() == 1
    assert second.pageviews == 0
    assert second.duplicates > 10000
