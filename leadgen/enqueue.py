"""Sending work to the Celery broker without letting a dead broker break the caller."""

import logging

from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


def enqueue(task, *, countdown: float | None = None, **kwargs) -> bool:
    """Send `task` with these keyword arguments; False, logged, when the broker is unreachable.

    `countdown` delays it by that many seconds (Celery eager runs it at once).

    The broker timeouts in settings make a dead broker fail in about a second, so a web request
    or an import that hands on never hangs; beat's schedules pick the work up later. With Celery
    eager the task runs here and its own errors propagate.
    """
    try:
        task.apply_async(kwargs=kwargs, countdown=countdown)
    except OperationalError as exc:
        log.warning("could not enqueue %s: %s", task.name, exc)
        return False
    return True
