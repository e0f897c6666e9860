"""The admins' privacy page: erase a person, see past erasures and who viewed what."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from prospects.roles import ADMIN, role_required

from . import erasure, selectors
from .forms import EraseForm
from .models import Erasure

ERASERS = {
    Erasure.Subject.IP: lambda value, **kw: erasure.erase_ip(ip=value, **kw),
    Erasure.Subject.VISITOR: lambda value, **kw: erasure.erase_visitor(visitor_id=value, **kw),
    Erasure.Subject.CONTACT: lambda value, **kw: erasure.erase_contact(contact_id=value, **kw),
}


def _page(request, form, status=200):
    context = {
        "form": form,
        "erasures": selectors.recent_erasures(),
        "events": selectors.recent_audit_events(),
        "masking": selectors.masking_status(),
    }
    return render(request, "prospects/privacy.html", context, status=status)


@role_required(ADMIN)
def privacy(request):
    """The erasure form, the erasures done and the latest audit events."""
    return _page(request, EraseForm())


@require_POST
@role_required(ADMIN)
def erase(request):
    """Erase the person the form names; say what went, or why nothing could."""
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        done = ERASERS[data["subject"]](data["value"], by=request.user, note=data["note"])
    except erasure.NothingToErase as exc:
        form.add_error("value", str(exc))
        return _page(request, form, status=400)
    summary = ", ".join(f"{count} {table}" for table, count in done.counts.items())
    messages.success(request, f"Erased {done.label}: {summary or 'nothing else was stored'}.")
    return redirect("privacy")
