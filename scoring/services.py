"""Writes for scoring: train a model version, rescore visitors and companies, switch versions."""

import time
from dataclasses import asdict, dataclass

import numpy as np
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from prospects.models import PageView, ThresholdChange, Visitor
from prospects.visits.choices import Category

from . import selectors
from .calibration import CalibratedModel, Calibrator, choose_method
from .evaluation import feature_importances, model_report
from .explain import explain, probabilities
from .features import build_features
from .models import CompanyScore, ModelVersion, TrainingRun, VisitorScore
from .registry import load_artifact, save_artifact
from .training import candidate_pipelines, compare_candidates, fit_pipeline, one_core

WRITE_BATCH = 2000


class NoActiveModel(RuntimeError):
    """Rescoring was asked for before any model was trained."""


@dataclass
class RescoreResult:
    """What one rescore did."""

    version: int
    visitors: int
    out_of_fold: int
    companies: int
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


def train_model(*, trained_by: str, folds: int = 5, candidates=None) -> ModelVersion:
    """Compare the candidates, calibrate the best, store it as the active version.

    Raises training.NotEnoughData (with a readable message) when there are too few
    conversions; the TrainingRun row records every attempt, failed or not.
    """
    run = TrainingRun.objects.create(requested_by=trained_by)
    try:
        version = _train(trained_by=trained_by, folds=folds, candidates=candidates)
    except Exception as exc:
        run.message = str(exc)
        run.save(update_fields=["message"])
        raise
    run.ok = True
    run.model_version = version
    run.message = (
        f"Trained {version.algorithm} on {version.training_size} visitors "
        f"({version.training_positives} conversions)."
    )
    run.save(update_fields=["ok", "model_version", "message"])
    return version


def _train(*, trained_by: str, folds: int, candidates) -> ModelVersion:
    with one_core():
        return _train_one_core(trained_by=trained_by, folds=folds, candidates=candidates)


def _train_one_core(*, trained_by: str, folds: int, candidates) -> ModelVersion:
    table = build_features()
    # Visitors with no page view before converting have nothing to learn from.
    used = table.column("pageviews") > 0
    X, y, ids = table.X[used], table.converted[used].astype(int), table.visitor_ids[used]
    candidates = candidates if candidates is not None else candidate_pipelines()
    comparison = compare_candidates(X, y, candidates=candidates, folds=folds)
    best = comparison.best
    method, oof = choose_method(best.oof, y, comparison.folds)
    model = CalibratedModel(
        fit_pipeline(candidates[best.name], X, y), Calibrator(method).fit(best.oof, y)
    )
    report = model_report(y, oof, float(ThresholdChange.objects.current()))
    report["curves"]["calibration_method"] = method
    artifact = {
        "model": model,
        "baseline": np.median(X, axis=0),
        "feature_names": list(table.names),
        "oof_visitor_ids": ids,
        "oof_probability": oof,
    }
    file_name = save_artifact(artifact, prefix="visitor-model")
    with transaction.atomic():
        # Two trainings finishing together must not both end up active.
        list(ModelVersion.objects.select_for_update().filter(is_active=True))
        ModelVersion.objects.filter(is_active=True).update(is_active=False)
        return ModelVersion.objects.create(
            algorithm=best.name,
            trained_by=trained_by,
            is_active=True,
            file_name=file_name,
            feature_names=list(table.names),
            training_size=len(y),
            training_positives=int(y.sum()),
            roc_auc=report["roc_auc"],
            pr_auc=report["pr_auc"],
            brier=report["brier"],
            candidates=comparison.candidate_scores(),
            confusion=report["confusion"],
            curves=report["curves"],
            feature_importances=feature_importances(model, X, y, table.names),
        )


def activate_version(version: ModelVersion) -> ModelVersion:
    """Make this version the one that scores (a rollback when it is an older one)."""
    load_artifact(version.file_name)  # refuse a version whose file is gone or untrusted
    with transaction.atomic():
        list(ModelVersion.objects.select_for_update().filter(is_active=True))
        ModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
        ModelVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.refresh_from_db()
    return version


