"""Django admin for the model registry and scores: read-only, for inspection."""

from django.contrib import admin

from prospects.readonly_admin import ReadOnlyAdmin

from .models import CompanyScore, ModelVersion, TrainingRun, VisitorScore


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "algorithm",
        "trained_at",
        "trained_by",
        "is_active",
        "roc_auc",
        "pr_auc",
        "brier",
    )
    list_filter = ("is_active", "algorithm")
    # Training and activation go through the model page, which checks the file and keeps one
    # version active.


@admin.register(VisitorScore)
class VisitorScoreAdmin(ReadOnlyAdmin):
    list_display = ("visitor", "probability", "model_version", "scored_at")
    list_select_related = ("visitor", "model_version")
    raw_id_fields = ("visitor",)


@admin.register(CompanyScore)
class CompanyScoreAdmin(ReadOnlyAdmin):
    list_display = ("company", "probability", "visitor_count", "model_version", "scored_at")
    list_select_related = ("company", "model_version")
    search_fields = ("company__name", "company__domain")
    raw_id_fields = ("company", "top_visitor")


@admin.register(TrainingRun)
class TrainingRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "requested_by", "ok", "message")
    list_filter = ("ok",)
