"""The model page (charts, candidates, history) and rollback, for admins only."""

import time

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from leadgen.celery import app as celery_app
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
        "trains_in_request": trains_in_request(),
    }
    if version is not None:
        context["charts"] = charts.model_charts(version)
        context["backtest"] = version.backtest or {}
        context["backtest_rows"] = selectors.backtest_rows(version)
        context["margin"] = selectors.winner_margin(version)
    return render(request, "scoring/model.html", context)


def trains_in_request() -> bool:
    """Whether "Train now" trains inside the request: no broker is configured (Celery eager,
    the embedded default), so there is no worker to queue it for."""
    return bool(celery_app.conf.task_always_eager)


def _train_here(request):
    """Train in this request (no worker) and say what came of it and how long it took.

    We chose to run it here and report, rather than after the response in a thread of the web
    process: the embedded default is for a demo or a trial, the admin waits on a button they
    pressed, and a thread would die silently with the process (the run's heartbeat would mark
    it failed only later).
    """
    started = time.monotonic()
    result = tasks.retrain.apply(
        kwargs={"requested_by": request.user.get_username(), "force": True}
    )
    seconds = time.monotonic() - started
    outcome = result.get()
    if "version" not in outcome:
        messages.warning(
            request,
            f"Ran in this request in {seconds:.1f} s (no worker is configured): "
            f"{outcome['skipped']}",
        )
        return
    version = ModelVersion.objects.get(pk=outcome["version"])
    messages.success(
        request,
        f"Trained in this request in {seconds:.1f} s (no worker is configured): "
        f"model v{version.pk} ({version.algorithm.replace('_', ' ')}) is the active version and "
        f"{outcome.get('visitors', 0):,} visitors were rescored.",
    )


@require_POST
@role_required(ADMIN)
def train(request):
    """Queue a training run on all data now; the worker stores and activates the new version.

    Without a broker (the embedded default) it trains here and says how it went.
    """
    if trains_in_request():
        _train_here(request)
    elif enqueue(tasks.retrain, requested_by=request.user.get_username(), force=True):
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
