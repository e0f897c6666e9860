"""Writes for scoring: train a model version, rescore visitors and companies, switch versions."""

import time
from dataclasses import asdict, dataclass

import numpy as np
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from prospects.models import PageView, ThresholdChange, Visitor
from prospects.queue.selectors import CAPACITY_STEPS
from prospects.visits.choices import Category

from . import explain, runs, selectors
from .backtest import check_positives, company_outcomes, run_backtest
from .calibration import fit_calibrated, out_of_fold_calibrated
from .evaluation import feature_importances, model_report, out_of_fold_summary
from .features import FEATURE_NAMES
from .meaning import horizon_days
from .models import CompanyScore, ModelVersion, TrainingRun, VisitorScore
from .reasons import for_company
from .registry import load_artifact, save_artifact
from .snapshots import hit_range, scoring_features, training_snapshots
from .training import (
    POINTS_RULE,
    NotEnoughData,
    one_core,
    points_candidate,
    sample_visitors,
    visitor_candidates,
)

WRITE_BATCH = 2000


class NoActiveModel(RuntimeError):
    """Rescoring was asked for before any model was trained."""


class PointsRuleInstead(NotEnoughData):
    """Too little data for a learned model: the points rule was made the active version."""

    def __init__(self, message: str, version: ModelVersion):
        super().__init__(message)
        self.version = version


@dataclass
class RescoreResult:
    """What one rescore did."""

    version: int
    visitors: int
    companies: int
    seconds: float
    # The scoring cutoff: just after the newest page view.
    as_of: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def train_model(*, trained_by: str, folds: int = 3, candidates=None) -> ModelVersion:
    """Backtest the candidates on weekly snapshots, refit the winner on all of them, activate it.

    With too few conversions or no closed window, the points rule becomes the active version
    and PointsRuleInstead (a NotEnoughData) says why; the TrainingRun row records every attempt.
    """
    runs.close_abandoned()
    run = TrainingRun.objects.create(requested_by=trained_by, heartbeat_at=timezone.now())
    try:
        version = _train(
            trained_by=trained_by,
            folds=folds,
            candidates=candidates,
            beat=lambda: runs.heartbeat(run),
        )
    except NotEnoughData as exc:
        version = _points_rule_version(trained_by=trained_by, reason=str(exc))
        message = f"{exc} The points rule scores instead (v{version.pk})."
        runs.finish(run, ok=False, message=message, version=version)
        raise PointsRuleInstead(message, version) from exc
    except Exception as exc:
        runs.finish(run, ok=False, message=str(exc), version=None)
        raise
    runs.finish(
        run,
        ok=True,
        message=(
            f"Trained {version.algorithm} on {version.training_size} visitor snapshots "
            f"({version.training_positives} conversions within {version.horizon_days} days)."
        ),
        version=version,
    )
    return version


