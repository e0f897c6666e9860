"""API representations of companies and the work done on them.

Input serializers only turn request data into typed values; the services decide what is
allowed, so the API and the pages refuse the same things with the same messages.
"""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from prospects.api.base import Chance, UserName
from prospects.crm.limits import NOTE_MAX_CHARS, REASON_MAX_CHARS, SUMMARY_MAX_CHARS
from prospects.filterfields import MAX_ID
from prospects.models import (
    Company,
    Contact,
    IPResolution,
    Note,
    StatusChange,
    Task,
    Touchpoint,
)
from prospects.visits.api.serializers import SessionSerializer
from scoring.meaning import chance_text
from scoring.reasons import reason_texts


class CompanySerializer(serializers.ModelSerializer):
    """A company in a plain list, with its score when it has one."""

    probability = serializers.FloatField(read_only=True, allow_null=True)
    chance = Chance(allow_null=True)
    last_visit = serializers.DateTimeField(read_only=True, allow_null=True)
    assignee = UserName(read_only=True)
    rep = UserName(read_only=True)

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "domain",
            "name_is_derived",
            "status",
            "relationship",
            "industry",
            "size",
            "time_zone",
            "disqualified_reason",
            "snoozed_until",
            "probability",
            "chance",
            "last_visit",
            "assignee",
            "claimed_at",
            "rep",
            "rep_claimed_at",
        ]


class ContactSerializer(serializers.ModelSerializer):
    persona_hint = serializers.CharField(read_only=True)
    created_by = UserName(read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "name",
            "title",
            "persona",
            "persona_hint",
            "email",
            "phone",
            "linkedin_url",
            "created_by",
            "created_at",
        ]


class ContactRowSerializer(ContactSerializer):
    """A contact in the contacts list: the contact and its company (id and domain)."""

    company_domain = serializers.CharField(source="company.domain", read_only=True)

    class Meta(ContactSerializer.Meta):
        fields = ["company", "company_domain", *ContactSerializer.Meta.fields]


class NoteSerializer(serializers.ModelSerializer):
    author = UserName(read_only=True)

    class Meta:
        model = Note
        fields = ["id", "body", "author", "created_at"]


class TouchpointSerializer(serializers.ModelSerializer):
    logged_by = UserName(read_only=True)

    class Meta:
        model = Touchpoint
        fields = [
            "id",
            "channel",
            "contact",
            "happened_on",
            "outcome",
            "summary",
            "logged_by",
            "created_at",
        ]


class TouchpointRowSerializer(TouchpointSerializer):
    """A touchpoint in the touchpoints list: with its company (id and domain) and contact name."""

    company_domain = serializers.CharField(source="company.domain", read_only=True)
    contact_name = serializers.CharField(source="contact.name", read_only=True, default=None)

    class Meta(TouchpointSerializer.Meta):
        fields = ["company", "company_domain", "contact_name", *TouchpointSerializer.Meta.fields]


class StatusChangeSerializer(serializers.ModelSerializer):
    changed_by = UserName(read_only=True)

    class Meta:
        model = StatusChange
        fields = ["id", "from_status", "to_status", "reason", "changed_by", "changed_at", "undoes"]


class TaskSerializer(serializers.ModelSerializer):
    owner = UserName(read_only=True)
    done_by = UserName(read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "company",
            "contact",
            "owner",
            "kind",
            "title",
            "due_on",
            "done_at",
            "done_by",
            "touchpoint",
            "created_at",
        ]


class IPResolutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = IPResolution
        fields = [
            "ip",
            "outcome",
            "ptr_name",
            "forward_confirmed",
            "domain",
            "asn",
            "asn_name",
            "classification",
            "evidence",
            "resolved_at",
        ]


class ScoreSerializer(serializers.Serializer):
    probability = serializers.FloatField()
    chance = serializers.CharField()
    visitor_count = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    model_version = serializers.CharField()
    scored_at = serializers.DateTimeField()


class CompanyDetailSerializer(serializers.Serializer):
    """A company with its evidence, recent visit timeline, score and work history.

    Reads the CompanyDetail that selectors.company_detail() returns.
    """

    company = CompanySerializer()
    score = serializers.SerializerMethodField()
    last_activity = serializers.SerializerMethodField()
    is_stale = serializers.BooleanField(source="company.is_stale")
    ips = IPResolutionSerializer(many=True)
    session_total = serializers.IntegerField()
    sessions = SessionSerializer(many=True)
    contacts = ContactSerializer(many=True)
    notes = NoteSerializer(many=True)
    touchpoints = TouchpointSerializer(many=True)
    status_changes = StatusChangeSerializer(many=True)
    tasks = TaskSerializer(many=True)

    @extend_schema_field(ScoreSerializer(allow_null=True))
    def get_score(self, detail):
        try:
            score = detail.company.score
        except ObjectDoesNotExist:
            return None
        return {
            "probability": score.probability,
            "chance": chance_text(score.probability),
            "visitor_count": score.visitor_count,
            "reasons": reason_texts(score.reasons),
            "model_version": str(score.model_version),
            "scored_at": score.scored_at,
        }

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_last_activity(self, detail):
        company = detail.company
        stamps = [company.last_note_at, company.last_status_at, company.last_touch_at]
        return max((s for s in stamps if s is not None), default=None)


# Inputs ---------------------------------------------------------------------------------------


class NoteInput(serializers.Serializer):
    body = serializers.CharField(trim_whitespace=True, max_length=NOTE_MAX_CHARS)


class ContactInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    persona = serializers.ChoiceField(
        choices=Contact.Persona.choices, required=False, default=Contact.Persona.OTHER
    )
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    linkedin_url = serializers.URLField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class TouchpointInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Touchpoint.Channel.choices)
    happened_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=Touchpoint.Outcome.choices)
    summary = serializers.CharField(
        max_length=SUMMARY_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    contact = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    next_step_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Adds a task on that day."
    )
    next_step_kind = serializers.ChoiceField(
        choices=Task.Kind.choices, required=False, default=Task.Kind.OTHER
    )
    next_step_title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class TaskInput(serializers.Serializer):
    due_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=Task.Kind.choices, required=False, default="other")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    contact = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )


class UndoInput(serializers.Serializer):
    change_id = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The status change to undo (the latest)."
    )


class StatusInput(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Company.Status.choices)
    reason = serializers.CharField(
        max_length=REASON_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    snoozed_until = serializers.DateField(required=False, allow_null=True, default=None)


class CompanyUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    size = serializers.ChoiceField(choices=Company.Size.choices, required=False)
    relationship = serializers.ChoiceField(choices=Company.Relationship.choices, required=False)
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Where the company works (IANA name such as Europe/Paris; blank: unknown, "
        "the vendor's zone stands in). Sets its best contact time.",
    )


class ReassignInput(serializers.Serializer):
    to_user = serializers.CharField(
        max_length=150,
        allow_null=True,
        help_text="Username of the new holder; null leaves it unclaimed.",
    )
