"""Writes: compute every attribution model over every journey and store the report."""

import datetime as dt
import time

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from prospects.attribution.attribute import Attribution, attribute
from prospects.attribution.credit import MODELS
from prospects.attribution.levels import DIMENSIONS, LEVELS, Level, build_level
from prospects.attribution.models import AttributionReport
from prospects.attribution.site import load_site
from prospects.experiments.models import Experiment, QueueEntry

DAY = 86400.0
# Reports kept (the page shows the newest; older ones show how credit moved).
KEPT = 10


def compute_attribution(*, now: dt.datetime | None = None) -> AttributionReport:
    """Every model at visitor and company level, stored as the newest report.

    Idempotent: the same data give the same report (fixed bootstrap seed).
    """
    started = time.perf_counter()
    now = now or timezone.now()
    lookback = settings.LEADGEN_ATTRIBUTION_LOOKBACK_DAYS
    half_life = settings.LEADGEN_ATTRIBUTION_HALF_LIFE_DAYS
    site = load_site()
    experiment = _checked_experiment()
    results: dict = {"check": None}
    for level, _label in LEVELS:
        built = build_level(site, level, lookback * DAY)
        dimensions = {}
        for dimension, _name in DIMENSIONS:
            found = attribute(
                built.journeys,
                built.touches[dimension],
                half_life_seconds=half_life * DAY,
                with_exposure=dimension != "channel",
            )
            dimensions[dimension] = _table(found)
            if level == "company" and dimension == "channel" and experiment is not None:
                results["check"] = _outreach_credit(built, found, experiment, now)
        results[level] = {
            "journeys": len(built.journeys),
            "conversions": int(built.journeys.converted.sum()),
            "dimensions": dimensions,
        }
    with transaction.atomic():
        report = AttributionReport.objects.create(
            computed_at=now,
            lookback_days=lookback,
            half_life_days=half_life,
            journeys=results["visitor"]["journeys"],
            conversions=results["visitor"]["conversions"],
            seconds=round(time.perf_counter() - started, 2),
            results=results,
        )
        old = AttributionReport.objects.values_list("pk", flat=True)[KEPT:]
        AttributionReport.objects.filter(pk__in=list(old)).delete()
    return report


def _checked_experiment() -> Experiment | None:
    """The experiment that runs, else the one stopped last."""
    return (
        Experiment.objects.filter(running=True).first()
        or Experiment.objects.filter(running=False).order_by("-stopped_at", "-pk").first()
    )


def _number(value) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 4)


def _table(found: Attribution) -> dict:
    """Rows per label (most linear credit first) with every model's credit, share and
    interval, and the exposure comparison where there is one."""
    rows = []
    for i, label in enumerate(found.labels):
        row = {
            "label": label,
            "models": {
                key: [
                    _number(m.credit[i]),
                    _number(m.share[i]),
                    _number(m.low[i]),
                    _number(m.high[i]),
                ]
                for key, m in found.models.items()
            },
        }
        if found.exposure is not None:
            e = found.exposure
            row["exposure"] = {
                "saw": int(e.saw[i]),
                "saw_converted": int(e.saw_converted[i]),
                "saw_rate": _number(e.saw_rate[i]),
                "unseen_rate": _number(e.unseen_rate[i]),
                "adjusted": _number(e.adjusted_difference[i]),
                "adjusted_low": _number(e.adjusted_low[i]),
                "adjusted_high": _number(e.adjusted_high[i]),
            }
        if any(m.credit[i] > 0 for m in found.models.values()) or row.get("exposure", {}).get(
            "saw"
        ):
            rows.append(row)
    rows.sort(key=lambda r: -(r["models"]["linear"][0] or 0))
    return {"conversions": found.conversions, "credited": found.credited, "rows": rows}


def _outreach_credit(built: Level, found: Attribution, experiment: Experiment, now) -> dict:
    """What each model credits to outreach among the treated companies' conversions inside
    their windows (the conversions the experiment's lift is about)."""
    stop = experiment.stopped_at or now
    windows = {
        company: (entered.timestamp(), min(ends, stop).timestamp())
        for company, entered, ends in experiment.entries.filter(
            arm=QueueEntry.Arm.TREATMENT
        ).values_list("company_id", "entered_at", "window_ends_at")
    }
    j = built.journeys
    inside = (
        np.array(
            [
                bool(c in windows and windows[c][0] < end <= windows[c][1])
                for c, end in zip(built.company.tolist(), j.end.tolist(), strict=True)
            ],
            dtype=bool,
        )
        & j.converted
    )
    touches = found.touches
    outreach = built.outreach_labels()[touches.label] & inside[touches.journey]
    reached = np.unique(touches.journey[outreach])
    return {
        "experiment_id": experiment.pk,
        "conversions": int(inside.sum()),
        "reached_conversions": len(reached),
        "credit": {key: round(float(found.weights[key][outreach].sum()), 2) for key, _ in MODELS},
    }
