"""The research queue (ranked companies, filters, HTMX table) and the capacity page."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from prospects.errors import ServiceError
from prospects.models import ThresholdChange
from prospects.queue import display, saved, selectors, services
from prospects.queue.bulk import BULK_MAX
from prospects.queue.forms import BulkForm, SaveViewForm, ThresholdForm
from prospects.roles import ADMIN, REP, RESEARCHER, has_role, role_required

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
        "query": query,
        "bulk_form": BulkForm(initial={"query": query}),
        "bulk_max": BULK_MAX,
        "save_form": SaveViewForm(initial={"query": query}),
        "saved_views": views,
        "reps_and_researchers": [] if table_only else _assignable(request.user),
    }
    if table_only:
        return render(request, "prospects/_partials/queue_table.html", context)
    # A refused filter value is shown next to its field, and the answer says it was refused.
    return render(request, "prospects/queue.html", context, status=400 if invalid else 200)


def _assignable(user) -> list:
    """The researchers an admin may assign companies to (nobody for other roles)."""
    if not has_role(user, ADMIN):
        return []
    return list(
        get_user_model()
        .objects.filter(groups__name=RESEARCHER, is_active=True)
        .order_by("username")
        .distinct()
    )


# Geometry of the capacity chart (SVG user units).
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 240, 32


def capacity_chart(steps: list[dict], threshold, load: int) -> dict:
    """Bar positions for queue length at each threshold, and the team-load line."""
    top = max([row["companies"] for row in steps] + [load, 1])
    slot = (CHART_WIDTH - 2 * CHART_PAD) / len(steps)
    plot = CHART_HEIGHT - 2 * CHART_PAD
    bars = []
    for i, row in enumerate(steps):
        height = plot * row["companies"] / top
        bars.append(
            {
                **row,
                "x": round(CHART_PAD + i * slot + slot * 0.15, 1),
                "y": round(CHART_HEIGHT - CHART_PAD - height, 1),
                "width": round(slot * 0.7, 1),
                "height": round(height, 1),
                "value_y": round(CHART_HEIGHT - CHART_PAD - height - 4, 1),
                "label_x": round(CHART_PAD + i * slot + slot / 2, 1),
                "current": row["threshold"] == threshold,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bars": bars,
        "baseline": CHART_HEIGHT - CHART_PAD,
        "axis_label_y": CHART_HEIGHT - CHART_PAD + 16,
        "load_y": round(CHART_HEIGHT - CHART_PAD - plot * load / top, 1),
        "load_label_y": round(CHART_HEIGHT - CHART_PAD - plot * load / top - 4, 1),
        "left": CHART_PAD,
        "right": CHART_WIDTH - CHART_PAD,
    }


@require_http_methods(["GET", "POST"])
@role_required(ADMIN)
def capacity(request):
    """The threshold form, the queue length at each threshold and the team's load."""
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
    context = {
        "form": form,
        "threshold": threshold,
        "queue_now": selectors.research_queue(threshold=threshold).count(),
        "steps": steps,
        "load": load,
        "chart": capacity_chart(steps, threshold, load["claimed"]),
        "history": selectors.threshold_history(),
    }
    return render(request, "prospects/capacity.html", context, status=400 if form.errors else 200)
