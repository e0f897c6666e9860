"""Reads for scoring: the active model, what needs rescoring, version history."""

from django.db.models import F, Q

from prospects.models import Visitor

from .models import ModelVersion, TrainingRun
from .training import POINTS_RULE


def active_version() -> ModelVersion | None:
    """The model version that scores visitors now, if any."""
    return ModelVersion.objects.filter(is_active=True).first()


def visitors_to_score(version: ModelVersion, *, changed_only: bool):
    """Visitors to (re)score: everyone, or those unscored, scored by another version or seen since."""
    if not changed_only:
        return None
    return Visitor.objects.filter(
        Q(score__isnull=True)
        | ~Q(score__model_version=version)
        | Q(last_seen__gt=F("score__scored_at"))
    )


def data_changed_since(version: ModelVersion) -> bool:
    """Whether any visitor was seen or converted after this version was trained."""
    return Visitor.objects.filter(
        Q(last_seen__gt=version.trained_at) | Q(converted_at__gt=version.trained_at)
    ).exists()


def version_history():
    """Every model version, newest first, without the bulky curve data."""
    return ModelVersion.objects.defer("curves", "feature_importances", "feature_names")


def recent_training_runs(limit: int = 10):
    """The latest training attempts, including the ones that refused to train."""
    return TrainingRun.objects.select_related("model_version")[:limit]


def backtest_rows(version: ModelVersion) -> list[dict]:
    """Every candidate's backtest figures side by side, the winner first, for the model page."""
    candidates = (version.backtest or {}).get("candidates", {})
    winner = (version.backtest or {}).get("winner")
    rows = [
        {"name": name, "winner": name == winner, "inner": c["inner"], **c["backtest"]}
        for name, c in candidates.items()
    ]
    return sorted(rows, key=lambda row: not row["winner"])


def winner_margin(version: ModelVersion) -> dict | None:
    """How much the winner's backtest beats the points rule's (None without a points rule)."""
    rows = {row["name"]: row for row in backtest_rows(version)}
    winner = (version.backtest or {}).get("winner")
    if POINTS_RULE not in rows or winner is None or winner == POINTS_RULE:
        return None
    margin = {}
    for key in ("pr_auc", "roc_auc", "precision_top_5pct"):
        ours, theirs = rows[winner].get(key), rows[POINTS_RULE].get(key)
        margin[key] = None if ours is None or theirs is None else round(ours - theirs, 4)
    return margin
