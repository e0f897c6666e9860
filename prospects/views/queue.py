"""The research queue: ranked companies, filters, sorting, pagination, HTMX table updates."""

from django.shortcuts import render

from prospects import selectors
from prospects.filters import CompanyQueueFilter
from prospects.roles import REP, RESEARCHER, role_required

PAGE_SIZE = 50


@role_required(RESEARCHER, REP)
def queue(request):
    """Companies above the threshold; an HTMX request for the table gets only the table."""
    threshold = selectors.current_threshold()
    rows = selectors.research_queue(user=request.user, threshold=threshold)
    filterset = CompanyQueueFilter(request.GET or None, queryset=rows, request=request)
    page = selectors.paginate_queue(
        filterset.qs, user=request.user, page_number=request.GET.get("page"), per_page=PAGE_SIZE
    )
    context = {"filterset": filterset, "page": page, "threshold": threshold}
    if request.htmx and request.htmx.target == "queue-table":
        return render(request, "prospects/_partials/queue_table.html", context)
    return render(request, "prospects/queue.html", context)