def _train(*, trained_by: str, folds: int, candidates, beat) -> ModelVersion:
    horizon = horizon_days()
    threshold = float(ThresholdChange.objects.current())
    candidates = candidates if candidates is not None else visitor_candidates()
    snapshots = training_snapshots(horizon)
    beat()
    backtest = run_backtest(snapshots, candidates, threshold=threshold, folds=folds)
    beat()
    winner = candidates[backtest.winner]
    # The scoring model learns from every closed snapshot, the backtest's own cutoff included
    # (on a large site, from a uniform sample of its visitors).
    rows = sample_visitors(snapshots.visitor_ids)
    X, y, groups = snapshots.X[rows], snapshots.y[rows], snapshots.visitor_ids[rows]
    check_positives(y, "visitor snapshots")
    fitted = fit_calibrated(
        winner, X, y, groups, snapshots.cutoff_index[rows], cutoffs=snapshots.cutoffs, folds=folds
    )
    model = fitted.model
    beat()
    reported = backtest.candidates[winner.name]
    report_rows = snapshots.rows_at(snapshots.cutoffs[0])
    report = model_report(snapshots.y[report_rows], reported.probabilities, threshold)
    report["curves"]["calibration_method"] = "sigmoid"
    # The reported curves are the backtest's: its own calibrator's rows, never T_b's.
    report["curves"]["calibrated_on"] = reported.calibrated_on
    report["curves"]["scoring_calibrated_on"] = fitted.calibrated_on.as_dict()
    report["curves"]["out_of_fold"] = out_of_fold_summary(
        y, out_of_fold_calibrated(fitted.oof, y, fitted.folds, "sigmoid")
    )
    _, newest = hit_range()
    artifact = {
        "model": model,
        "feature_names": list(snapshots.names),
        "horizon_days": horizon,
    }
    file_name = save_artifact(artifact, prefix="visitor-model")
    with transaction.atomic():
        # Two trainings finishing together must not both end up active.
        list(ModelVersion.objects.select_for_update().filter(is_active=True))
        ModelVersion.objects.filter(is_active=True).update(is_active=False)
        return ModelVersion.objects.create(
            algorithm=winner.name,
            trained_by=trained_by,
            is_active=True,
            file_name=file_name,
            feature_names=list(snapshots.names),
            training_size=len(y),
            training_positives=int(y.sum()),
            roc_auc=reported.backtest["roc_auc"],
            pr_auc=reported.backtest["pr_auc"],
            brier=reported.backtest["brier"],
            candidates={name: c.inner for name, c in backtest.candidates.items()},
            confusion=report["confusion"],
            curves=report["curves"],
            feature_importances=feature_importances(model, X, y, snapshots.names),
            horizon_days=horizon,
            data_until=newest,
            backtest={
                **backtest.as_dict(),
                "final_params": fitted.params,
                "cutoffs": [c.isoformat() for c in snapshots.cutoffs],
                "rows": len(y),
                "positives": int(y.sum()),
                "by_threshold": company_outcomes(
                    snapshots.visitor_ids[report_rows],
                    reported.probabilities,
                    snapshots.y[report_rows],
                    CAPACITY_STEPS,
                ),
            },
        )


