"""The research queue (ranked companies, filters, HTMX table) and the capacity page."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from prospects.errors import ServiceError
from prospects.forecast.selectors import stage_views
from prospects.models import ThresholdChange
from prospects.queue import display, saved, selectors, services
from prospects.queue.bulk import BULK_MAX
from prospects.queue.forms import BulkForm, SaveViewForm, ThresholdForm
from prospects.roles import ADMIN, REP, RESEARCHER, has_role, role_required
from scoring.charts import capacity_chart
from scoring.meaning import horizon_days
from scoring.selectors import active_version

# Where the session keeps the queue's last filters, for the nav link and the breadcrumb.
QUEUE_QUERY_KEY = "queue_query"


@role_required(RESEARCHER, REP)
def queue(request):
    """Companies above the threshold; an HTMX request for the table gets only the table.

    A bare visit opens the person's default view; the filters in force are kept in the
    session, so the nav and the company page's breadcrumb come back to them.
    """
    table_only = request.htmx and request.htmx.target == "queue-table"
    views = [] if table_only else list(saved.views_for(request.user))
    default = next((view for view in views if view.is_default), None)
    if not request.GET and default is not None and default.query:
        return redirect(f"{reverse('queue')}?{default.query}")
    result = selectors.queue_page(request=request)
    invalid = result.filterset.is_bound and bool(result.filterset.errors)
    query = display.view_query(request.GET)
    if not invalid and request.session.get(QUEUE_QUERY_KEY, "") != query:
        request.session[QUEUE_QUERY_KEY] = query
    context = {
        "filterset": result.filterset,
        "page": result.page,
        "threshold": result.threshold,
        "chips": display.active_filters(result.filterset),
        "columns": display.chosen_columns(request.GET),
        "column_choices": display.COLUMNS,
        "pipeline": stage_views(),
        "query": query,
        "bulk_form": BulkForm(initial={"query": query}),
        "bulk_max": BULK_MAX,
        "save_form": SaveViewForm(initial={"query": query}),
        "saved_views": views,
        "researchers": [] if table_only else _assignable(request.user, RESEARCHER),
        "reps": [] if table_only else _assignable(request.user, REP),
    }
    if table_only:
        return render(request, "prospects/_partials/queue_table.html", context)
    # A refused filter value is shown next to its field, and the answer says it was refused.
    return render(request, "prospects/queue.html", context, status=400 if invalid else 200)


def _assignable(user, role: str) -> list:
    """The people with this role an admin may assign companies to (nobody for other roles)."""
    if not has_role(user, ADMIN):
        return []
    return list(
        get_user_model()
        .objects.filter(groups__name=role, is_active=True)
        .order_by("username")
        .distinct()
    )


@require_http_methods(["GET", "POST"])
@role_required(ADMIN)
def capacity(request):
    """The threshold form; per threshold the queue length, its expected conversions and what
    happened at the backtest cutoff; the team's load."""
    form = ThresholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.set_threshold(value=form.cleaned_data["value"], user=request.user)
        except ServiceError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, f"The threshold is now {change.value}.")
            return redirect("capacity")
    threshold = ThresholdChange.objects.current()
    if not form.is_bound:
        form = ThresholdForm(initial={"value": threshold})
    steps = selectors.queue_length_by_threshold()
    load = selectors.team_load()
    version = active_version()
    backtest = {
        row["threshold"]: row
        for row in (version.backtest if version else {}).get("by_threshold", [])
    }
    for row in steps:
        row["backtest"] = backtest.get(float(row["threshold"]))
    context = {
        "form": form,
        "threshold": threshold,
        "queue_now": selectors.research_queue(threshold=threshold).count(),
        "steps": steps,
        "load": load,
        "chart": capacity_chart(steps, threshold, load["claimed"]),
        "version": version,
        "horizon_days": horizon_days(),
        "history": selectors.threshold_history(),
    }
    return render(request, "prospects/capacity.html", context, status=400 if form.errors else 200)
