"""The model page (charts, candidates, history) and rollback, for admins only."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from leadgen.enqueue import enqueue
from prospects.roles import ADMIN, role_required

from . import charts, runs, selectors, services, tasks
from .models import ModelVersion
from .registry import ModelFileError


@role_required(ADMIN)
def model_page(request, pk: int | None = None):
    """The active (or a chosen) version's figures as SVG charts, and the version history."""
    # A run whose process was killed is shown as failed, with why, not as running forever.
    runs.close_abandoned()
    version = (
        get_object_or_404(ModelVersion, pk=pk) if pk is not None else selectors.active_version()
    )
    context = {
        "version": version,
        "history": selectors.version_history(),
        "runs": selectors.recent_training_runs(),
    }
    if version is not None:
        context["charts"] = charts.model_charts(version)
        context["backtest"] = version.backtest or {}
        context["backtest_rows"] = selectors.backtest_rows(version)
        context["margin"] = selectors.winner_margin(version)
    return render(request, "scoring/model.html", context)


@require_POST
@role_required(ADMIN)
def train(request):
    """Queue a training run on all data now; the worker stores and activates the new version."""
    if enqueue(tasks.retrain, requested_by=request.user.get_username(), force=True):
        messages.success(
            request,
            "Training has been queued. The new version appears in the history when it is done; "
            "a run that could not train says why under Recent training runs.",
        )
    else:
        messages.error(
            request,
            "The worker is unreachable (the task queue does not answer): nothing was trained. "
            "Try again when the worker is back, or run manage.py train_model on the server.",
        )
    return redirect("scoring:model")


@require_POST
@role_required(ADMIN)
def activate(request, pk: int):
    """Make an earlier (or later) version the active one, then rescore with it."""
    version = get_object_or_404(ModelVersion, pk=pk)
    try:
        services.activate_version(version)
    except ModelFileError as exc:
        messages.error(request, f"Cannot activate v{version.pk}: {exc}")
        return redirect("scoring:model")
    if enqueue(tasks.rescore, changed_only=True):
        messages.success(request, f"Model v{version.pk} is now active; scores are being updated.")
    else:
        messages.warning(
            request,
            f"Model v{version.pk} is now active, but the task queue is unreachable: scores "
            "will be updated by the next scheduled rescore.",
        )
    return redirect("scoring:model")
