"""The segments page (the team reads it) and an admin's rename."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from prospects.roles import ADMIN, REP, RESEARCHER, has_role, role_required
from prospects.segments import selectors, services
from prospects.segments.models import Segment


@require_GET
@role_required(RESEARCHER, REP)
def segments(request):
    """Each segment's size, conversion within the horizon, typical content and weekly trend."""
    run, rows, horizon = selectors.segment_rows()
    context = {
        "run": run,
        "rows": rows,
        "horizon": horizon,
        "may_rename": has_role(request.user, ADMIN),
    }
    return render(request, "prospects/segments.html", context)


@require_POST
@role_required(ADMIN)
def rename(request, segment_id):
    """Rename one segment (a blank name restores the automatic one)."""
    segment = get_object_or_404(Segment, pk=segment_id)
    try:
        segment = services.rename_segment(
            segment=segment, name=request.POST.get("name", ""), user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Segment renamed “{segment.name}”.")
    return redirect("segments")
