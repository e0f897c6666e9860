"""Django admin for companies and the research and outreach work done on them."""

from django.contrib import admin

from prospects.models import Company, Contact, Note, StatusChange, ThresholdChange, Touchpoint
from prospects.readonly_admin import ReadOnlyAdmin


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "title", "persona", "email", "phone", "linkedin_url"]


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ["from_status", "to_status", "reason", "changed_by", "changed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        # History is written by the workflow service, never by hand.
        return False


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "relationship", "status", "assignee", "updated_at"]
    list_filter = ["status", "relationship", "size"]
    search_fields = ["name", "domain", "industry"]
    list_select_related = ["assignee"]
    raw_id_fields = ["assignee"]
    readonly_fields = ["created_at", "updated_at", "claimed_at"]
    inlines = [ContactInline, NoteInline, StatusChangeInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "persona", "company", "email"]
    list_filter = ["persona"]
    search_fields = ["name", "title", "email", "company__name"]
    list_select_related = ["company"]
    raw_id_fields = ["company"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["company", "author", "created_at"]
    search_fields = ["body", "company__name"]
    list_select_related = ["company", "author"]
    raw_id_fields = ["company"]


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["company", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    list_select_related = ["company", "changed_by"]


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ["company", "channel", "outcome", "happened_on", "logged_by"]
    list_filter = ["channel", "outcome"]
    search_fields = ["summary", "company__name"]
    list_select_related = ["company", "logged_by"]
    raw_id_fields = ["company", "contact"]


@admin.register(ThresholdChange)
class ThresholdChangeAdmin(ReadOnlyAdmin):
    """Thresholds are set on the capacity page, which records who changed them."""

    list_display = ["value", "changed_by", "changed_at"]
    list_select_related = ["changed_by"]
