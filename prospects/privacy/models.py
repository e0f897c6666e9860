"""Records the privacy features keep: erasures done and the audit log of views and exports."""

from django.conf import settings
from django.db import models


class Erasure(models.Model):
    """One "erase this person": what kind of subject, who asked, and how many rows went.

    It never holds the erased data itself (no IP, no name): only the subject's kind, a label
    such as "visitor 812", and the counts per table.
    """

    class Subject(models.TextChoices):
        IP = "ip", "IP address"
        VISITOR = "visitor", "Visitor"
        CONTACT = "contact", "Contact"

    subject = models.CharField(max_length=10, choices=Subject.choices)
    label = models.CharField(max_length=100)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the account is deleted, so the record still says who it was.
    erased_by_name = models.CharField(max_length=150)
    erased_at = models.DateTimeField(auto_now_add=True)
    # Rows deleted or scrubbed, per table: {"page views": 31, "visitors": 1, ...}.
    counts = models.JSONField(default=dict)
    note = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self):
        return f"{self.get_subject_display()} {self.label} by {self.erased_by_name}"


class AuditEvent(models.Model):
    """Someone viewed or exported personal data: a company page, an API listing."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    # What was looked at: "company", "visitors", "page views", ...; and its id when it is one.
    object_kind = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    path = models.CharField(max_length=500)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The admin page lists the latest events; "who looked at this company" filters by it.
            models.Index(fields=["-at"], name="audit_at_idx"),
            models.Index(fields=["object_kind", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self):
        return f"{self.username} {self.action} {self.object_kind} {self.object_id or ''}"
