"""The identification page (admins): IP classifications with their evidence, and overrides."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from prospects.identify import selectors, services
from prospects.identify.forms import IPSearchForm, OverrideForm
from prospects.identify.models import Classification
from prospects.models import IdentificationOverride
from prospects.roles import ADMIN, role_required

IPS_PER_PAGE = 50
OVERRIDES_PER_PAGE = 25


@role_required(ADMIN)
def identification(request):
    """IP classifications (paged, searchable) with their evidence, and the hand overrides."""
    return _page(request, OverrideForm())


def _page(request, form: OverrideForm, status: int = 200):
    search = IPSearchForm(request.GET)
    chosen, query = "", ""
    if search.is_valid():
        chosen, query = search.cleaned_data["classification"], search.cleaned_data["q"]
    ips = Paginator(
        selectors.ip_classifications(classification=chosen, search=query), IPS_PER_PAGE
    ).get_page(request.GET.get("page"))
    overrides = Paginator(selectors.overrides(), OVERRIDES_PER_PAGE).get_page(
        request.GET.get("opage")
    )
    overrides.object_list = list(overrides.object_list)
    reach = selectors.override_reach(overrides.object_list)
    for override in overrides.object_list:
        override.reach = reach[override.pk]
    context = {
        "classifications": Classification.choices,
        "chosen": chosen,
        "query": query,
        "search": search,
        "counts": selectors.identification_counts(),
        "ips": ips,
        "overrides": overrides,
        "form": form,
    }
    return render(request, "prospects/identification.html", context, status=status)


def _effect(reach: selectors.Reach) -> str:
    ips = f"{reach.ips} IP{'' if reach.ips == 1 else 's'}"
    return f"{ips} and {reach.visitors} visitor{'' if reach.visitors == 1 else 's'}"


@require_POST
@role_required(ADMIN)
def add_override(request):
    """Create (or replace) an override and say how many IPs and visitors it now covers."""
    form = OverrideForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    override = services.create_override(
        kind=data["kind"],
        value=data["value"],
        classification=data["classification"],
        company=data["company_domain"],
        note=data["note"],
        created_by=request.user,
    )
    reach = selectors.override_reach([override])[override.pk]
    subject = override.company.name if override.company else override.get_classification_display()
    messages.success(
        request, f"Override saved: {override.value} is {subject}; it covers {_effect(reach)}."
    )
    return redirect("identification")


@require_POST
@role_required(ADMIN)
def remove_override(request, override_id: int):
    """Delete an override; the IPs it covered are looked up again on the next run."""
    override = get_object_or_404(IdentificationOverride, pk=override_id)
    reach = selectors.override_reach([override])[override.pk]
    services.remove_override(override=override)
    messages.success(
        request,
        f"Override of {override.value} removed: {_effect(reach)} are due for a fresh lookup.",
    )
    return redirect("identification")
