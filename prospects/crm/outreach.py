"""Writes of outreach: a rep takes a ready company, logs touchpoints, and everyone's tasks.

Like prospects.crm.services: keyword-only, one transaction each, the company row locked where
two people can race, ServiceError for refusals and PermissionDenied for the wrong role.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from prospects.crm import holds, limits
from prospects.crm.rows import locked, person, record_status, refresh_exclusions_if_sql_changed
from prospects.crm.rows import write as update
from prospects.crm.workflow import TRANSITIONS
from prospects.errors import ServiceError
from prospects.models import Company, Task, Touchpoint
from prospects.roles import ADMIN, REP, RESEARCHER, has_role, require_role
from prospects.timing.selectors import contact_window

Status = Company.Status

# Statuses a touchpoint moves into outreach (work has started with the company).
PRE_OUTREACH = {Status.NEW, Status.RESEARCHING, Status.READY, Status.SNOOZED}
# Statuses in which a rep may take a company.
TAKEABLE = {Status.READY, Status.IN_OUTREACH}
TASK_TITLE_MAX = 200
# Outcomes that mark a stage, and the status each moves the company to.
STAGE_OUTCOMES = {
    Touchpoint.Outcome.CONVERTED: Status.CONVERTED,
    Touchpoint.Outcome.OPPORTUNITY: Status.OPPORTUNITY,
    Touchpoint.Outcome.WON: Status.CUSTOMER,
}
STAGE_REASONS = {
    Status.CONVERTED: "Outreach: converted to SQL",
    Status.OPPORTUNITY: "Outreach: opportunity opened",
    Status.CUSTOMER: "Outreach: won, now a customer",
}


def is_held_out(company) -> bool:
    """Whether the running experiment holds the company out (its control arm): the page asks
    this to offer no outreach, refuse_held_out to refuse it."""
    return Company.objects.held_out().filter(pk=company.pk).exists()


def refuse_held_out(company) -> None:
    """Refuse outreach (taking, a rep, a move into outreach, touchpoints, tasks) for a company
    the running experiment holds out: its control arm must get none, or the measured lift is
    wrong.

    Admins still see such a company (the experiment page links to it), so the services, not
    only the pages, keep the rule.
    """
    if is_held_out(company):
        raise ServiceError(
            f"{company.name} is in the control arm of the running experiment: it gets no "
            "outreach, touchpoints or tasks until the experiment is stopped."
        )


def hold_for_outreach(company, *, user) -> None:
    """Make the user the locked company's rep, or check that they are.

    Nobody's company becomes theirs (of two reps exactly one wins); another rep's company is
    refused, except to admins, who act without taking it over; a company the running
    experiment holds out is refused to everyone (refuse_held_out).
    """
    refuse_held_out(company)
    if company.rep_id is not None and has_role(user, ADMIN):
        return
    if not holds.already_holds(holds.OUTREACH, company, user=user):
        holds.win(holds.OUTREACH, company, user=user)


def take_for_outreach(*, company, user) -> Company:
    """A rep takes a company that is ready for outreach; it moves into outreach.

    Taking one's own company again changes nothing; a company another rep has is refused
    with "already taken by X", so of two simultaneous takes exactly one wins; a company that
    is not ready, or that the running experiment holds out, is refused.
    """
    return holds.take(holds.OUTREACH, company=company, user=user, refuse=_refuse_untakeable)


def _refuse_untakeable(company) -> None:
    if company.status not in TAKEABLE:
        raise ServiceError(
            f"{company.name} is {company.get_status_display().lower()}, not ready for outreach."
        )
    refuse_held_out(company)


def release_outreach(*, company, user) -> Company:
    """The rep (or an admin) gives the company back: it is ready for another rep to take."""
    return holds.release(holds.OUTREACH, company=company, user=user)


def reassign_outreach(*, company, to_user, by) -> Company:
    """Hand a company's outreach to another rep (admins only); `to_user=None` frees it. A
    held-out company gets no rep."""
    return holds.reassign(
        holds.OUTREACH, company=company, to_user=to_user, by=by, refuse=refuse_held_out
    )


@transaction.atomic
def log_touchpoint(
    *,
    company,
    user,
    channel,
    happened_on,
    outcome,
    summary="",
    contact=None,
    next_step_on=None,
    next_step_kind=Task.Kind.OTHER,
    next_step_title="",
) -> Touchpoint:
    """Record a rep's touchpoint and its outcome, and the next step if one is given.

    The company becomes the rep's (refused if another rep has it); the first touchpoint moves
    it into outreach; the outcome "converted" makes it converted (an outreach conversion,
    kept apart from visitors' own conversions), "opportunity" and "won" move it on to those
    stages (through the SQL when it is not one yet), each move recorded with its time. A
    customer or a disqualified company takes no more touchpoints. `next_step_on` adds a task
    for the rep.
    """
    require_role(user, REP)
    if channel not in Touchpoint.Channel.values:
        raise ServiceError({"channel": f"Unknown channel {channel!r}."})
    if outcome not in Touchpoint.Outcome.values:
        raise ServiceError({"outcome": f"Unknown outcome {outcome!r}."})
    limits.check_touchpoint_day(happened_on)
    summary = (summary or "").strip()
    limits.check_length("summary", summary, limits.SUMMARY_MAX_CHARS, "the summary")
    if contact is not None and contact.company_id != company.pk:
        raise ServiceError({"contact": "That contact works at another company."})
    if next_step_on is not None and outcome == Touchpoint.Outcome.WON:
        raise ServiceError({"next_step_on": "A won customer needs no next step here."})
    row = locked(company)
    if not row.outreach_open:
        raise ServiceError(f"{row.name} is {row.get_status_display().lower()}.")
    stages = stage_moves(row.status, outcome)
    # Refuses a held-out company before anything is written.
    hold_for_outreach(row, user=user)
    previous = row.status
    touchpoint = Touchpoint.objects.create(
        company=row,
        contact=contact,
        channel=channel,
        happened_on=happened_on,
        outcome=outcome,
        summary=summary,
        logged_by=user,
    )
    for stage in stages:
        record_status(row, to_status=stage, user=user, reason=STAGE_REASONS[stage])
    if not stages and row.status in PRE_OUTREACH:
        record_status(row, to_status=Status.IN_OUTREACH, user=user, reason="First touchpoint")
    update(row, status=row.status, snoozed_until=None)
    if next_step_on is not None:
        _new_task(
            company=row,
            user=user,
            owner=user,
            due_on=next_step_on,
            kind=next_step_kind,
            title=next_step_title,
            contact=contact,
            touchpoint=touchpoint,
        )
    refresh_exclusions_if_sql_changed(row, previous_status=previous)
    company.refresh_from_db()
    return touchpoint


def stage_moves(status, outcome) -> list[Status]:
    """The moves a touchpoint's outcome makes from this status, in order (none for a plain
    outcome); a later stage goes through the SQL first. Refused when the company is past it."""
    target = STAGE_OUTCOMES.get(outcome)
    if target is None:
        return []
    if target in TRANSITIONS[Status(status)]:
        return [target]
    if status not in Company.SQL_STATUSES and target in TRANSITIONS[Status.CONVERTED]:
        return [Status.CONVERTED, target]
    if status not in Company.SQL_STATUSES and target == Status.CONVERTED:
        return [target]
    raise ServiceError(
        {"outcome": f"The company is {Status(status).label.lower()}: it is past that outcome."}
    )


@transaction.atomic
def add_task(
    *, company, user, due_on, kind=Task.Kind.OTHER, title="", contact=None, owner=None
) -> Task:
    """Add a follow-up on a company, due on a day (today or later), for the user, with the
    contact window its visitors' hours suggest.

    Admins may give the task to someone else with a research or outreach role.
    """
    require_role(user, RESEARCHER, REP)
    owner = owner or user
    if owner.pk != user.pk:
        if not has_role(user, ADMIN):
            raise PermissionDenied("Only admins give tasks to other people.")
        if not has_role(owner, RESEARCHER, REP):
            raise ServiceError({"owner": f"{person(owner)} has no research or outreach role."})
    row = locked(company)
    if not row.outreach_open:
        raise ServiceError(f"{row.name} is {row.get_status_display().lower()}.")
    refuse_held_out(row)
    return _new_task(
        company=row, user=user, owner=owner, due_on=due_on, kind=kind, title=title, contact=contact
    )


def _new_task(*, company, user, owner, due_on, kind, title, contact, touchpoint=None) -> Task:
    field = "next_step_on" if touchpoint is not None else "due_on"
    if not isinstance(due_on, dt.date):
        raise ServiceError({field: "Choose the day it is due."})
    if due_on < timezone.localdate():
        raise ServiceError({field: "The due date cannot be in the past."})
    if kind not in Task.Kind.values:
        raise ServiceError({"kind": f"Unknown kind {kind!r}."})
    title = (title or "").strip()
    if len(title) > TASK_TITLE_MAX:
        raise ServiceError({"title": f"Keep it under {TASK_TITLE_MAX} characters."})
    if contact is not None and contact.company_id != company.pk:
        raise ServiceError({"contact": "That contact works at another company."})
    return Task.objects.create(
        company=company,
        contact=contact,
        owner=owner,
        kind=kind,
        title=title,
        due_on=due_on,
        contact_window=contact_window(company=company),
        touchpoint=touchpoint,
        created_by=user,
    )


@transaction.atomic
def complete_task(*, task, user) -> Task:
    """Mark a task done (its owner or an admin); doing it again changes nothing.

    A task whose owner's account is gone may be done by anyone on the team.
    """
    require_role(user, RESEARCHER, REP)
    row = Task.objects.select_for_update().get(pk=task.pk)
    if row.owner_id not in (None, user.pk) and not has_role(user, ADMIN):
        raise PermissionDenied("Only the task's owner or an admin can mark it done.")
    if row.done_at is None:
        now = timezone.now()
        Task.objects.filter(pk=row.pk).update(done_at=now, done_by=user)
    task.refresh_from_db()
    return task
