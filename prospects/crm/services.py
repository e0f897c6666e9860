"""Writes of the research workspace: claims, status moves and their undo, notes, contacts.

Every service takes keyword arguments, runs in one transaction, locks the company row where two
people can race, refuses with ServiceError (a ValidationError, so forms and the API show its
message) and raises PermissionDenied when the user's role does not allow the action.
Outreach (a rep taking a company, touchpoints, tasks) is in prospects.crm.outreach.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from prospects.crm import holds, limits
from prospects.crm.outreach import hold_for_outreach, is_held_out
from prospects.crm.rows import locked as _locked
from prospects.crm.rows import record_status as _record_status
from prospects.crm.rows import refresh_exclusions_if_sql_changed
from prospects.crm.rows import write as _update
from prospects.crm.workflow import FINAL_STATUSES, REP_STATUSES, TRANSITIONS
from prospects.errors import ServiceError
from prospects.identify.exclusions import refresh_exclusions_for_companies
from prospects.identify.models import Classification
from prospects.identify.services import create_override
from prospects.models import (
    Company,
    Contact,
    IdentificationOverride,
    IPResolution,
    Note,
    StatusChange,
    Visitor,
)
from prospects.roles import ADMIN, REP, RESEARCHER, has_role, require_role

Status = Company.Status

# How long the person who made a final move (or an admin) may undo it.
UNDO_WINDOW = dt.timedelta(hours=24)
EDITABLE_FIELDS = {"name", "industry", "size", "relationship", "time_zone"}


def claim_company(*, company, user) -> Company:
    """Give the company to the user; a new company moves to researching.

    Claiming one's own claim again changes nothing; a company someone else holds is refused
    with "already claimed by X", so of two simultaneous claims exactly one wins; a closed
    company is refused.
    """
    return holds.take(holds.RESEARCH, company=company, user=user, refuse=_refuse_closed)


def _refuse_closed(company) -> None:
    if company.is_closed:
        raise ServiceError(f"{company.name} is {company.get_status_display().lower()}.")


def release_claim(*, company, user) -> Company:
    """Give up a claim (its holder or an admin); a company being researched returns to new,
    back in the queue for anyone to claim."""
    return holds.release(holds.RESEARCH, company=company, user=user)


def reassign_company(*, company, to_user, by) -> Company:
    """Hand a company to another researcher (admins only); `to_user=None` leaves it unclaimed.

    A company the running experiment holds out is refused a holder: it would reach that
    person's work list, alerts and bulk actions, which control companies must never reach.
    """
    return holds.reassign(
        holds.RESEARCH, company=company, to_user=to_user, by=by, refuse=_refuse_held_out_research
    )


def _refuse_held_out_research(company) -> None:
    if is_held_out(company):
        raise ServiceError(
            f"{company.name} is in the control arm of the running experiment: it is hidden "
            "from researchers and reps, so it cannot be given to anyone until the experiment "
            "is stopped (admins see it on the experiment page)."
        )


def allowed_statuses(*, user, company) -> list[Status]:
    """The statuses this user may move the company to now, in workflow order.

    Moving into outreach is a rep's (it makes them the company's rep); reps may only record
    outreach outcomes.
    """
    allowed = TRANSITIONS[Status(company.status)]
    if not has_role(user, RESEARCHER):
        allowed = allowed & REP_STATUSES
    if not has_role(user, REP):
        allowed = allowed - {Status.IN_OUTREACH}
    return [status for status in Status if status in allowed]


@transaction.atomic
def change_status(*, company, to_status, user, reason="", snoozed_until=None) -> StatusChange:
    """Move a company along the workflow and record who moved it, when and why.

    Disqualifying needs a reason; snoozing needs a future date (the company returns to the
    queue on that date); moving into outreach makes the rep the company's rep (refused when
    another rep has it); moves the workflow does not allow are refused.
    """
    require_role(user, RESEARCHER, REP)
    if to_status not in Status.values:
        raise ServiceError(f"Unknown status {to_status!r}.")
    to_status = Status(to_status)
    if not has_role(user, RESEARCHER) and to_status not in REP_STATUSES:
        raise PermissionDenied("Outreach reps can only record outreach outcomes.")
    reason = (reason or "").strip()
    limits.check_length("reason", reason, limits.REASON_MAX_CHARS, "the reason")
    locked = _locked(company)
    if to_status not in allowed_statuses(user=user, company=locked):
        raise ServiceError(
            f"A company that is {locked.get_status_display().lower()} cannot move to "
            f"{to_status.label.lower()}."
        )
    previous = locked.status
    # A final move keeps the snooze date, so undoing it back to snoozed keeps it too.
    fields = {"status": to_status}
    if to_status not in FINAL_STATUSES:
        fields["snoozed_until"] = None
    if to_status == Status.DISQUALIFIED:
        if not reason:
            raise ServiceError("Say why the company is disqualified.")
        fields["disqualified_reason"] = reason
    elif to_status == Status.SNOOZED:
        limits.check_snooze_day(snoozed_until)
        fields["snoozed_until"] = snoozed_until
        reason = reason or f"Until {snoozed_until:%Y-%m-%d}"
    elif to_status == Status.IN_OUTREACH:
        hold_for_outreach(locked, user=user)
    if locked.status == Status.DISQUALIFIED:
        fields["disqualified_reason"] = ""
    change = _record_status(locked, to_status=to_status, user=user, reason=reason)
    _update(locked, **fields)
    refresh_exclusions_if_sql_changed(locked, previous_status=previous)
    company.refresh_from_db()
    return change


def undo_deadline(change: StatusChange) -> dt.datetime:
    """Until when a final move can be undone."""
    return change.changed_at + UNDO_WINDOW


def may_undo(*, change: StatusChange | None, user, now=None) -> bool:
    """Whether the user may undo this move now: a final move, the company's latest, by them
    (or an admin), less than UNDO_WINDOW ago and not undone already.

    `change` must be the company's latest move; the page passes the one it shows on top.
    """
    if change is None or change.to_status not in FINAL_STATUSES:
        return False
    if change.changed_by_id != user.pk and not has_role(user, ADMIN):
        return False
    return (now or timezone.now()) < undo_deadline(change)


@transaction.atomic
def undo_status_change(*, company, change_id, user) -> StatusChange:
    """Undo a conversion, a later stage or a disqualification: the company goes back.

    Recorded as a move of its own that names the move it undoes; allowed for a day to the
    person who made the move and to admins, and only while it is the company's latest move.
    An undone conversion puts the company's visitors back in the queue.
    """
    require_role(user, RESEARCHER, REP)
    locked = _locked(company)
    latest = StatusChange.objects.filter(company=locked).order_by("-changed_at", "-id").first()
    if latest is None or latest.pk != change_id or latest.to_status != locked.status:
        raise ServiceError(f"{locked.name} has moved since; that move can no longer be undone.")
    if latest.to_status not in FINAL_STATUSES:
        raise ServiceError("Only a conversion, a later stage or a disqualification can be undone.")
    if latest.changed_by_id != user.pk and not has_role(user, ADMIN):
        raise PermissionDenied("Only the person who made this move or an admin can undo it.")
    if timezone.now() >= undo_deadline(latest):
        raise ServiceError("This move is more than a day old and can no longer be undone.")
    previous = locked.status
    change = _record_status(
        locked,
        to_status=latest.from_status,
        user=user,
        reason=f"Undid {Status(latest.to_status).label.lower()}",
        undoes=latest,
    )
    fields = {"status": locked.status, "disqualified_reason": ""}
    if locked.status != Status.SNOOZED:
        fields["snoozed_until"] = None
    _update(locked, **fields)
    refresh_exclusions_if_sql_changed(locked, previous_status=previous)
    company.refresh_from_db()
    return change


@transaction.atomic
def add_note(*, company, author, body) -> Note:
    """Add a timestamped note by its author (researchers, reps, admins)."""
    require_role(author, RESEARCHER, REP)
    body = (body or "").strip()
    if not body:
        raise ServiceError("A note cannot be empty.")
    limits.check_length("body", body, limits.NOTE_MAX_CHARS, "a note")
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
    require_role(user, RESEARCHER)
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
def update_company(*, company, user, **fields) -> Company:
    """Edit a company's name, industry, size, relationship or time zone (research staff).

    A person-given name stops being derived from the domain.
    """
    require_role(user, RESEARCHER)
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
    if "relationship" in fields:
        # A customer, competitor or excluded company leaves the queue in this transaction.
        refresh_exclusions_for_companies([locked.pk])
    company.refresh_from_db()
    return company


@transaction.atomic
def set_relationships(*, domains: dict[str, str]) -> int:
    """Set companies' relationships by domain (the vendor's customer and competitor lists).

    Unknown domains and relationships are skipped; the companies' visitors' exclusions are
    refreshed in the same transaction. Returns how many companies changed.
    """
    changed = []
    for relationship in Company.Relationship.values:
        names = [domain for domain, value in domains.items() if value == relationship]
        rows = Company.objects.filter(domain__in=names).exclude(relationship=relationship)
        ids = list(rows.values_list("pk", flat=True))
        Company.objects.filter(pk__in=ids).update(
            relationship=relationship, updated_at=timezone.now()
        )
        changed.extend(ids)
    refresh_exclusions_for_companies(changed)
    return len(changed)


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
    every later lookup. A masked address (its visitors keep only the prefix) becomes one
    masked override per full address behind it among the company's visitors, matched by
    its keyed hash: the same visitors, and their later lines, not the prefix's neighbours.
    """
    require_role(user, RESEARCHER)
    if classification not in dict(WRONG_IDENTIFICATION_CHOICES):
        raise ServiceError({"classification": "Choose what the address really is."})
    visitors = Visitor.objects.filter(company=company, ip=ip)
    keys = sorted(set(visitors.filter(ip_key__gt=0).values_list("ip_key", flat=True)))
    full = (
        visitors.filter(ip_key=0).exists()
        or IPResolution.objects.filter(company=company, ip=ip).exists()
    )
    if not (full or keys):
        raise ServiceError({"ip": f"{ip} is not one of {company.name}'s addresses."})
    text = (note or "").strip()[:250]
    made = [
        create_override(
            kind=IdentificationOverride.Kind.IP,
            value=ip,
            classification=classification,
            note=f"not {company.domain}" + (f": {text}" if text else ""),
            created_by=user,
            ip_key=ip_key,
        )
        for ip_key in ([0] if full else []) + keys
    ]
    return made[0]


def _full_clean(instance, exclude):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ServiceError(exc.message_dict) from exc
