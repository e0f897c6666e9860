"""What each distinct visitor IP resolved to, and the hand overrides that win over lookups."""

from django.conf import settings
from django.db import models


class Classification(models.TextChoices):
    PENDING = "pending", "Pending"
    BUSINESS = "business", "Business"
    ISP = "isp", "ISP / residential"
    HOSTING = "hosting", "Hosting / cloud"
    EDUCATION = "education", "Education"
    GOVERNMENT = "government", "Government"
    PRIVATE = "private", "Private / reserved"
    UNKNOWN = "unknown", "Unknown"


class IPResolution(models.Model):
    """One distinct IP: its reverse DNS, forward confirmation, domain and classification."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        OK = "ok", "PTR found"
        NXDOMAIN = "nxdomain", "No PTR record"
        FAILED = "failed", "Lookup failed"
        SKIPPED = "skipped", "Not looked up"

    ip = models.GenericIPAddressField(unique=True, unpack_ipv4=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    ptr_name = models.CharField(max_length=253, blank=True, default="")
    forward_confirmed = models.BooleanField(default=False)
    domain = models.CharField(max_length=253, blank=True, default="")
    asn = models.PositiveIntegerField(null=True, blank=True)
    asn_name = models.CharField(max_length=200, blank=True, default="")
    classification = models.CharField(
        max_length=12, choices=Classification.choices, default=Classification.PENDING
    )
    # Human-readable reasons for the classification, in the order they were applied.
    evidence = models.JSONField(default=list, blank=True)
    company = models.ForeignKey(
        "prospects.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="ips"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True, default="")
    resolved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "IP resolution"
        indexes = [
            # resolve_ips picks pending and expired rows.
            models.Index(fields=["outcome", "expires_at"], name="ipres_due_idx"),
            models.Index(fields=["classification"], name="ipres_class_idx"),
        ]

    def __str__(self):
        return f"{self.ip} → {self.ptr_name or self.outcome}"


class IdentificationOverride(models.Model):
    """A person's word on an IP, range or domain; wins over every later lookup."""

    class Kind(models.TextChoices):
        IP = "ip", "IP address"
        NETWORK = "network", "IP range (CIDR)"
        DOMAIN = "domain", "Domain"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=253)
    classification = models.CharField(max_length=12, choices=Classification.choices)
    company = models.ForeignKey(
        "prospects.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="overrides",
    )
    note = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Masking (privacy.masking) covers IP overrides as it does visitors: 0 while `value` is the
    # full address; once masked, `value` keeps only its prefix and this is the keyed hash of
    # the full address (visits.ipkeys), which addresses and masked visitors are matched on.
    ip_key = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Masked IP overrides of one prefix differ by their key.
            models.UniqueConstraint(
                fields=["kind", "value", "ip_key"], name="override_kind_value_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(classification="business") | models.Q(company__isnull=False),
                name="override_business_needs_company",
            ),
        ]

    def __str__(self):
        return f"{self.shown_value} is {self.get_classification_display()}"

    @property
    def shown_value(self) -> str:
        """The value as people see it: a masked address says it is one."""
        return f"{self.value} (masked)" if self.ip_key else self.value
