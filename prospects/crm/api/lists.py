"""Contact and touchpoint lists: the API's read of the CRM's people and outreach, with CSV.

The same rows as the pages' CSV downloads (prospects.exports.views), through the same
selectors: control companies of a running holdout are hidden from researchers and reps.
"""

from rest_framework import mixins, viewsets
from rest_framework.settings import api_settings

from prospects.api.base import ServiceAPIMixin
from prospects.api.filters import CSVRenderer, wants_csv
from prospects.crm import selectors
from prospects.crm.filtersets import ContactFilter, TouchpointFilter
from prospects.exports import csvstream, tables
from prospects.models import Contact, Touchpoint
from prospects.privacy.audit import AuditedReads, record
from prospects.privacy.models import AuditEvent
from prospects.roles import REP, RESEARCHER

from . import serializers as s


class CSVListMixin:
    """A list that answers ``?format=csv`` with every matching row, streamed and audited."""

    # Set by each list: the download's file name, header and row function (prospects.exports).
    csv_name = ""
    csv_header: list[str] = []
    csv_rows = None

    def list(self, request, *args, **kwargs):
        if not wants_csv(request):
            return super().list(request, *args, **kwargs)
        rows = self.csv_rows(self.filter_queryset(self.get_queryset()))
        record(request, action=AuditEvent.Action.EXPORT, kind=self.audit_kind)
        return csvstream.csv_response(self.csv_name, self.csv_header, rows)


class _VisibleRowsViewSet(
    CSVListMixin,
    AuditedReads,
    ServiceAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Rows of the companies the person may open (`visible`, a selector), as a list, one row or
    CSV, audited; subclasses name the rows."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]
    action_roles = {"list": (RESEARCHER, REP), "retrieve": (RESEARCHER, REP)}
    visible = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return self.queryset
        return self.visible(self.request.user)


class ContactViewSet(_VisibleRowsViewSet):
    """The contacts at the companies the person may open, and one of them; filter by company,
    persona or a search over name, title and email. Audited."""

    audit_kind = "contacts"
    serializer_class = s.ContactRowSerializer
    filterset_class = ContactFilter
    queryset = Contact.objects.none()
    csv_name = "contacts.csv"
    csv_header = tables.CONTACT_HEADER
    csv_rows = staticmethod(tables.contact_rows)
    visible = staticmethod(selectors.visible_contacts)


class TouchpointViewSet(_VisibleRowsViewSet):
    """The touchpoints with the companies the person may open, newest first, and one of them;
    filter by company, contact, channel, outcome, who logged it and day. Audited."""

    audit_kind = "touchpoints"
    serializer_class = s.TouchpointRowSerializer
    filterset_class = TouchpointFilter
    queryset = Touchpoint.objects.none()
    csv_name = "touchpoints.csv"
    csv_header = tables.TOUCHPOINT_HEADER
    csv_rows = staticmethod(tables.touchpoint_rows)
    visible = staticmethod(selectors.visible_touchpoints)
