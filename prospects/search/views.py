"""The search page: the nav box's results, grouped by what was found."""

from django.shortcuts import render

from prospects.roles import REP, RESEARCHER, role_required
from prospects.search.selectors import search


@role_required(RESEARCHER, REP)
def search_page(request):
    """Results for ?q=, grouped; a query that is too short or long says so."""
    results = search(user=request.user, query=request.GET.get("q", ""))
    return render(request, "prospects/search.html", {"results": results})
