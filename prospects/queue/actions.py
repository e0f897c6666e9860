"""The queue page's writes: bulk actions on selected rows and saved views (thin callers)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from prospects.errors import ServiceError
from prospects.exports import csvstream, tables
from prospects.models import SavedView
from prospects.privacy.audit import record
from prospects.privacy.models import AuditEvent
from prospects.queue import bulk, saved, selectors
from prospects.queue.forms import BulkForm, SaveViewForm
from prospects.roles import REP, RESEARCHER, role_required

# A summary lists this many refused companies by name; the rest are counted.
REFUSALS_SHOWN = 10


def _back(query: str):
    return redirect(f"{reverse('queue')}?{query}" if query else reverse("queue"))


def _errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@require_POST
@role_required(RESEARCHER, REP)
def bulk_action(request):
    """Claim, assign, snooze, disqualify or export the selected rows (or all matching)."""
    form = BulkForm(request.POST)
    query = request.POST.get("query", "")[:2000]
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _back(query)
    data = form.cleaned_data
    filterset = selectors.queue_filter(params=QueryDict(data["query"]), request=request)
    if filterset.errors:
        messages.error(request, "Fix the filters first.")
        return _back(query)
    companies = filterset.qs
    if not data["all_matching"]:
        companies = companies.filter(pk__in=data["ids"])
    if data["action"] == "export":
        record(request, action=AuditEvent.Action.EXPORT, kind="queue")
        return csvstream.csv_response(
            "queue.csv", tables.COMPANY_HEADER, tables.company_rows(companies)
        )
    to_user = None
    username = {bulk.ASSIGN: data["to_user"], bulk.ASSIGN_REP: data["to_rep"]}.get(data["action"])
    if username:
        to_user = get_user_model().objects.filter(username=username).first()
        if to_user is None:
            messages.error(request, "No such person to assign to.")
            return _back(query)
    try:
        result = bulk.bulk_act(
            companies=companies,
            action=data["action"],
            user=request.user,
            to_user=to_user,
            reason=data["reason"],
            snoozed_until=data["snoozed_until"],
        )
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [])) or str(exc))
        return _back(query)
    messages.success(request, result.summary())
    for company, reason in result.refused[:REFUSALS_SHOWN]:
        messages.warning(request, f"{company.name}: {reason}")
    if len(result.refused) > REFUSALS_SHOWN:
        messages.warning(request, f"… and {len(result.refused) - REFUSALS_SHOWN} more refused.")
    return _back(query)


@require_POST
@role_required(RESEARCHER, REP)
def save_view(request):
    """Save the queue's current filters, sort and columns under a name."""
    form = SaveViewForm(request.POST)
    query = request.POST.get("query", "")[:2000]
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _back(query)
    try:
        view = saved.save_view(user=request.user, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(query)
    messages.success(request, f"Saved the view “{view.name}”.")
    return _back(view.query)


def _view(request, view_id) -> SavedView:
    view = saved.views_for(request.user).filter(pk=view_id).first()
    if view is None:
        raise Http404
    return view


@require_POST
@role_required(RESEARCHER, REP)
def delete_view(request, view_id):
    """Delete a saved view (its owner or an admin)."""
    view = _view(request, view_id)
    saved.delete_view(user=request.user, view=view)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect(f"{reverse('queue')}?clear=1")


@require_POST
@role_required(RESEARCHER, REP)
def default_view(request, view_id):
    """Make a view the one the person's queue opens with."""
    view = _view(request, view_id)
    saved.set_default_view(user=request.user, view=view)
    messages.success(request, f"The queue now opens with “{view.name}”.")
    return _back(view.query)
