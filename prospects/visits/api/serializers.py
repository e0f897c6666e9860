"""API representations of visitors, their sessions and page views."""

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers

from prospects.models import PageView, Session, Visitor
from scoring.meaning import chance_text


class TimelineViewSerializer(serializers.ModelSerializer):
    path = serializers.CharField(source="page.path")
    category = serializers.CharField(source="page.category")
    funnel_stage = serializers.CharField(source="page.funnel_stage")

    class Meta:
        model = PageView
        fields = ["id", "ts", "path", "category", "funnel_stage", "time_on_page", "source_type"]


class SessionSerializer(serializers.ModelSerializer):
    ip = serializers.CharField(source="visitor.ip")
    pageviews = TimelineViewSerializer(many=True, source="timeline_views")

    class Meta:
        model = Session
        fields = [
            "id",
            "visitor",
            "ip",
            "started_at",
            "ended_at",
            "pageview_count",
            "source_type",
            "referrer",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "pageviews",
        ]


class VisitorSerializer(serializers.ModelSerializer):
    probability = serializers.SerializerMethodField()
    chance = serializers.SerializerMethodField()
    converted = serializers.SerializerMethodField()

    class Meta:
        model = Visitor
        fields = [
            "id",
            "ip",
            "user_agent",
            "company",
            "first_seen",
            "last_seen",
            "converted",
            "excluded_reason",
            "probability",
            "chance",
        ]

    def get_probability(self, visitor) -> float | None:
        try:
            return visitor.score.probability
        except ObjectDoesNotExist:
            return None

    def get_chance(self, visitor) -> str | None:
        probability = self.get_probability(visitor)
        return None if probability is None else chance_text(probability)

    def get_converted(self, visitor) -> bool:
        return visitor.converted_at is not None


class PageViewSerializer(serializers.ModelSerializer):
    path = serializers.CharField(source="page.path")
    category = serializers.CharField(source="page.category")
    funnel_stage = serializers.CharField(source="page.funnel_stage")

    class Meta:
        model = PageView
        fields = [
            "id",
            "visitor",
            "session",
            "ts",
            "path",
            "query",
            "category",
            "funnel_stage",
            "time_on_page",
            "referrer",
            "source_type",
            "utm_source",
            "utm_medium",
            "utm_campaign",
        ]
