"""CSV downloads from the pages: the queue as filtered, companies, contacts, touchpoints.

Every export reads through the queue's filters or the rows of the companies a person may
open (prospects.crm.selectors), with the API's filters, never a rule of its own. Each export is
in the audit log (prospects.privacy.audit).
"""

from django.http import HttpResponseBadRequest

from prospects.crm import selectors as crm
from prospects.crm.filtersets import ContactFilter, TouchpointFilter
from prospects.exports import csvstream, tables
from prospects.privacy.audit import record
from prospects.privacy.models import AuditEvent
from prospects.queue import selectors
from prospects.queue.filtersets import CompanyQueueFilter
from prospects.roles import REP, RESEARCHER, role_required


@role_required(RESEARCHER, REP)
def queue_csv(request):
    """The queue with the page's filters and sort, every matching row (not one page)."""
    filterset = selectors.queue_filter(params=request.GET, request=request)
    if filterset.errors:
        return HttpResponseBadRequest("Fix the filters first: " + filterset.errors.as_text())
    record(request, action=AuditEvent.Action.EXPORT, kind="queue")
    return csvstream.csv_response(
        "queue.csv", tables.COMPANY_HEADER, tables.company_rows(filterset.qs)
    )


def _filtered_csv(request, *, kind: str, filterset_class, queryset, header, rows):
    """The rows the list's filters (the API's, e.g. ``?company=12``) keep, as the streamed,
    audited download `kind`.csv; an unknown or bad filter answers 400 with what is wrong."""
    filterset = filterset_class(data=request.GET, queryset=queryset, request=request)
    unknown = sorted(set(request.GET) - set(filterset.form.fields))
    if unknown:
        return HttpResponseBadRequest("Unknown filter parameter: " + ", ".join(unknown))
    if not filterset.is_valid():
        return HttpResponseBadRequest("Fix the filters first: " + filterset.errors.as_text())
    record(request, action=AuditEvent.Action.EXPORT, kind=kind)
    return csvstream.csv_response(f"{kind}.csv", header, rows(filterset.qs))


@role_required(RESEARCHER, REP)
def companies_csv(request):
    """Every company the person may open, by name (the companies API's filters)."""
    return _filtered_csv(
        request,
        kind="companies",
        filterset_class=CompanyQueueFilter,
        queryset=crm.company_list(request.user),
        header=tables.COMPANY_HEADER,
        rows=tables.company_rows,
    )


@role_required(RESEARCHER, REP)
def contacts_csv(request):
    """The contacts at the companies the person may open (the contacts API's filters)."""
    return _filtered_csv(
        request,
        kind="contacts",
        filterset_class=ContactFilter,
        queryset=crm.visible_contacts(request.user),
        header=tables.CONTACT_HEADER,
        rows=tables.contact_rows,
    )


@role_required(RESEARCHER, REP)
def touchpoints_csv(request):
    """The touchpoints with the companies the person may open, newest first (the
    touchpoints API's filters)."""
    return _filtered_csv(
        request,
        kind="touchpoints",
        filterset_class=TouchpointFilter,
        queryset=crm.visible_touchpoints(request.user),
        header=tables.TOUCHPOINT_HEADER,
        rows=tables.touchpoint_rows,
    )
