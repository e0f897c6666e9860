"""Bulk actions on queue rows: claim, assign (research or outreach), snooze or disqualify many
companies at once.

Each action is one service call and one transaction; every company goes through the same CRM
service as the single action (its own savepoint), so the permission rules and refusals are
the same, and a refused company leaves the others done.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from prospects.crm import limits, outreach, services
from prospects.errors import ServiceError
from prospects.models import Company
from prospects.roles import ADMIN, RESEARCHER, require_role

Status = Company.Status

CLAIM, ASSIGN, ASSIGN_REP = "claim", "assign", "assign_rep"
SNOOZE, DISQUALIFY = "snooze", "disqualify"
ACTIONS = {
    CLAIM: "Claim",
    ASSIGN: "Assign to a researcher",
    ASSIGN_REP: "Assign to a rep",
    SNOOZE: "Snooze until",
    DISQUALIFY: "Disqualify",
}
# What the summary says was done to the companies that changed ({} is "3 companies").
DONE_WORDS = {
    CLAIM: "Claimed {}",
    ASSIGN: "Assigned {}",
    ASSIGN_REP: "Assigned {} for outreach",
    SNOOZE: "Snoozed {}",
    DISQUALIFY: "Disqualified {}",
}
# More rows than a person can mean to change at once; "all matching" stops here.
BULK_MAX = 500


@dataclass
class BulkResult:
    """What a bulk action changed, and each refused company with the reason."""

    action: str
    changed: list = field(default_factory=list)
    refused: list = field(default_factory=list)

    def summary(self) -> str:
        """One sentence: how many changed, how many were refused."""
        n = len(self.changed)
        done = DONE_WORDS[self.action].format(f"{n} compan{'y' if n == 1 else 'ies'}")
        if self.refused:
            done += f"; {len(self.refused)} refused"
        return done + "."


def _check_inputs(*, action, user, to_user, reason, snoozed_until) -> None:
    """Refuse the whole action once when its own input is wrong, not once per company."""
    if action not in ACTIONS:
        raise ServiceError({"action": "Choose an action."})
    if action == CLAIM:
        require_role(user, RESEARCHER)
    elif action in (ASSIGN, ASSIGN_REP):
        require_role(user, ADMIN)
    elif action == DISQUALIFY:
        if not (reason or "").strip():
            raise ServiceError({"reason": "Say why these companies are disqualified."})
        limits.check_length("reason", reason.strip(), limits.REASON_MAX_CHARS, "the reason")
    elif action == SNOOZE:
        if snoozed_until is None:
            raise ServiceError({"snoozed_until": "Choose the day they come back."})
        limits.check_snooze_day(snoozed_until)


def _act_on(company, *, action, user, to_user, reason, snoozed_until) -> None:
    if action == CLAIM:
        services.claim_company(company=company, user=user)
    elif action == ASSIGN:
        services.reassign_company(company=company, to_user=to_user, by=user)
    elif action == ASSIGN_REP:
        outreach.reassign_outreach(company=company, to_user=to_user, by=user)
    elif action == SNOOZE:
        services.change_status(
            company=company, to_status=Status.SNOOZED, user=user, snoozed_until=snoozed_until
        )
    else:
        services.change_status(
            company=company, to_status=Status.DISQUALIFIED, user=user, reason=reason
        )


@transaction.atomic
def bulk_act(*, companies, action, user, to_user=None, reason="", snoozed_until=None) -> BulkResult:
    """Apply one action to the companies (a queue queryset, at most BULK_MAX of them)."""
    _check_inputs(
        action=action, user=user, to_user=to_user, reason=reason, snoozed_until=snoozed_until
    )
    rows = list(companies[: BULK_MAX + 1])
    if not rows:
        raise ServiceError({"ids": "Select at least one company."})
    if len(rows) > BULK_MAX:
        raise ServiceError(
            {"ids": f"At most {BULK_MAX} companies at once: narrow the filters first."}
        )
    result = BulkResult(action=action)
    for company in rows:
        # Each service is atomic: inside this transaction, a savepoint that a refusal undoes.
        try:
            _act_on(
                company,
                action=action,
                user=user,
                to_user=to_user,
                reason=reason,
                snoozed_until=snoozed_until,
            )
        except (ServiceError, PermissionDenied) as exc:
            message = " ".join(getattr(exc, "messages", [])) or str(exc)
            result.refused.append((company, message))
        else:
            result.changed.append(company)
    return result
