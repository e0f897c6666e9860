"""Filters for the log configuration in settings.LOGGING."""

import logging


class RootWarningsOnly(logging.Filter):
    """On the root logger itself: keep warnings and errors, drop INFO and DEBUG.

    A filter on a logger sees only the records logged on that logger, not those that propagate
    up from named ones, so our own loggers (`logging.getLogger(__name__)`) keep their INFO.
    What is logged straight on the root at INFO is libraries' chatter: scipy's shgo, which
    Boschloo's exact test on the experiment page runs, logs its bounds with `logging.info`,
    and with the root at INFO every report printed "[[np.float64(0.0), np.float64(1.0)]]".
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING
