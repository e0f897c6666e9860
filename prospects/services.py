"""Writes of the research and outreach workspace: claims, statuses, notes, contacts, touchpoints.

Every service takes keyword arguments, runs in one transaction, locks the company row where two
people can race, refuses with ServiceError (a ValidationError, so forms and the API show its
message) and raises PermissionDenied when the user's role does not allow the action.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .identify.overrides import create_override
from .models import (
    Company,
    Contact,
    IdentificationOverride,
    IPResolution,
    Note,
    StatusChange,
    ThresholdChange,
    Touchpoint,
    Visitor,
)
from .models.identify import Classification
from .roles import ADMIN, REP, RESEARCHER, has_role

Status = Company.Status

# The workflow: which statuses each status may move to.
TRANSITIONS = {
    Status.NEW: {Status.RESEARCHING, Status.DISQUALIFIED, Status.SNOOZED},
    Status.RESEARCHING: {Status.NEW, Status.READY, Status.DISQUALIFIED, Status.SNOOZED},
    Status.READY: {Status.RESEARCHING, Status.IN_OUTREACH, Status.DISQUALIFIED, Status.SNOOZED},
    Status.IN_OUTREACH: {Status.READY, Status.CONVERTED, Status.DISQUALIFIED, Status.SNOOZED},
    Status.SNOOZED: {
        Status.NEW,
        Status.RESEARCHING,
        Status.READY,
        Status.IN_OUTREACH,
        Status.DISQUALIFIED,
    },
    Status.DISQUALIFIED: {Status.NEW},
    Status.CONVERTED: set(),
}
# Outreach reps record outcomes: these are the statuses they may move a company to.
REP_STATUSES = {Status.IN_OUTREACH, Status.CONVERTED, Status.DISQUALIFIED, Status.SNOOZED}
# Statuses a touchpoint moves into outreach (work has started with the company).
PRE_OUTREACH = {Status.NEW, Status.RESEARCHING, Status.READY, Status.SNOOZED}
EDITABLE_FIELDS = {"name", "industry", "size", "relationship"}
NOTE_MAX_CHARS = 10_000


class ServiceError(ValidationError):
    """An action refused for a reason the user can fix or should know about."""

    def __init__(self, message):
        super().__init__(message)

    def __str__(self):
        return self.messages[0]


def _require(user, *roles):
    if not has_role(user, *roles):
        raise PermissionDenied("Your role does not allow this.")


def _locked(company) -> Company:
    """The company row, locked for the rest of the transaction.

    No join here: after waiting for a lock, PostgreSQL re-reads the locked row but not the
    outer-joined one, so a joined assignee could come back empty.
    """
    return Company.objects.select_for_update().get(pk=company.pk)


def _refresh(target: Company, source: Company) -> None:
    """Copy the fresh row's fields onto the caller's instance, so it sees the change."""
    target.refresh_from_db()
    target.assignee = source.assignee


def _update(company, **fields) -> None:
    """Write fields of a locked company row (bulk update skips auto_now, so set it here)."""
    Company.objects.filter(pk=company.pk).update(updated_at=timezone.now(), **fields)


def _record_status(company, *, to_status, user, reason="") -> StatusChange:
    change = StatusChange.objects.create(
        company=company,
        from_status=company.status,
        to_status=to_status,
        reason=reason,
        changed_by=user,
    )
    company.status = to_status
    return change


def _who(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def claim_company(*, company, user) -> Company:
    """Give the company to the user; a new company moves to researching.

    Claiming one's own claim again changes nothing; a company someone else holds is refused
    with "already claimed by X", so of two simultaneous claims exactly one wins.
    """
    _require(user, RESEARCHER)
    locked = _locked(company)
    if locked.assignee_id == user.pk:
        return locked
    if locked.assignee_id is not None:
        raise ServiceError(f"{locked.name} is already claimed by {_who(locked.assignee)}.")
    if locked.status in (Status.CONVERTED, Status.DISQUALIFIED):
        raise ServiceError(f"{locked.name} is {locked.get_status_display().lower()}.")
    # Conditional update: even without row locks (SQLite) only one claimant can match.
    now = timezone.now()
    won = Company.objects.filter(pk=locked.pk, assignee__isnull=True).update(
        assignee=user, claimed_at=now, updated_at=now
    )
    if not won:
        raise ServiceError(f"{locked.name} was claimed by someone else a moment ago.")
    locked.assignee = user
    if locked.status == Status.NEW:
        _record_status(locked, to_status=Status.RESEARCHING, user=user, reason="Claimed")
        _update(locked, status=locked.status)
    _refresh(company, locked)
    return company


@transaction.atomic
def release_claim(*, company, user) -> Company:
    """Give up a claim; only its holder or an admin may release it."""
    locked = _locked(company)
    if locked.assignee_id is None:
        raise ServiceError(f"{locked.name} is not claimed.")
    if locked.assignee_id != user.pk and not has_role(user, ADMIN):
        raise PermissionDenied(f"Only {_who(locked.assignee)} or an admin can release this claim.")
    _update(locked, assignee=None, claimed_at=None)
    _refresh(company, Company(assignee=None))
    return company


@transaction.atomic
def reassign_company(*, company, to_user, by) -> Company:
    """Hand a company to another person (admins only); `to_user=None` leaves it unclaimed."""
    _require(by, ADMIN)
    if to_user is not None and not has_role(to_user, RESEARCHER, REP):
        raise ServiceError(f"{_who(to_user)} has no research or outreach role.")
    locked = _locked(company)
    _update(locked, assignee=to_user, claimed_at=timezone.now() if to_user else None)
    _refresh(company, Company(assignee=to_user))
    return company


@transaction.atomic
def change_status(*, company, to_status, user, reason="", snoozed_until=None) -> StatusChange:
    """Move a company along the workflow and record who moved it, when and why.

    Disqualifying needs a reason; snoozing needs a future date (the company returns to the
    queue on that date); moves the workflow does not allow are refused.
    """
    _require(user, RESEARCHER, REP)
    if to_status not in Status.values:
        raise ServiceError(f"Unknown status {to_status!r}.")
    to_status = Status(to_status)
    if not has_role(user, RESEARCHER) and to_status not in REP_STATUSES:
        raise PermissionDenied("Outreach reps can only record outreach outcomes.")
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ServiceError("Keep the reason under 300 characters.")
    locked = _locked(company)
    if to_status not in TRANSITIONS[Status(locked.status)]:
        raise ServiceError(
            f"A company that is {locked.get_status_display().lower()} cannot move to "
            f"{to_status.label.lower()}."
        )
    fields = {"status": to_status, "snoozed_until": None}
    if to_status == Status.DISQUALIFIED:
        if not reason:
            raise ServiceError("Say why the company is disqualified.")
        fields["disqualified_reason"] = reason
    elif to_status == Status.SNOOZED:
        if not isinstance(snoozed_until, dt.date):
            raise ServiceError("Choose the date the company comes back to the queue.")
        if snoozed_until <= timezone.localdate():
            raise ServiceError("The snooze date must be in the future.")
        fields["snoozed_until"] = snoozed_until
        reason = reason or f"Until {snoozed_until:%Y-%m-%d}"
    if locked.status == Status.DISQUALIFIED:
        fields["disqualified_reason"] = ""
    change = _record_status(locked, to_status=to_status, user=user, reason=reason)
    _update(locked, **fields)
    company.refresh_from_db()
    return change


@transaction.atomic
def add_note(*, company, author, body) -> Note:
    """Add a timestamped note by its author (researchers, reps, admins)."""
    _require(author, RESEARCHER, REP)
    body = (body or "").strip()
    if not body:
        raise ServiceError("A note cannot be empty.")
    if len(body) > NOTE_MAX_CHARS:
        raise ServiceError(f"Keep a note under {NOTE_MAX_CHARS:,} characters.")
    return Note.objects.create(company=company, author=author, body=body)


@transaction.atomic
def add_contact(
    *,
    company,
    user,
    name,
    title="",
    persona=Contact.Persona.OTHER,
    email="",
    phone="",
    linkedin_url="",
) -> Contact:
    """Add a person at the company with their buyer persona; fields are validated."""
    _require(user, RESEARCHER)
    contact = Contact(
        company=company,
        name=(name or "").strip(),
        title=(title or "").strip(),
        persona=persona or Contact.Persona.OTHER,
        email=(email or "").strip(),
        phone=(phone or "").strip(),
        linkedin_url=(linkedin_url or "").strip(),
        created_by=user,
    )
    if contact.linkedin_url and not contact.linkedin_url.lower().startswith(
        ("https://", "http://")
    ):
        raise ServiceError({"linkedin_url": "Use a web address starting with https://."})
    _full_clean(contact, exclude=["created_by"])
    contact.save()
    return contact


@transaction.atomic
def log_touchpoint(
    *, company, user, channel, happened_on, outcome, summary="", contact=None
) -> Touchpoint:
    """Record an outreach rep's touchpoint and its outcome.

    The first touchpoint moves the company into outreach; the outcome "converted" makes it
    converted (an outreach conversion, kept apart from visitors' own conversions).
    """
    _require(user, REP)
    if channel not in Touchpoint.Channel.values:
        raise ServiceError({"channel": f"Unknown channel {channel!r}."})
    if outcome not in Touchpoint.Outcome.values:
        raise ServiceError({"outcome": f"Unknown outcome {outcome!r}."})
    if not isinstance(happened_on, dt.date):
        raise ServiceError({"happened_on": "Give the date of the touchpoint."})
    if happened_on > timezone.localdate():
        raise ServiceError({"happened_on": "A touchpoint cannot be in the future."})
    if contact is not None and contact.company_id != company.pk:
        raise ServiceError({"contact": "That contact works at another company."})
    locked = _locked(company)
    if locked.status in (Status.CONVERTED, Status.DISQUALIFIED):
        raise ServiceError(f"{locked.name} is {locked.get_status_display().lower()}.")
    touchpoint = Touchpoint.objects.create(
        company=locked,
        contact=contact,
        channel=channel,
        happened_on=happened_on,
        outcome=outcome,
        summary=(summary or "").strip(),
        logged_by=user,
    )
    if outcome == Touchpoint.Outcome.CONVERTED:
        _record_status(
            locked, to_status=Status.CONVERTED, user=user, reason="Outreach: converted to SQL"
        )
    elif locked.status in PRE_OUTREACH:
        _record_status(locked, to_status=Status.IN_OUTREACH, user=user, reason="First touchpoint")
    _update(locked, status=locked.status, snoozed_until=None)
    company.refresh_from_db()
    return touchpoint


@transaction.atomic
def update_company(*, company, user, **fields) -> Company:
    """Edit a company's name, industry, size or relationship (research staff).

    A person-given name stops being derived from the domain.
    """
    _require(user, RESEARCHER)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ServiceError(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    locked = _locked(company)
    for name, value in fields.items():
        setattr(locked, name, (value or "").strip() if isinstance(value, str) else value)
    if "name" in fields and locked.name != company.name:
        locked.name_is_derived = False
    _full_clean(locked, exclude=["assignee"])
    locked.save(update_fields=[*fields, "name_is_derived", "updated_at"])
    company.refresh_from_db()
    return company


@transaction.atomic
def set_threshold(*, value, user) -> ThresholdChange:
    """Set the capacity threshold (admins only); the change is kept with who made it."""
    _require(user, ADMIN)
    try:
        value = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError({"value": "The threshold is a number between 0 and 1."}) from exc
    if not Decimal("0") <= value <= Decimal("1"):
        raise ServiceError({"value": "The threshold is a number between 0 and 1."})
    return ThresholdChange.objects.create(value=value, changed_by=user)


# What a researcher may say a wrongly identified IP really is.
WRONG_IDENTIFICATION_CHOICES = [
    (c.value, c.label)
    for c in Classification
    if c not in (Classification.PENDING, Classification.BUSINESS)
]


@transaction.atomic
def mark_identification_wrong(
    *, company, ip, user, classification=Classification.UNKNOWN, note=""
) -> IdentificationOverride:
    """Say one of the company's IPs is not the company: it becomes a hand override.

    The override re-labels the IP at once (its visitors leave the company) and wins over
    every later lookup.
    """
    _require(user, RESEARCHER)
    if classification not in dict(WRONG_IDENTIFICATION_CHOICES):
        raise ServiceError({"classification": "Choose what the address really is."})
    belongs = (
        Visitor.objects.filter(company=company, ip=ip).exists()
        or IPResolution.objects.filter(company=company, ip=ip).exists()
    )
    if not belongs:
        raise ServiceError({"ip": f"{ip} is not one of {company.name}'s addresses."})
    text = (note or "").strip()[:250]
    return create_override(
        kind=IdentificationOverride.Kind.IP,
        value=ip,
        classification=classification,
        note=f"not {company.domain}" + (f": {text}" if text else ""),
        created_by=user,
    )


def _full_clean(instance, exclude):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ServiceError(exc.message_dict) from exc
