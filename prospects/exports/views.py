"""CSV downloads from the pages: the queue as filtered, companies, contacts, touchpoints.

Every export reads through the queue's filters or the companies a person may find
(prospects.search.selectors.searchable_companies), never a rule of its own. Each export is
in the audit log (prospects.privacy.audit).
"""

from django.http import HttpResponseBadRequest

from prospects.exports import csvstream, tables
from prospects.models import Contact, Touchpoint
from prospects.privacy.audit import record
from prospects.privacy.models import AuditEvent
from prospects.queue import selectors
from prospects.roles import REP, RESEARCHER, role_required
from prospects.search.selectors import searchable_companies


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


@role_required(RESEARCHER, REP)
def companies_csv(request):
    """Every company the person may find, by name."""
    companies = searchable_companies(request.user).order_by("name", "pk")
    record(request, action=AuditEvent.Action.EXPORT, kind="companies")
    return csvstream.csv_response(
        "companies.csv", tables.COMPANY_HEADER, tables.company_rows(companies)
    )


@role_required(RESEARCHER, REP)
def contacts_csv(request):
    """The contacts at the companies the person may find."""
    contacts = Contact.objects.filter(
        company__in=searchable_companies(request.user).values("pk")
    ).order_by("company__domain", "name", "pk")
    record(request, action=AuditEvent.Action.EXPORT, kind="contacts")
    return csvstream.csv_response(
        "contacts.csv", tables.CONTACT_HEADER, tables.contact_rows(contacts)
    )


@role_required(RESEARCHER, REP)
def touchpoints_csv(request):
    """The touchpoints with the companies the person may find, newest first."""
    touchpoints = Touchpoint.objects.filter(
        company__in=searchable_companies(request.user).values("pk")
    ).order_by("-happened_on", "-pk")
    record(request, action=AuditEvent.Action.EXPORT, kind="touchpoints")
    return csvstream.csv_response(
        "touchpoints.csv", tables.TOUCHPOINT_HEADER, tables.touchpoint_rows(touchpoints)
    )
