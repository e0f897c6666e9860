"""Companies behind visitors, and the research and outreach work done on them."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from prospects.experiments.models import QueueEntry
from prospects.roles import ADMIN, has_role
from prospects.visits.models import Visitor


def validate_time_zone(value: str) -> None:
    """An IANA time zone name ("Europe/Paris"), or blank for unknown."""
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value} is not a time zone name such as Europe/Paris.")


def _held_out() -> models.Exists:
    """A company is held out while it is in the control arm of the running experiment."""
    return models.Exists(
        QueueEntry.objects.filter(
            company=models.OuterRef("pk"), arm=QueueEntry.Arm.CONTROL, experiment__running=True
        )
    )


class CompanyQuerySet(models.QuerySet):
    def open_for_research(self) -> "CompanyQuerySet":
        """Companies that belong in the research queue, whatever their score.

        Not a dead end (customer, competitor, excluded), not closed, not snoozed to a later
        day, with at least one eligible visitor, and not held out by the running experiment
        (so the queue, search, bulk actions, exports, the API and alerts never show it).
        """
        eligible = Visitor.objects.eligible().filter(company=models.OuterRef("pk"))
        return (
            self.exclude(relationship__in=Company.DEAD_END_RELATIONSHIPS)
            .exclude(status__in=Company.CLOSED_STATUSES)
            .exclude(status=Company.Status.SNOOZED, snoozed_until__gt=timezone.localdate())
            .filter(models.Exists(eligible))
            .without_holdout()
        )

    def without_holdout(self) -> "CompanyQuerySet":
        """Without the control companies of the running experiment."""
        return self.exclude(_held_out())

    def held_out(self) -> "CompanyQuerySet":
        """Only the control companies of the running experiment."""
        return self.filter(_held_out())

    def visible_to(self, user) -> "CompanyQuerySet":
        """The companies this person may open: admins all, the team all but the held out."""
        return self if has_role(user, ADMIN) else self.without_holdout()

    def ready_for_outreach(self) -> "CompanyQuerySet":
        """Companies research has marked ready that no rep has taken yet (not dead ends, and
        not held out: a control company is taken by nobody, admins included)."""
        return (
            self.filter(status=Company.Status.READY, rep__isnull=True)
            .exclude(relationship__in=Company.DEAD_END_RELATIONSHIPS)
            .without_holdout()
        )


class Company(models.Model):
    """An organisation identified from visitor IPs, unique by registrable domain."""

    class Relationship(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        CUSTOMER = "customer", "Customer"
        COMPETITOR = "competitor", "Competitor"
        PARTNER = "partner", "Partner"
        EXCLUDED = "excluded", "Excluded"

    class Status(models.TextChoices):
        NEW = "new", "New"
        RESEARCHING = "researching", "Researching"
        READY = "ready", "Ready for outreach"
        IN_OUTREACH = "in_outreach", "In outreach"
        CONVERTED = "converted", "Converted (SQL)"
        OPPORTUNITY = "opportunity", "Opportunity"
        CUSTOMER = "customer", "Customer (won)"
        DISQUALIFIED = "disqualified", "Disqualified"
        SNOOZED = "snoozed", "Snoozed"

    class Size(models.TextChoices):
        UNKNOWN = "", "Unknown"
        S1 = "1-10", "1-10"
        S2 = "11-50", "11-50"
        S3 = "51-200", "51-200"
        S4 = "201-1000", "201-1,000"
        S5 = "1001-5000", "1,001-5,000"
        S6 = "5000+", "5,000+"

    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, unique=True)
    # True while the name is the one derived from the domain; a person's edit makes it False.
    name_is_derived = models.BooleanField(default=True)
    relationship = models.CharField(
        max_length=12, choices=Relationship.choices, default=Relationship.PROSPECT
    )
    industry = models.CharField(max_length=100, blank=True, default="")
    size = models.CharField(max_length=10, choices=Size.choices, blank=True, default="")
    # Where the company works, for its best contact time (blank: the vendor's zone is used).
    time_zone = models.CharField(
        max_length=64, blank=True, default="", validators=[validate_time_zone]
    )
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.NEW)
    disqualified_reason = models.CharField(max_length=300, blank=True, default="")
    snoozed_until = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_companies",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The outreach rep who took the company once it was ready for outreach (one at a time).
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_companies",
    )
    rep_claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Statuses that end the research on a company: it never appears in the queue again.
    CLOSED_STATUSES = (Status.CONVERTED, Status.OPPORTUNITY, Status.CUSTOMER, Status.DISQUALIFIED)
    # An SQL and the stages after it: the company's visitors leave the queue.
    SQL_STATUSES = (Status.CONVERTED, Status.OPPORTUNITY, Status.CUSTOMER)
    # Statuses that end outreach too: no more touchpoints or tasks (won, or lost).
    ENDED_STATUSES = (Status.CUSTOMER, Status.DISQUALIFIED)
    # Relationships that make a company a dead end for research (its visitors are excluded).
    DEAD_END_RELATIONSHIPS = (Relationship.CUSTOMER, Relationship.COMPETITOR, Relationship.EXCLUDED)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        indexes = [
            # The queue filters by status and assignee before ranking by score.
            models.Index(fields=["status", "assignee"], name="company_status_assignee_idx"),
            models.Index(fields=["relationship"], name="company_relationship_idx"),
            # My outreach: a rep's companies.
            models.Index(fields=["rep", "status"], name="company_rep_status_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_closed(self) -> bool:
        """Whether the research on this company has ended (an SQL or later, or disqualified)."""
        return self.status in self.CLOSED_STATUSES

    @property
    def outreach_open(self) -> bool:
        """Whether reps may still log touchpoints and tasks (everything but won or lost)."""
        return self.status not in self.ENDED_STATUSES


class Contact(models.Model):
    """A person at a company, with the buyer persona that tells outreach what they care about."""

    class Persona(models.TextChoices):
        COO = "coo", "COO"
        VP_PS = "vp_ps", "VP professional services"
        CIO = "cio", "CIO"
        IT_MANAGER = "it_manager", "IT manager"
        SYSADMIN = "sysadmin", "Systems administrator"
        OTHER = "other", "Other"

    # What each persona cares about, shown as a hint next to the contact.
    PERSONA_HINTS = {
        Persona.COO: "ROI: cost of delivery, utilisation, margin.",
        Persona.VP_PS: "ROI and implementation: time to value, project predictability.",
        Persona.CIO: "ROI and risk: integration with the stack, security, vendor viability.",
        Persona.IT_MANAGER: "Implementation: rollout effort, support, training the team.",
        Persona.SYSADMIN: "Skills: how it is installed, automated and kept running.",
        Persona.OTHER: "Ask what they need before pitching.",
    }

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True, default="")
    persona = models.CharField(max_length=12, choices=Persona.choices, default=Persona.OTHER)
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=50, blank=True, default="")
    linkedin_url = models.URLField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.company})"

    @property
    def persona_hint(self) -> str:
        """What this contact's buyer persona typically cares about."""
        return self.PERSONA_HINTS.get(self.persona, "")


