"""Django admin for derived records: shown for inspection, never added, edited or deleted.

Model versions, scores, status changes, thresholds, training runs, imports and alert
deliveries are written by their services (which check, lock and record history); an "Add"
or "Save" in Django admin would bypass them.
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record kept by a service: the admin lists and shows it, nothing more."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
