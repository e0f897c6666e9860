"""Django admin for alerts: deliveries and their attempts are records, read-only here."""

from django.contrib import admin

from prospects.models import Alert, Delivery, DeliveryAttempt, Subscription, Webhook
from prospects.readonly_admin import ReadOnlyAdmin


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["attempted_at", "ok", "status_code", "error", "duration_ms"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "channel", "event_type", "target", "status", "attempts"]
    list_filter = ["status", "channel", "event_type"]
    list_select_related = ["user"]
    search_fields = ["target", "msg_id"]
    inlines = [AttemptInline]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "company", "emailed_at"]
    list_filter = ["kind"]
    list_select_related = ["user", "company"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "new_companies", "watched_back", "tasks_due", "email"]
    list_select_related = ["user"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "payload_format", "is_active", "created_at"]
    list_select_related = ["owner"]
    exclude = ["secret"]
