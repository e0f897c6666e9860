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


def _filtered(filterset_class, request, queryset):
    """The rows the list's filters (the API's, e.g. ``?company=12``) keep, or the errors."""
    filterset = filterset_class(data=request.GET, queryset=queryset, request=request)
    unknown = sorted(set(request.GET) - set(filterset.form.fields))
    if unknown:
        return None, "Unknown filter parameter: " + ", ".join(unknown)
    if not filterset.is_valid():
        return None, "Fix the filters first: " + filterset.errors.as_text()
    return filterset.qs, ""


@role_required(RESEARCHER, REP)
def companies_csv(request):
    """Every company the person may open, by name (the companies API's filters)."""
    companies, error = _filtered(CompanyQueueFilter, request, crm.company_list(request.user))
    if companies is None:
        return HttpResponseBadRequest(error)
    record(request, action=AuditEvent.Action.EXPORT, kind="companies")
    return csvstream.csv_response(
        "companies.csv", tables.COMPANY_HEADER, tables.company_rows(companies)
    )


@role_required(RESEARCHER, REP)
def contacts_csv(request):
    """The contacts at the companies the person may find (the contacts API's filters)."""
    contacts, error = _filtered(ContactFilter, request, crm.visible_contacts(request.user))
    if contacts is None:
        return HttpResponseBadRequest(error)
    record(request, action=AuditEvent.Action.EXPORT, kind="contacts")
    return csvstream.csv_response(
        "contacts.csv", tables.CONTACT_HEADER, tables.contact_rows(contacts)
    )


@role_required(RESEARCHER, REP)
def touchpoints_csv(request):
    """The touchpoints with the companies the person may find, newest first (the
    touchpoints API's filters)."""
    touchpoints, error = _filtered(TouchpointFilter, request, crm.visible_touchpoints(request.user))
    if touchpoints is None:
        return HttpResponseBadRequest(error)
    record(request, action=AuditEvent.Action.EXPORT, kind="touchpoints")
    return csvstream.csv_response(
        "touchpoints.csv", tables.TOUCHPOINT_HEADER, tables.touchpoint_rows(touchpoints)
    )
