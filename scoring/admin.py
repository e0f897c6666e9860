"""Django admin for the model registry and scores: read-mostly, for inspection."""

from django.contrib import admin

from .models import CompanyScore, ModelVersion, TrainingRun, VisitorScore


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
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
    # Activation goes through the model page, which checks the file and keeps one active.
    readonly_fields = [f.name for f in ModelVersion._meta.fields]


@admin.register(VisitorScore)
class VisitorScoreAdmin(admin.ModelAdmin):
    list_display = ("visitor", "probability", "out_of_fold", "model_version", "scored_at")
    list_filter = ("out_of_fold",)
    list_select_related = ("visitor", "model_version")
    raw_id_fields = ("visitor",)
    readonly_fields = (
        "visitor",
        "model_version",
        "probability",
        "out_of_fold",
        "reasons",
        "scored_at",
    )


@admin.register(CompanyScore)
class CompanyScoreAdmin(admin.ModelAdmin):
    list_display = ("company", "probability", "visitor_count", "model_version", "scored_at")
    list_select_related = ("company", "model_version")
    search_fields = ("company__name", "company__domain")
    raw_id_fields = ("company", "top_visitor")
    readonly_fields = (
        "company",
        "model_version",
        "probability",
        "visitor_count",
        "top_visitor",
        "reasons",
        "scored_at",
    )


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "requested_by", "ok", "message")
    list_filter = ("ok",)
    readonly_fields = ("started_at", "requested_by", "ok", "message", "model_version")
