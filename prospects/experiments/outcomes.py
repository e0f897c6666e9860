"""Each arm's size, score sums and conversions within the windows, in one statement.

The experiment page needs, per arm: the entries' count and sums of the score and its square,
how many windows are still open, and per measure (organic, SQL, either) the converted
entries' count and score sum, plus how many treated entries a rep reached and how many of
those converted. Three queries (the arms' sums, and the conversions and the touchpoints each
joined to its entry) read the experiment's entries three times and sent every event back;
here one statement reads them twice (their sums, and the conversions and touchpoints joined
to them together), and four rows come back.
"""

from dataclasses import dataclass

from django.db import connection

from prospects.crm.outreach import STAGE_OUTCOMES
from prospects.experiments.models import Experiment, QueueEntry
from prospects.models import Touchpoint, Visitor

# The converted entries' count and score sum of each measure, in the statement's order.
MEASURES = ("organic", "sql", "any")


@dataclass(frozen=True)
class ArmOutcomes:
    """One arm's sums: everything the statistics and the outreach check read."""

    n: int
    x: float
    xx: float
    open: int
    converted: dict  # measure -> (count, score sum)
    reached: int
    reached_converted: int


def _statement() -> str:
    entry, visitor = QueueEntry._meta.db_table, Visitor._meta.db_table
    touchpoint = Touchpoint._meta.db_table
    stages = ", ".join(["%s"] * len(STAGE_OUTCOMES))
    either = "(f.organic = 1 OR f.is_sql = 1)"
    converted = ", ".join(
        f"SUM(CASE WHEN {test} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {test} THEN f.probability ELSE 0 END)"
        for test in ("f.organic = 1", "f.is_sql = 1", either)
    )
    # The first part is the entries' own sums; the second starts from the few events since
    # the start (conversions and touchpoints in one list) and joins them to their entries
    # once, keeping each inside its window (a conversion after the entry and up to the end of
    # its window; a touchpoint, which carries only a day, on those vendor-local days), then
    # folds them per company, so a company with two events counts once.
    return f"""
        SELECT e.arm, COUNT(*), SUM(e.probability), SUM(e.probability * e.probability),
            SUM(CASE WHEN e.window_ends_at > %s THEN 1 ELSE 0 END),
            0, 0, 0, 0, 0, 0, 0, 0
        FROM {entry} e WHERE e.experiment_id = %s GROUP BY e.arm
        UNION ALL
        SELECT f.arm, 0, 0, 0, 0, {converted},
            SUM(f.reached), SUM(CASE WHEN f.reached = 1 AND {either} THEN 1 ELSE 0 END)
        FROM (
            SELECT w.arm, w.probability, MAX(ev.organic) AS organic, MAX(ev.is_sql) AS is_sql,
                MAX(ev.reached) AS reached
            FROM (
                SELECT v.company_id, 1 AS organic, 0 AS is_sql, 0 AS reached,
                    v.converted_at AS at, CAST(NULL AS date) AS day
                FROM {visitor} v WHERE v.converted_at > %s AND v.converted_at <= %s
                UNION ALL
                SELECT tp.company_id, 0, CASE WHEN tp.outcome IN ({stages}) THEN 1 ELSE 0 END,
                    1, CAST(NULL AS timestamp with time zone), tp.happened_on
                FROM {touchpoint} tp WHERE tp.happened_on >= %s AND tp.happened_on <= %s
            ) ev
            JOIN {entry} w ON w.company_id = ev.company_id
            WHERE w.experiment_id = %s AND (
                (ev.organic = 1 AND ev.at > w.entered_at AND ev.at <= w.window_ends_at)
                OR (ev.reached = 1 AND ev.day >= w.entered_on AND ev.day <= w.window_ends_on)
            )
            GROUP BY w.company_id, w.arm, w.probability
        ) f
        GROUP BY f.arm
    """


def arm_outcomes(experiment: Experiment, *, stop, start_day, stop_day) -> dict[str, ArmOutcomes]:
    """{arm: ArmOutcomes} of the experiment's entries, windows cut at `stop` (a time) and
    touchpoints counted from `start_day` to `stop_day` (vendor-local days); one query."""
    ops = connection.ops
    at, since = (
        ops.adapt_datetimefield_value(stop),
        ops.adapt_datetimefield_value(experiment.started_at),
    )
    first, last = ops.adapt_datefield_value(start_day), ops.adapt_datefield_value(stop_day)
    stages = [str(outcome) for outcome in STAGE_OUTCOMES]
    params = [at, experiment.pk, since, at, *stages, first, last, experiment.pk]
    with connection.cursor() as cursor:
        cursor.execute(_statement(), params)
        rows = cursor.fetchall()
    # Each arm has a row of sums and, when any of its entries has an event, a row of events.
    totals = {}
    for arm, *values in rows:
        row = totals.setdefault(arm, [0] * len(values))
        for i, value in enumerate(values):
            row[i] += value or 0
    found = {}
    for arm, (n, x, xx, still_open, *rest) in totals.items():
        pairs, (reached, reached_converted) = rest[:-2], rest[-2:]
        found[arm] = ArmOutcomes(
            n=int(n),
            x=float(x),
            xx=float(xx),
            open=int(still_open),
            converted={
                key: (int(pairs[2 * i]), float(pairs[2 * i + 1])) for i, key in enumerate(MEASURES)
            },
            reached=int(reached),
            reached_converted=int(reached_converted),
        )
    return found