def _points_rule_version(*, trained_by: str, reason: str) -> ModelVersion:
    """The admins' points rule as the active version, its curve fitted on what data there is."""
    horizon = horizon_days()
    snapshots = training_snapshots(horizon)
    if len(snapshots):
        X, y = snapshots.X, snapshots.y
    else:
        # No closed window at all: the rule still ranks today's visitors; with no outcome to
        # learn from, its chances sit at the floor, which the page and the run message say.
        current = scoring_features()
        X = current.X if current is not None else np.zeros((0, len(FEATURE_NAMES)))
        y = np.zeros(len(X), dtype=int)
    model = points_candidate().build().fit(X, y)
    _, newest = hit_range()
    file_name = save_artifact(
        {
            "model": model,
            "feature_names": list(FEATURE_NAMES),
            "horizon_days": horizon,
        },
        prefix="points-rule",
    )
    with transaction.atomic():
        list(ModelVersion.objects.select_for_update().filter(is_active=True))
        ModelVersion.objects.filter(is_active=True).update(is_active=False)
        return ModelVersion.objects.create(
            algorithm=POINTS_RULE,
            trained_by=trained_by,
            is_active=True,
            file_name=file_name,
            feature_names=list(FEATURE_NAMES),
            training_size=len(y),
            training_positives=int(y.sum()),
            horizon_days=horizon,
            data_until=newest,
            backtest={"winner": POINTS_RULE, "fallback": reason},
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


# The likeliest visitors always explained, whatever their chance: more than a team reads.
EXPLAIN_TOP = 1000


def explain_floor(version: ModelVersion) -> float:
    """The average chance: the conversion rate of the rows the calibrator was fitted on, which
    is what the calibrated probabilities average to (the training rows' rate for older versions)."""
    rows = (version.curves or {}).get("scoring_calibrated_on") or {}
    if rows.get("rows"):
        return rows["positives"] / rows["rows"]
    return version.training_positives / max(version.training_size, 1)


def score_table(version: ModelVersion, table) -> tuple[np.ndarray, list[list]]:
    """Probabilities and reasons for a feature table (as of the scoring cutoff), with this version.

    No visitor's current row was trained on: training rows are past snapshots whose outcome
    is known, today's rows have none yet.
    """
    artifact = load_artifact(version.file_name)
    if list(artifact["feature_names"]) != list(table.names):
        raise ValueError(f"Model v{version.pk} was trained on other features; train a new one.")
    model = artifact["model"]
    if not len(table):
        return np.zeros(0), []
    with one_core():
        probability = explain.probabilities(model, table.X)
        # From the very model and row that gave the score (explain.reasons). Visitors below
        # average are not researched, and leaving them unexplained keeps rescoring fast; the
        # top of the queue is explained even in a quiet spell when nobody is above average.
        top = np.zeros(len(probability), dtype=bool)
        top[np.argsort(-probability, kind="stable")[:EXPLAIN_TOP]] = True
        why = explain.reasons_where(
            model, table.X, table.names, (probability >= explain_floor(version)) | top
        )
    return probability, why


def rescore(*, changed_only: bool = False) -> RescoreResult:
    """Score visitors as of the newest page view (all, or only the changed ones), then companies."""
    started = time.perf_counter()
    version = selectors.active_version()
    if version is None:
        raise NoActiveModel("No active model yet: train one first (manage.py train_model).")
    table = scoring_features(selectors.visitors_to_score(version, changed_only=changed_only))
    if table is None:
        table_ids, probability, explained, as_of = np.zeros(0, np.int64), np.zeros(0), [], None
    else:
        probability, explained = score_table(version, table)
        table_ids, as_of = table.visitor_ids, table.as_of
    now = timezone.now()
    scores = [
        VisitorScore(
            visitor_id=int(visitor_id),
            model_version=version,
            probability=float(p),
            reasons=why,
            scored_at=now,
        )
        for visitor_id, p, why in zip(table_ids, probability, explained, strict=True)
    ]
    with transaction.atomic():
        VisitorScore.objects.bulk_create(
            scores,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["visitor"],
            update_fields=["model_version", "probability", "reasons", "scored_at"],
        )
        # A converted visitor has no chance left to estimate: their old score goes.
        VisitorScore.objects.filter(visitor__converted_at__isnull=False).delete()
        companies = rescore_companies(version, now)
    return RescoreResult(
        version=version.pk,
        visitors=len(scores),
        companies=companies,
        seconds=round(time.perf_counter() - started, 3),
        as_of=as_of.isoformat() if as_of else None,
    )


def rescore_companies(version: ModelVersion, now) -> int:
    """Each company's chance that at least one eligible visitor converts: 1 - prod(1 - p_i).

    Visitors' chances are treated as independent; the count says how many were combined, and
    the top visitor (whose reasons the company shows, saying so) is the likeliest one. The engagement
    summary (eligible visitor count, their pricing and premium page views, their latest visit)
    is what the research queue shows and sorts ties by; it is computed here in set-based
    queries and is as of this rescore.
    """
    eligible = Visitor.objects.eligible().filter(company__isnull=False, score__isnull=False)
    summary = {
        row["company_id"]: row
        for row in eligible.values("company_id").annotate(
            n=Count("id"), last_visit=Max("last_seen")
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
    top, none_converts = {}, {}
    for company_id, visitor_id, p, reasons in eligible.order_by(
        "company_id", "-score__probability", "id"
    ).values_list("company_id", "id", "score__probability", "score__reasons"):
        if company_id not in top:
            top[company_id] = (visitor_id, reasons)
        none_converts[company_id] = none_converts.get(company_id, 1.0) * (1.0 - p)
    CompanyScore.objects.bulk_create(
        [
            CompanyScore(
                company_id=company_id,
                model_version=version,
                probability=1.0 - none_converts[company_id],
                visitor_count=summary[company_id]["n"],
                top_visitor_id=visitor_id,
                reasons=for_company(reasons, summary[company_id]["n"]),
                scored_at=now,
                pricing_views=views.get(company_id, no_views)["pricing"],
                premium_views=views.get(company_id, no_views)["premium"],
                last_visit=summary[company_id]["last_visit"],
            )
            for company_id, (visitor_id, reasons) in top.items()
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
