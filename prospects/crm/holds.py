"""A company's two holds, one shape: a researcher's claim and a rep's outreach.

Each hold is won with a conditional update (of two people exactly one wins, even without row
locks), given back by its holder or an admin (the company steps back to where the next person
picks it up) and handed over by admins. prospects.crm.services (claims) and
prospects.crm.outreach (taking a company) say which companies may not be held; these
functions keep what the two holds share.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from prospects.crm.rows import locked, person, record_status, write
from prospects.errors import ServiceError
from prospects.models import Company
from prospects.roles import ADMIN, REP, RESEARCHER, has_role, require_role

Status = Company.Status


@dataclass(frozen=True)
class Hold:
    """Which company fields name a hold's holder and since when, who may hold it, the status
    it works in and the one a release returns to, and its words in messages."""

    holder: str
    since: str
    role: str
    work: str
    # Taking the hold moves a company from `taken_from` to `worked`; a release moves it back
    # from `worked` to `released_to`.
    taken_from: Status
    worked: Status
    take_reason: str
    released_to: Status
    release_reason: str
    # "already claimed by X", "was claimed by someone else a moment ago."
    held: str
    lost: str
    not_held: str
    release_what: str

    def holder_id(self, company):
        """The id of the person holding the company this way, or None."""
        return getattr(company, f"{self.holder}_id")


RESEARCH = Hold(
    holder="assignee",
    since="claimed_at",
    role=RESEARCHER,
    work="research",
    taken_from=Status.NEW,
    worked=Status.RESEARCHING,
    take_reason="Claimed",
    released_to=Status.NEW,
    release_reason="Released",
    held="claimed",
    lost="was claimed by someone else a moment ago.",
    not_held="{name} is not claimed.",
    release_what="this claim",
)
OUTREACH = Hold(
    holder="rep",
    since="rep_claimed_at",
    role=REP,
    work="outreach",
    taken_from=Status.READY,
    worked=Status.IN_OUTREACH,
    take_reason="Taken for outreach",
    released_to=Status.READY,
    release_reason="Released by the rep",
    held="taken",
    lost="was taken by another rep a moment ago.",
    not_held="No rep has {name}.",
    release_what="this company",
)


def already_holds(hold: Hold, row, *, user) -> bool:
    """Whether the user holds the locked company already; refused ("already claimed by X")
    when someone else does."""
    holder_id = hold.holder_id(row)
    if holder_id is not None and holder_id != user.pk:
        raise ServiceError(
            f"{row.name} is already {hold.held} by {person(getattr(row, hold.holder))}."
        )
    return holder_id == user.pk


def win(hold: Hold, row, *, user) -> None:
    """Make the user the holder of the locked, unheld company, on the row and the instance.

    A conditional update: of two people taking it at once, the second is refused.
    """
    now = timezone.now()
    won = Company.objects.filter(pk=row.pk, **{f"{hold.holder}__isnull": True}).update(
        **{hold.holder: user, hold.since: now}, updated_at=now
    )
    if not won:
        raise ServiceError(f"{row.name} {hold.lost}")
    setattr(row, f"{hold.holder}_id", user.pk)
    setattr(row, hold.since, now)


@transaction.atomic
def take(hold: Hold, *, company, user, refuse) -> Company:
    """The user takes the hold; a company waiting for it moves into the hold's work.

    Taking one's own hold again changes nothing; a company someone else holds is refused
    ("already claimed by X"), so of two simultaneous takes exactly one wins; `refuse(row)`
    refuses a company that may not be taken (closed, not ready, held out).
    """
    require_role(user, hold.role)
    row = locked(company)
    if already_holds(hold, row, user=user):
        return row
    refuse(row)
    win(hold, row, user=user)
    if row.status == hold.taken_from:
        record_status(row, to_status=hold.worked, user=user, reason=hold.take_reason)
        write(row, status=row.status)
    company.refresh_from_db()
    return company


@transaction.atomic
def release(hold: Hold, *, company, user) -> Company:
    """Its holder (or an admin) gives the hold up; a company worked under it steps back."""
    row = locked(company)
    holder_id = hold.holder_id(row)
    if holder_id is None:
        raise ServiceError(hold.not_held.format(name=row.name))
    if holder_id != user.pk and not has_role(user, ADMIN):
        raise PermissionDenied(
            f"Only {person(getattr(row, hold.holder))} or an admin can release {hold.release_what}."
        )
    if row.status == hold.worked:
        record_status(row, to_status=hold.released_to, user=user, reason=hold.release_reason)
    write(row, **{hold.holder: None, hold.since: None}, status=row.status)
    company.refresh_from_db()
    return company


@transaction.atomic
def reassign(hold: Hold, *, company, to_user, by, refuse=None) -> Company:
    """Hand the hold to someone with its role (admins only); `to_user=None` frees it.

    `refuse(row)`, when given, may refuse the company a new holder (a held-out company gets
    no rep).
    """
    require_role(by, ADMIN)
    if to_user is not None and not has_role(to_user, hold.role):
        raise ServiceError(f"{person(to_user)} has no {hold.work} role.")
    row = locked(company)
    if to_user is not None and refuse is not None:
        refuse(row)
    write(row, **{hold.holder: to_user, hold.since: timezone.now() if to_user else None})
    company.refresh_from_db()
    return company
