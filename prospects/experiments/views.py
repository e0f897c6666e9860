"""The experiment pages (admins): start and stop a holdout, and read what it measured."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from prospects.errors import ServiceError
from prospects.experiments import selectors, services
from prospects.experiments.forms import LiftForm, StartForm
from prospects.experiments.models import Experiment
from prospects.roles import ADMIN, role_required


def _report_context(request, experiment) -> tuple[dict, int]:
    """The report of one experiment at the lift the request names (refused: the default)."""
    lift_form = LiftForm(request.GET or None)
    lift = selectors.DEFAULT_POWER_LIFT
    if lift_form.is_valid() and lift_form.cleaned_data["lift"]:
        lift = lift_form.cleaned_data["lift"] / 100
    context = {
        "report": selectors.experiment_report(experiment, power_lift=lift),
        "held_out": selectors.held_out_companies(experiment),
        "lift_form": lift_form,
    }
    return context, 400 if lift_form.errors else 200


@require_http_methods(["GET", "POST"])
@role_required(ADMIN)
def experiments(request):
    """The running experiment's report (or the form to start one) and the past experiments."""
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            started = services.start_experiment(
                name=form.cleaned_data["name"],
                share_percent=form.cleaned_data["share"],
                user=request.user,
            )
        except ServiceError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, f"Experiment “{started.name}” started.")
            return redirect("experiments")
    running = selectors.running_experiment()
    context = {"form": form, "running": running, "past": selectors.experiment_list()}
    status = 400 if form.errors else 200
    if running is not None:
        report, report_status = _report_context(request, running)
        context.update(report)
        status = max(status, report_status)
    return render(request, "prospects/experiments.html", context, status=status)


@role_required(ADMIN)
def experiment(request, experiment_id):
    """One experiment's report, running or stopped."""
    chosen = get_object_or_404(Experiment, pk=experiment_id)
    context, status = _report_context(request, chosen)
    return render(request, "prospects/experiment.html", context, status=status)


@require_POST
@role_required(ADMIN)
def stop(request, experiment_id):
    """Stop the experiment: its arms are frozen, its control companies rejoin the queue."""
    chosen = get_object_or_404(Experiment, pk=experiment_id)
    try:
        services.stop_experiment(experiment=chosen, user=request.user)
        messages.success(request, f"Experiment “{chosen.name}” stopped; its assignment is frozen.")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("experiment", experiment_id=chosen.pk)
