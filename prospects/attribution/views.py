"""The attribution page (researchers and admins) and an admin's request to recompute it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from leadgen.enqueue import enqueue
from prospects import tasks
from prospects.attribution import selectors
from prospects.attribution.credit import MODELS
from prospects.roles import ADMIN, RESEARCHER, has_role, role_required


@require_GET
@role_required(RESEARCHER)
def attribution(request):
    """Credit per category, page and source under every model, and the outreach check."""
    levels = dict(selectors.level_choices())
    level = request.GET.get("level", "visitor")
    if level not in levels:
        level = "visitor"
    report = selectors.latest_report()
    context = {
        "report": report,
        "level": level,
        "levels": selectors.level_choices(),
        "models": MODELS,
        "may_recompute": has_role(request.user, ADMIN),
    }
    if report is not None:
        context["totals"], context["tables"] = selectors.level_tables(report, level)
        context["check"] = selectors.outreach_comparison(report)
    return render(request, "prospects/attribution.html", context)


@require_POST
@role_required(ADMIN)
def recompute(request):
    """Queue a fresh computation of every model (it takes a while on a large site)."""
    if enqueue(tasks.compute_attribution):
        messages.success(request, "Attribution is being recomputed; reload in a minute.")
    else:
        messages.error(request, "The task queue is unreachable; the nightly run will recompute.")
    return redirect("attribution")
