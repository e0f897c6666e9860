"""Visitors, sessions and page views from the vendor's web logs, and the rules that label them."""

import re

from django.core.exceptions import ValidationError
from django.db import models

from .choices import Category, FunnelStage, MatchType, SourceType


class UrlRule(models.Model):
    """A rule that matches URL paths; ordered rules are tried first to last."""

    pattern = models.CharField(max_length=500)
    match_type = models.CharField(
        max_length=10, choices=MatchType.choices, default=MatchType.PREFIX
    )
    active = models.BooleanField(default=True)

    class Meta:
        abstract = True

    def clean(self):
        if self.match_type == MatchType.REGEX:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValidationError(
                    {"pattern": f"Not a valid regular expression: {exc}"}
                ) from exc

    def matches(self, path: str) -> bool:
        """Whether this rule matches a URL path (without query string)."""
        if self.match_type == MatchType.EXACT:
            return path == self.pattern
        if self.match_type == MatchType.CONTAINS:
            return self.pattern in path
        if self.match_type == MatchType.REGEX:
            return re.search(self.pattern, path) is not None
        return path.startswith(self.pattern)


class ContentRule(UrlRule):
    """Gives the page views whose path matches a content category and a funnel stage."""

    position = models.PositiveIntegerField(
        default=100, help_text="Lower positions are tried first."
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    funnel_stage = models.CharField(max_length=20, choices=FunnelStage.choices)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.get_match_type_display()} {self.pattern} → {self.category}"


class ConversionGoal(UrlRule):
    """A URL whose first hit marks a visitor as converted (trial or contact form sent)."""

    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Page(models.Model):
    """One distinct URL path, labelled once by the content rules and the goals.

    Page views point here, so a rule edit relabels thousands of pages, not millions of views.
    """

    path = models.CharField(max_length=1000, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    funnel_stage = models.CharField(
        max_length=20, choices=FunnelStage.choices, default=FunnelStage.AWARENESS
    )
    is_goal = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # Conversions: goal pages are looked up on every import.
            models.Index(
                fields=["is_goal"], name="page_goal_idx", condition=models.Q(is_goal=True)
            ),
        ]

    def __str__(self):
        return self.path


# The one definition of a visitor who can put their company in the research queue: no
# exclusion reason recorded (identify.exclusions) and not converted.
ELIGIBLE = models.Q(excluded_reason="", converted_at__isnull=True)


class EmptyText(models.Expression):
    """The empty string written into the SQL (`''`) instead of bound as a parameter.

    SQLite reads a partial index only for a query that repeats the index's condition, and a
    bound `excluded_reason = ?` does not: the queue's count then read every candidate's
    visitor rows, 31 ms of CPU instead of 9 on bench/queue.py's 6,646 companies.
    """

    output_field = models.CharField()

    def as_sql(self, compiler, connection):
        return "''", []


class VisitorQuerySet(models.QuerySet):
    def eligible(self) -> "VisitorQuerySet":
        """Visitors that can put their company in the queue: not excluded and not converted.

        ELIGIBLE with its empty string inlined, so SQLite uses the eligible-visitor index.
        """
        return self.filter(excluded_reason=EmptyText(), converted_at__isnull=True)


class Visitor(models.Model):
    """One (IP address, user agent) pair seen in the logs."""

    ip = models.GenericIPAddressField(unpack_ipv4=True)
    user_agent = models.TextField(blank=True)
    # 63-bit hash of the user agent: the unique key, since a long text cannot be indexed everywhere.
    ua_hash = models.BigIntegerField()
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    company = models.ForeignKey(
        "prospects.Company",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visitors",
    )
    # Why this visitor is out of the research queue (blank: eligible); see identify.exclusions.
    excluded_reason = models.CharField(max_length=30, blank=True, default="")
    # The behaviour rule that showed this visitor is a bot (blank: none fired); see
    # ingest.behaviour. Its hits are counted as bots, not page views. The database default lets
    # the bulk visitor insert leave it out.
    bot_rule = models.CharField(max_length=40, blank=True, default="", db_default="")
    # Masking (privacy.masking): 0 while `ip` is the full address; once masked, `ip` keeps only
    # its prefix and this is the keyed hash of the full one (visits.ipkeys), which later lines
    # of the visitor are matched on. The classification of the full address is kept with it,
    # since its IP resolution is deleted.
    ip_key = models.BigIntegerField(default=0, db_default=0)
    masked_classification = models.CharField(max_length=12, blank=True, default="", db_default="")

    objects = VisitorQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ip", "ua_hash"],
                condition=models.Q(ip_key=0),
                name="visitor_ip_ua_unique",
            ),
            # "ip_key > 0" in these words: SQLite uses a partial index only for queries that
            # repeat its condition (keys are positive), and masked lookups do (ingest.store).
            models.UniqueConstraint(
                fields=["ip_key", "ua_hash"],
                condition=models.Q(ip_key__gt=0),
                name="visitor_masked_key_unique",
            ),
        ]
        indexes = [
            # IP resolution joins visitors to their resolved IP and applies overrides by IP.
            models.Index(fields=["ip"], name="visitor_ip_idx"),
            models.Index(fields=["company", "last_seen"], name="visitor_company_seen_idx"),
            # The research queue keeps only companies with an eligible visitor.
            models.Index(
                fields=["company"],
                condition=ELIGIBLE,
                name="visitor_eligible_company_idx",
            ),
            # The experiment page: visitors converted since an experiment's start (few).
            models.Index(
                fields=["converted_at"],
                condition=models.Q(converted_at__isnull=False),
                name="visitor_converted_idx",
            ),
        ]

    def __str__(self):
        return f"{self.ip} ({self.user_agent[:40]})"


