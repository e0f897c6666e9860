"""Admin for IP identification: every IP's classification with its evidence, and overrides."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from prospects.identify.overrides import clean_override
from prospects.identify.services import remove_override, save_override
from prospects.models import IdentificationOverride, IPResolution


@admin.register(IPResolution)
class IPResolutionAdmin(admin.ModelAdmin):
    """Read-only: rows are written by resolve_ips; overrides are the way to correct them."""

    list_display = (
        "ip",
        "classification",
        "outcome",
        "ptr_name",
        "forward_confirmed",
        "domain",
        "company",
        "asn_name",
        "resolved_at",
        "expires_at",
    )
    list_filter = ("classification", "outcome", "forward_confirmed")
    search_fields = ("ip", "ptr_name", "domain", "asn_name")
    list_select_related = ("company",)
    show_full_result_count = False
    fields = (
        "ip",
        "classification",
        "evidence_list",
        "outcome",
        "ptr_name",
        "forward_confirmed",
        "domain",
        "company",
        "asn",
        "asn_name",
        "attempts",
        "error",
        "resolved_at",
        "expires_at",
    )
    readonly_fields = fields

    @admin.display(description="evidence")
    def evidence_list(self, obj):
        """The evidence lines as a list; every line is escaped (PTR names are untrusted)."""
        if not obj.evidence:
            return "-"
        items = format_html_join("", "<li>{}</li>", ((str(line),) for line in obj.evidence))
        return format_html("<ul>{}</ul>", items)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IdentificationOverrideForm(forms.ModelForm):
    class Meta:
        model = IdentificationOverride
        fields = ("kind", "value", "classification", "company", "note")

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["value"] = clean_override(
                kind=cleaned.get("kind"),
                value=cleaned.get("value"),
                classification=cleaned.get("classification"),
                company=cleaned.get("company"),
            )
        except ValidationError as exc:
            self.add_error(None, exc)
            return cleaned
        # The unique key holds ip_key, which the form leaves out, so Django does not check it.
        twins = IdentificationOverride.objects.filter(
            kind=cleaned.get("kind"), value=cleaned["value"], ip_key=self.instance.ip_key
        ).exclude(pk=self.instance.pk)
        if twins.exists():
            self.add_error("value", "An override of this value already exists.")
        return cleaned


@admin.register(IdentificationOverride)
class IdentificationOverrideAdmin(admin.ModelAdmin):
    """Saving an override applies it at once to existing IPs and visitors."""

    form = IdentificationOverrideForm
    list_display = (
        "value",
        "kind",
        "classification",
        "company",
        "note",
        "created_by",
        "created_at",
    )
    list_filter = ("kind", "classification")
    search_fields = ("value", "note")
    raw_id_fields = ("company",)
    list_select_related = ("company", "created_by")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        save_override(override=obj)

    def delete_model(self, request, obj):
        remove_override(override=obj)

    def delete_queryset(self, request, queryset):
        for override in queryset:
            remove_override(override=override)
