"""Writes of the queue: the admin's capacity threshold."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from prospects.errors import ServiceError
from prospects.experiments.services import record_queue_entries
from prospects.models import ThresholdChange
from prospects.roles import ADMIN, require_role


@transaction.atomic
def set_threshold(*, value, user) -> ThresholdChange:
    """Set the capacity threshold (admins only); the change is kept with who made it."""
    require_role(user, ADMIN)
    try:
        value = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError({"value": "The threshold is a number between 0 and 1."}) from exc
    if not Decimal("0") <= value <= Decimal("1"):
        raise ServiceError({"value": "The threshold is a number between 0 and 1."})
    change = ThresholdChange.objects.create(value=value, changed_by=user)
    # A lower threshold lets companies into the queue: they get their arm before anyone sees them.
    record_queue_entries()
    return change