class Session(models.Model):
    """A visitor's run of page views with no gap longer than the session gap (30 minutes)."""

    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="sessions")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    pageview_count = models.PositiveIntegerField()
    landing_page = models.ForeignKey(Page, null=True, on_delete=models.SET_NULL, related_name="+")
    source_type = models.CharField(
        max_length=10, choices=SourceType.choices, default=SourceType.DIRECT
    )
    referrer = models.TextField(blank=True, default="")
    utm_source = models.CharField(max_length=200, blank=True, default="")
    utm_medium = models.CharField(max_length=200, blank=True, default="")
    utm_campaign = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["visitor", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["visitor", "started_at"], name="session_visitor_start_unique"
            ),
        ]

    def __str__(self):
        return f"{self.visitor_id} @ {self.started_at:%Y-%m-%d %H:%M}"


class PageView(models.Model):
    """A successful GET of a non-asset URL by a human visitor."""

    # No index of its own: pageview_visitor_ts_idx (visitor, ts) answers every lookup by
    # visitor, and each index costs every imported row (7% of an import's server CPU).
    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="pageviews", db_index=False
    )
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="pageviews"
    )
    page = models.ForeignKey(Page, on_delete=models.PROTECT, related_name="views")
    ts = models.DateTimeField()
    status = models.PositiveSmallIntegerField()
    query = models.TextField(blank=True, default="")
    referrer = models.TextField(blank=True, default="")
    # Source of this hit's referrer; the first page view of a session gives the session's.
    source_type = models.CharField(
        max_length=10, choices=SourceType.choices, default=SourceType.DIRECT
    )
    utm_source = models.CharField(max_length=200, blank=True, default="")
    utm_medium = models.CharField(max_length=200, blank=True, default="")
    utm_campaign = models.CharField(max_length=200, blank=True, default="")
    # Seconds to the next page view in the same session; null on a session's last page.
    time_on_page = models.PositiveIntegerField(null=True, blank=True)
    # Hash of the raw log line and its occurrence number: re-imports and overlaps skip it.
    line_hash = models.BigIntegerField(unique=True)
    log_import = models.ForeignKey(
        "prospects.LogImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            # Sessions, time on page, features and the visit timeline read a visitor's views in order.
            models.Index(fields=["visitor", "ts"], name="pageview_visitor_ts_idx"),
            models.Index(fields=["ts"], name="pageview_ts_idx"),
        ]

    def __str__(self):
        return f"{self.visitor_id} {self.ts:%Y-%m-%d %H:%M:%S} {self.page_id}"


class LogImport(models.Model):
    """One run of the log importer over one file (or stdin), with what it found."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        # The file was damaged or a step failed: the lines read before it were imported.
        PARTIAL = "partial", "Partial"
        FAILED = "failed", "Failed"
        # The process running it died (killed, crashed): found at a later import or page view.
        INTERRUPTED = "interrupted", "Interrupted"

    # How line hashes were made: 1 by content and nearby repeats, 2 by file, offset and content.
    LEGACY_LINE_KEYS = 1
    LINE_KEYS = 2

    name = models.CharField(max_length=500)
    content_hash = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    # Who runs it, and when it last showed life: a running import whose process is gone is
    # marked interrupted.
    host = models.CharField(max_length=255, blank=True, default="")
    pid = models.PositiveIntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    line_keys = models.PositiveSmallIntegerField(default=LINE_KEYS)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    lines = models.PositiveIntegerField(default=0)
    pageviews = models.PositiveIntegerField(default=0)
    bots = models.PositiveIntegerField(default=0)
    static = models.PositiveIntegerField(default=0)
    # Requests that are neither page views nor assets: POSTs, errors, redirects.
    ignored = models.PositiveIntegerField(default=0)
    malformed = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    # Requests that are not reading: robots, sitemaps, .well-known, favicons, probes, media.
    not_reading = models.PositiveIntegerField(default=0)
    # Lines for another site's host name (a log of several virtual hosts).
    other_sites = models.PositiveIntegerField(default=0)
    # The log format the file was read as (detected, or given with --format).
    log_format = models.CharField(max_length=200, blank=True, default="")
    # What the admin should know about how this file was read, in sentences.
    notices = models.JSONField(default=list, blank=True)
    malformed_samples = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["content_hash"], name="logimport_hash_idx")]

    def __str__(self):
        return f"{self.name} ({self.started_at:%Y-%m-%d %H:%M})"
