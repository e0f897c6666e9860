"""Row-level helpers the CRM services share: lock a company, write it, record a move.

Each is called inside a service's transaction; none opens one of its own.
"""

from django.utils import timezone

from prospects.identify.exclusions import refresh_exclusions_for_companies
from prospects.models import Company, StatusChange


def locked(company) -> Company:
    """The company row, locked for the rest of the transaction.

    No join here: after waiting for a lock, PostgreSQL re-reads the locked row but not the
    outer-joined one, so a joined assignee could come back empty.
    """
    return Company.objects.select_for_update().get(pk=company.pk)


def write(company, **fields) -> None:
    """Write fields of a locked company row (bulk update skips auto_now, so set it here)."""
    Company.objects.filter(pk=company.pk).update(updated_at=timezone.now(), **fields)


def record_status(company, *, to_status, user, reason="", undoes=None) -> StatusChange:
    """Record a move from the company's current status and set it on the instance."""
    change = StatusChange.objects.create(
        company=company,
        from_status=company.status,
        to_status=to_status,
        reason=reason,
        changed_by=user,
        undoes=undoes,
    )
    company.status = to_status
    return change


def refresh_exclusions_if_sql_changed(company, *, previous_status) -> None:
    """A company that became an SQL (or a later stage), or stopped being one, updates its
    visitors' exclusions.

    In the caller's transaction, so the queue never shows an SQL's visitors nor hides those of
    a company whose conversion was undone; a customer's visitors are excluded as a customer's.
    """
    if {company.status, previous_status} & set(Company.SQL_STATUSES):
        refresh_exclusions_for_companies([company.pk])


def person(user) -> str:
    """How a person is named in messages."""
    return user.get_full_name() or user.get_username()
