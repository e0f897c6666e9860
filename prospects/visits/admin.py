"""Admin for visits: log imports, visitors, sessions, page views, pages and the rules that label them."""

from django.contrib import admin
from django.utils.html import format_html_join

from prospects.models import (
    ContentRule,
    ConversionGoal,
    LogImport,
    Page,
    PageView,
    Session,
    Visitor,
)
from prospects.readonly_admin import ReadOnlyAdmin
from prospects.visits.services import delete_rule, save_rule


@admin.register(LogImport)
class LogImportAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "status",
        "started_at",
        "seconds",
        "lines",
        "pageviews",
        "bots",
        "static",
        "ignored",
        "malformed",
        "duplicates",
    ]
    list_filter = ["status"]
    search_fields = ["name", "content_hash"]
    date_hierarchy = "started_at"
    exclude = ["malformed_samples"]
    readonly_fields = [
        "name",
        "content_hash",
        "status",
        "started_at",
        "finished_at",
        "seconds",
        "lines",
        "pageviews",
        "bots",
        "static",
        "ignored",
        "malformed",
        "duplicates",
        "not_reading",
        "other_sites",
        "log_format",
        "notices",
        "samples",
        "error",
    ]

    @admin.display(description="Malformed lines (samples)")
    def samples(self, obj):
        # Log lines are hostile input: format_html_join escapes every one of them.
        return format_html_join(
            "", "<pre>{}</pre>", ((line,) for line in obj.malformed_samples or [])
        )


@admin.register(Visitor)
class VisitorAdmin(admin.ModelAdmin):
    list_display = [
        "ip",
        "short_user_agent",
        "company",
        "first_seen",
        "last_seen",
        "converted_at",
        "excluded_reason",
        "bot_rule",
    ]
    list_filter = [
        ("converted_at", admin.EmptyFieldListFilter),
        ("company", admin.EmptyFieldListFilter),
        "excluded_reason",
        "bot_rule",
    ]
    search_fields = ["ip", "user_agent", "company__name"]
    list_select_related = ["company"]
    raw_id_fields = ["company"]
    readonly_fields = ["ua_hash", "first_seen", "last_seen", "converted_at", "bot_rule"]
    date_hierarchy = "last_seen"

    @admin.display(description="User agent")
    def short_user_agent(self, obj):
        return obj.user_agent[:80]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = [
        "visitor",
        "started_at",
        "ended_at",
        "pageview_count",
        "source_type",
        "landing_page",
        "utm_campaign",
    ]
    list_filter = ["source_type"]
    search_fields = ["visitor__ip", "referrer", "utm_source", "utm_campaign"]
    list_select_related = ["visitor", "landing_page"]
    raw_id_fields = ["visitor", "landing_page"]
    date_hierarchy = "started_at"


@admin.register(PageView)
class PageViewAdmin(admin.ModelAdmin):
    list_display = ["ts", "visitor", "page", "category", "status", "source_type", "time_on_page"]
    list_filter = ["source_type", "page__category", "page__funnel_stage", "status"]
    search_fields = ["visitor__ip", "page__path", "referrer"]
    list_select_related = ["visitor", "page"]
    raw_id_fields = ["visitor", "session", "page", "log_import"]
    date_hierarchy = "ts"
    # Counting millions of rows on every page load is slow; the paginator shows "more" instead.
    show_full_result_count = False

    @admin.display(description="Category", ordering="page__category")
    def category(self, obj):
        return obj.page.get_category_display()


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["path", "category", "funnel_stage", "is_goal"]
    list_filter = ["category", "funnel_stage", "is_goal"]
    search_fields = ["path"]
    # Labels come from the content rules and goals; edit those, and every page is relabelled.
    readonly_fields = ["category", "funnel_stage", "is_goal"]


class RuleAdmin(admin.ModelAdmin):
    """Saving or deleting a rule goes through the service, which relabels every page."""

    def save_model(self, request, obj, form, change):
        save_rule(rule=obj)

    def delete_model(self, request, obj):
        delete_rule(rule=obj)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            delete_rule(rule=rule)


@admin.register(ContentRule)
class ContentRuleAdmin(RuleAdmin):
    list_display = ["position", "match_type", "pattern", "category", "funnel_stage", "active"]
    list_display_links = ["pattern"]
    list_editable = ["position", "active"]
    list_filter = ["category", "funnel_stage", "match_type", "active"]
    search_fields = ["pattern"]
    ordering = ["position", "id"]


@admin.register(ConversionGoal)
class ConversionGoalAdmin(RuleAdmin):
    list_display = ["name", "match_type", "pattern", "active"]
    list_editable = ["active"]
    list_filter = ["match_type", "active"]
    search_fields = ["name", "pattern"]
    ordering = ["name"]