def score_table(version: ModelVersion, table) -> tuple[np.ndarray, np.ndarray, list[list]]:
    """Probabilities, out-of-fold flags and reasons for a feature table, with this version.

    Visitors the version was trained on get their out-of-fold probability: a model never
    grades its own homework. Their reasons still come from the stored model.
    """
    artifact = load_artifact(version.file_name)
    if list(artifact["feature_names"]) != list(table.names):
        raise ValueError(f"Model v{version.pk} was trained on other features; train a new one.")
    model = artifact["model"]
    with one_core():
        predicted = probabilities(model, table.X)
    oof_ids, oof_p = artifact["oof_visitor_ids"], artifact["oof_probability"]
    at = np.clip(np.searchsorted(oof_ids, table.visitor_ids), 0, max(len(oof_ids) - 1, 0))
    in_training = (oof_ids[at] == table.visitor_ids) if len(oof_ids) else np.zeros(0, bool)
    probability = np.where(in_training, oof_p[at] if len(oof_ids) else 0.0, predicted)
    with one_core():
        floor = version.training_positives / max(version.training_size, 1)
        reasons = explain(model, table.X, table.names, artifact["baseline"], predicted, floor)
    return probability, in_training, reasons


def rescore(*, changed_only: bool = False) -> RescoreResult:
    """Score visitors with the active model (all, or only the changed ones), then companies."""
    started = time.perf_counter()
    version = selectors.active_version()
    if version is None:
        raise NoActiveModel("No active model yet: train one first (manage.py train_model).")
    table = build_features(selectors.visitors_to_score(version, changed_only=changed_only))
    probability, out_of_fold, reasons = score_table(version, table)
    now = timezone.now()
    scores = [
        VisitorScore(
            visitor_id=int(visitor_id),
            model_version=version,
            probability=float(p),
            out_of_fold=bool(oof),
            reasons=why,
            scored_at=now,
        )
        for visitor_id, p, oof, why in zip(
            table.visitor_ids, probability, out_of_fold, reasons, strict=True
        )
    ]
    with transaction.atomic():
        VisitorScore.objects.bulk_create(
            scores,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["visitor"],
            update_fields=["model_version", "probability", "out_of_fold", "reasons", "scored_at"],
        )
        companies = rescore_companies(version, now)
    return RescoreResult(
        version=version.pk,
        visitors=len(scores),
        out_of_fold=int(out_of_fold.sum()),
        companies=companies,
        seconds=round(time.perf_counter() - started, 3),
    )


def rescore_companies(version: ModelVersion, now) -> int:
    """Each company gets its best eligible visitor's score and their engagement summary.

    The summary (eligible visitor count, their pricing and premium page views, their latest
    visit) is what the research queue shows; it is computed here in set-based queries and is
    as of this rescore.
    """
    eligible = Visitor.objects.eligible().filter(company__isnull=False, score__isnull=False)
    summary = {
        row["company_id"]: row
        for row in eligible.values("company_id").annotate(
            n=Count("id"), best=Max("score__probability"), last_visit=Max("last_seen")
        )
    }
    views = {
        row["visitor__company_id"]: row
        for row in PageView.objects.filter(
            visitor__in=eligible, page__category__in=(Category.PRICING, Category.PREMIUM)
        )
        .order_by()
        .values("visitor__company_id")
        .annotate(
            pricing=Count("id", filter=Q(page__category=Category.PRICING)),
            premium=Count("id", filter=Q(page__category=Category.PREMIUM)),
        )
    }
    no_views = {"pricing": 0, "premium": 0}
    top = {}
    for company_id, visitor_id, p, reasons in eligible.order_by(
        "company_id", "-score__probability", "id"
    ).values_list("company_id", "id", "score__probability", "score__reasons"):
        if company_id not in top:
            top[company_id] = (visitor_id, p, reasons)
    CompanyScore.objects.bulk_create(
        [
            CompanyScore(
                company_id=company_id,
                model_version=version,
                probability=p,
                visitor_count=summary[company_id]["n"],
                top_visitor_id=visitor_id,
                reasons=reasons,
                scored_at=now,
                pricing_views=views.get(company_id, no_views)["pricing"],
                premium_views=views.get(company_id, no_views)["premium"],
                last_visit=summary[company_id]["last_visit"],
            )
            for company_id, (visitor_id, p, reasons) in top.items()
        ],
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["company"],
        update_fields=[
            "model_version",
            "probability",
            "visitor_count",
            "top_visitor",
            "reasons",
            "scored_at",
            "pricing_views",
            "premium_views",
            "last_visit",
        ],
    )
    # Companies left without an eligible visitor drop out of the ranking.
    CompanyScore.objects.filter(scored_at__lt=now).delete()
    return len(top)
