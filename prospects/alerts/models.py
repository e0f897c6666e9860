"""Alerts: what each person wants to hear about, what happened, and every delivery attempt."""

import base64
import secrets

from django.conf import settings
from django.db import models


class Subscription(models.Model):
    """A person's alert choices: which events, and whether email comes at once or daily."""

    class Email(models.TextChoices):
        OFF = "off", "No email"
        INSTANT = "instant", "Right away"
        DIGEST = "digest", "Daily digest"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_subscription"
    )
    new_companies = models.BooleanField(
        "A new company enters the queue (above the threshold)", default=False
    )
    watched_back = models.BooleanField("A company I watch is back on the site", default=True)
    tasks_due = models.BooleanField("A task of mine is due", default=True)
    email = models.CharField(max_length=8, choices=Email.choices, default=Email.OFF)
    # The person's local day whose digest went out last.
    last_digest_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user}'s alerts"


class Watch(models.Model):
    """A person watching a company: a new visit from it raises an alert for them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    company = models.ForeignKey(
        "prospects.Company", on_delete=models.CASCADE, related_name="watches"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Visits up to here are known to the watcher (announced, or before they started watching).
    seen_through = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="watch_unique_user_company")
        ]

    def __str__(self):
        return f"{self.user} watches {self.company}"


def new_secret() -> str:
    """A Standard Webhooks signing secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class Webhook(models.Model):
    """An address that receives a person's alerts as signed HTTP POSTs (Standard Webhooks)."""

    class Format(models.TextChoices):
        STANDARD = "standard", "Standard Webhooks JSON (for your CRM or automation)"
        SLACK = "slack", "Slack-compatible message"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    payload_format = models.CharField(max_length=8, choices=Format.choices, default=Format.STANDARD)
    secret = models.CharField(max_length=80, default=new_secret)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.url


class AlertScan(models.Model):
    """The latest run of the alert scan (one row): its absence means none ever ran."""

    ran_at = models.DateTimeField()
    result = models.JSONField(default=dict)

    def __str__(self):
        return f"alert scan at {self.ran_at:%Y-%m-%d %H:%M}"


class QueueArrival(models.Model):
    """When a company first stood in the research queue above the threshold.

    The first scan records the queue as it is without announcing it (`announced` False).
    """

    company = models.OneToOneField(
        "prospects.Company", on_delete=models.CASCADE, related_name="queue_arrival"
    )
    arrived_at = models.DateTimeField()
    announced = models.BooleanField(default=True)

    def __str__(self):
        return f"{self.company} entered the queue {self.arrived_at:%Y-%m-%d %H:%M}"


class Alert(models.Model):
    """Something one person asked to hear about; `key` makes each happen once per person."""

    class Kind(models.TextChoices):
        NEW_COMPANY = "company.queued", "New company in the queue"
        WATCHED_BACK = "company.returned", "Watched company back on the site"
        TASK_DUE = "task.due", "Task due"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    company = models.ForeignKey("prospects.Company", on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(
        "prospects.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=120)
    happened_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once an email (instant or a digest) has carried it.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="alert_unique_user_key")
        ]
        indexes = [
            # The digest: a person's alerts not yet emailed.
            models.Index(
                fields=["user", "created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="alert_unemailed_idx",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.company} for {self.user}"


class Delivery(models.Model):
    """One message to one destination (an email, or a webhook call) and how its sending went."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    channel = models.CharField(max_length=8, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    webhook = models.ForeignKey(
        Webhook, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    alerts = models.ManyToManyField(Alert, related_name="deliveries")
    # The Standard Webhooks message id (`webhook-id`), the same on every retry.
    msg_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=30)
    target = models.CharField(max_length=500)
    payload = models.JSONField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.get_channel_display()} {self.event_type} to {self.target}"


class DeliveryAttempt(models.Model):
    """One try at sending a delivery: when, the answer, and how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self):
        return f"{self.delivery}: {'ok' if self.ok else self.error or self.status_code}"
