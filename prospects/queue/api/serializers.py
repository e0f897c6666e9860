"""API representations of the research queue and the capacity threshold."""

from rest_framework import serializers

from prospects.api.base import Chance, UserName
from prospects.models import Company, ThresholdChange
from scoring.reasons import reason_texts


class QueueCompanySerializer(serializers.ModelSerializer):
    """One row of the research queue (research_queue() annotations).

    visitor_count, pricing_views, premium_views and last_visit are the company score's
    engagement summary of its eligible visitors, as of the last rescore.
    """

    probability = serializers.FloatField(read_only=True)
    chance = Chance()
    reasons = serializers.SerializerMethodField()
    model_version_id = serializers.IntegerField(read_only=True)
    visitor_count = serializers.IntegerField(read_only=True)
    last_visit = serializers.DateTimeField(read_only=True)
    pricing_views = serializers.IntegerField(read_only=True)
    premium_views = serializers.IntegerField(read_only=True)
    is_mine = serializers.BooleanField(read_only=True)
    is_stale = serializers.BooleanField(read_only=True)
    assignee = UserName(read_only=True)

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "domain",
            "status",
            "relationship",
            "industry",
            "size",
            "probability",
            "chance",
            "reasons",
            "model_version_id",
            "visitor_count",
            "last_visit",
            "pricing_views",
            "premium_views",
            "assignee",
            "claimed_at",
            "is_mine",
            "is_stale",
        ]

    def get_reasons(self, company) -> list[str]:
        return reason_texts(company.reasons)


class ThresholdSerializer(serializers.ModelSerializer):
    changed_by = UserName(read_only=True)

    class Meta:
        model = ThresholdChange
        fields = ["value", "changed_by", "changed_at"]


class ThresholdInput(serializers.Serializer):
    value = serializers.DecimalField(max_digits=3, decimal_places=2, min_value=0, max_value=1)
