"""The identification page (admins): IP classifications with their evidence, and overrides."""

from django.shortcuts import render

from prospects.identify import selectors
from prospects.identify.models import Classification
from prospects.roles import ADMIN, role_required


@role_required(ADMIN)
def identification(request):
    """IP classifications with their evidence, and the hand overrides."""
    chosen = request.GET.get("classification", "")
    if chosen not in Classification.values:
        chosen = ""
    context = {
        "classifications": Classification.choices,
        "chosen": chosen,
        "counts": selectors.identification_counts(),
        "ips": selectors.ip_classifications(classification=chosen),
        "overrides": selectors.overrides(),
    }
    return render(request, "prospects/identification.html", context)
