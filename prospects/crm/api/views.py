"""Company endpoints: thin callers of the CRM selectors (reads) and services (writes).

Each write needs the role its service needs (``action_roles``) and the service has the last
word: its refusal (ServiceError) answers 400 with its message, a role refusal 403.
"""

from django.contrib.auth import get_user_model
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from prospects.api.base import ServiceAPIMixin
from prospects.api.filters import CSVRenderer, wants_csv
from prospects.crm import outreach, selectors, services
from prospects.exports import csvstream, tables
from prospects.models import Company, Task
from prospects.privacy import audit
from prospects.privacy.audit import AuditedReads
from prospects.privacy.models import AuditEvent
from prospects.queue.filtersets import CompanyQueueFilter
from prospects.roles import ADMIN, ALL_ROLES, REP, RESEARCHER

from . import serializers as s


class CompanyViewSet(
    AuditedReads,
    ServiceAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """All companies (dead ends included), a company's full record, and the work done on it.

    Listing and reading are audited (prospects.privacy.audit).
    """

    audit_kind = "company"
    serializer_class = s.CompanySerializer
    filterset_class = CompanyQueueFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]
    action_roles = {
        "partial_update": (RESEARCHER,),
        "claim": (RESEARCHER,),
        "take": (REP,),
        # The rep (or an admin); release_outreach decides.
        "release_outreach": (REP,),
        "reassign_rep": (ADMIN,),
        "undo": (RESEARCHER, REP),
        "tasks": (RESEARCHER, REP),
        # The holder (whatever their role) or an admin; release_claim decides.
        "release": ALL_ROLES,
        "reassign": (ADMIN,),
        "change_status": (RESEARCHER, REP),
        "notes": (RESEARCHER, REP),
        "contacts": (RESEARCHER,),
        "touchpoints": (REP,),
    }

    # What each action reads or takes; the browsable API builds its forms from these.
    action_serializers = {
        "retrieve": s.CompanyDetailSerializer,
        "partial_update": s.CompanyUpdateInput,
        "reassign": s.ReassignInput,
        "change_status": s.StatusInput,
        "notes": s.NoteInput,
        "contacts": s.ContactInput,
        "touchpoints": s.TouchpointInput,
    }

    def get_serializer_class(self):
        return self.action_serializers.get(self.action, s.CompanySerializer)

    def get_serializer(self, *args, **kwargs):
        # The browsable API builds its edit form from the record it showed (a CompanyDetail):
        # the form edits that record's company.
        if isinstance(kwargs.get("instance"), selectors.CompanyDetail):
            kwargs["instance"] = kwargs["instance"].company
        return super().get_serializer(*args, **kwargs)

    def get_queryset(self):
        return selectors.company_list(self.request.user)

    def list(self, request, *args, **kwargs):
        if not wants_csv(request):
            return super().list(request, *args, **kwargs)
        # Every matching company the person may open, streamed (the page's companies CSV).
        companies = self.filter_queryset(self.get_queryset())
        audit.record(request, action=AuditEvent.Action.EXPORT, kind="companies")
        return csvstream.csv_response(
            "companies.csv", tables.COMPANY_HEADER, tables.company_rows(companies)
        )

    def company(self) -> Company:
        """The company named in the URL, without list filters or annotations."""
        try:
            return Company.objects.visible_to(self.request.user).get(pk=int(self.kwargs["pk"]))
        except (Company.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def user_named(self, username):
        """The user with this username (None for none), or a 400 answer."""
        if not username:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist as exc:
            raise exceptions.ValidationError({"to_user": "No such user."}) from exc

    def contact_of(self, company, contact_id):
        """The company's contact with this id (None for none), or a 400 answer."""
        if contact_id is None:
            return None
        contact = company.contacts.filter(pk=contact_id).first()
        if contact is None:
            raise exceptions.ValidationError({"contact": "No such contact at this company."})
        return contact

    def refreshed(self, company) -> Response:
        """The company as the list shows it, read after a change."""
        row = self.get_queryset().get(pk=company.pk)
        return Response(s.CompanySerializer(row, context=self.get_serializer_context()).data)

    @extend_schema(responses=s.CompanyDetailSerializer)
    def retrieve(self, request, pk=None):
        try:
            detail = selectors.company_detail(company_id=int(pk), user=request.user)
        except (Company.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
        # This retrieve replaces AuditedReads', so it logs the view itself.
        audit.record(request, action=AuditEvent.Action.VIEW, kind="company", object_id=int(pk))
        return Response(s.CompanyDetailSerializer(detail).data)

    @extend_schema(request=s.CompanyUpdateInput, responses=s.CompanySerializer)
    def partial_update(self, request, pk=None):
        company = self.company()
        services.update_company(
            company=company, user=request.user, **self.parse(s.CompanyUpdateInput)
        )
        return self.refreshed(company)

    @extend_schema(request=None, responses=s.CompanySerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        company = services.claim_company(company=self.company(), user=request.user)
        return self.refreshed(company)

    @extend_schema(request=None, responses=s.CompanySerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        company = services.release_claim(company=self.company(), user=request.user)
        return self.refreshed(company)

    @extend_schema(request=s.ReassignInput, responses=s.CompanySerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        to_user = self.user_named(self.parse(s.ReassignInput)["to_user"])
        company = services.reassign_company(
            company=self.company(), to_user=to_user, by=request.user
        )
        return self.refreshed(company)

    @extend_schema(request=None, responses=s.CompanySerializer)
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        company = outreach.take_for_outreach(company=self.company(), user=request.user)
        return self.refreshed(company)

    @extend_schema(request=None, responses=s.CompanySerializer)
    @action(detail=True, methods=["post"], url_path="release-outreach")
    def release_outreach(self, request, pk=None):
        company = outreach.release_outreach(company=self.company(), user=request.user)
        return self.refreshed(company)

    @extend_schema(request=s.ReassignInput, responses=s.CompanySerializer)
    @action(detail=True, methods=["post"], url_path="reassign-rep")
    def reassign_rep(self, request, pk=None):
        to_user = self.user_named(self.parse(s.ReassignInput)["to_user"])
        company = outreach.reassign_outreach(
            company=self.company(), to_user=to_user, by=request.user
        )
        return self.refreshed(company)

    @extend_schema(request=s.UndoInput, responses={201: s.StatusChangeSerializer})
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        change = services.undo_status_change(
            company=self.company(), user=request.user, **self.parse(s.UndoInput)
        )
        return Response(s.StatusChangeSerializer(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TaskInput, responses={201: s.TaskSerializer})
    @action(detail=True, methods=["post"])
    def tasks(self, request, pk=None):
        company = self.company()
        data = self.parse(s.TaskInput)
        data["contact"] = self.contact_of(company, data.pop("contact"))
        task = outreach.add_task(company=company, user=request.user, **data)
        return Response(s.TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.StatusInput, responses={201: s.StatusChangeSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        change = services.change_status(
            company=self.company(), user=request.user, **self.parse(s.StatusInput)
        )
        return Response(s.StatusChangeSerializer(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.NoteInput, responses={201: s.NoteSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        note = services.add_note(
            company=self.company(), author=request.user, **self.parse(s.NoteInput)
        )
        return Response(s.NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ContactInput, responses={201: s.ContactSerializer})
    @action(detail=True, methods=["post"])
    def contacts(self, request, pk=None):
        contact = services.add_contact(
            company=self.company(), user=request.user, **self.parse(s.ContactInput)
        )
        return Response(s.ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TouchpointInput, responses={201: s.TouchpointSerializer})
    @action(detail=True, methods=["post"])
    def touchpoints(self, request, pk=None):
        company = self.company()
        data = self.parse(s.TouchpointInput)
        contact = self.contact_of(company, data.pop("contact"))
        touchpoint = outreach.log_touchpoint(
            company=company, user=request.user, contact=contact, **data
        )
        return Response(s.TouchpointSerializer(touchpoint).data, status=status.HTTP_201_CREATED)


class TaskViewSet(ServiceAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in person's open tasks, soonest first, and marking one done."""

    serializer_class = s.TaskSerializer
    queryset = Task.objects.none()
    filterset_class = None
    action_roles = {"list": (RESEARCHER, REP), "done": (RESEARCHER, REP)}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return self.queryset
        return Task.objects.filter(owner=self.request.user, done_at__isnull=True).order_by(
            "due_on", "pk"
        )

    @extend_schema(request=None, responses=s.TaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        try:
            task = Task.objects.get(pk=int(pk))
        except (Task.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
        task = outreach.complete_task(task=task, user=request.user)
        return Response(s.TaskSerializer(task).data)