class Note(models.Model):
    """A researcher's or rep's timestamped note on a company."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.body[:60]


class StatusChange(models.Model):
    """One move of a company through the research and outreach workflow."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=14, choices=Company.Status.choices)
    to_status = models.CharField(max_length=14, choices=Company.Status.choices)
    reason = models.CharField(max_length=300, blank=True, default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    # Set on the change that undid another (a move is undone at most once).
    undoes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undone_by"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            # The company page's history and the undo check read a company's latest moves.
            models.Index(fields=["company", "-changed_at"], name="statuschange_company_idx"),
        ]

    def __str__(self):
        return f"{self.company}: {self.from_status} → {self.to_status}"


class Touchpoint(models.Model):
    """An outreach rep's contact with a company, and how it went."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        CALL = "call", "Phone call"
        BLOG_COMMENT = "blog_comment", "Blog comment"
        SOCIAL = "social", "Social"
        INTRODUCTION = "introduction", "Introduction"
        MEETING = "meeting", "Meeting"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        NO_RESPONSE = "no_response", "No response"
        REPLIED = "replied", "Replied"
        MEETING_BOOKED = "meeting_booked", "Meeting booked"
        CONVERTED = "converted", "Converted to SQL"
        OPPORTUNITY = "opportunity", "Opportunity opened"
        WON = "won", "Won: now a customer"
        NOT_INTERESTED = "not_interested", "Not interested"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="touchpoints")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="touchpoints"
    )
    channel = models.CharField(max_length=14, choices=Channel.choices)
    happened_on = models.DateField()
    summary = models.TextField(blank=True, default="")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-id"]

    def __str__(self):
        return f"{self.get_channel_display()} with {self.company} on {self.happened_on}"


class Task(models.Model):
    """A follow-up someone owes a company: call, email, research, by a due date."""

    class Kind(models.TextChoices):
        CALL = "call", "Call"
        EMAIL = "email", "Email"
        RESEARCH = "research", "Research"
        OTHER = "other", "Other"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="tasks")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=200, blank=True, default="")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When to reach the company, from its visitors' active hours when the task was added
    # ("Tuesdays 10:00-12:00 Europe/Paris"); blank without visits to go by.
    contact_window = models.CharField(max_length=80, blank=True, default="")
    # The touchpoint whose "next step" this is, when it came from one.
    touchpoint = models.ForeignKey(
        Touchpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="next_steps"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["call", "email", "research", "other"]),
                name="task_kind_valid",
            ),
        ]
        indexes = [
            # My work / My outreach: a person's open tasks by due date.
            models.Index(
                fields=["owner", "due_on"],
                condition=models.Q(done_at__isnull=True),
                name="task_open_owner_due_idx",
            ),
            # The company page and My outreach: a company's next open task.
            models.Index(
                fields=["company", "due_on"],
                condition=models.Q(done_at__isnull=True),
                name="task_open_company_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.company} by {self.due_on}"

    @property
    def is_done(self) -> bool:
        """Whether the task has been done."""
        return self.done_at is not None

    @property
    def label(self) -> str:
        """What to do, in a few words: the title, or the kind when there is none."""
        return self.title or self.get_kind_display()
