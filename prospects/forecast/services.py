"""Refit the stage models and rewrite every open company's chances (nightly, and after the demo).

One way in: `refresh_forecasts`, which the pipeline stage, the beat task and the demo call.
"""

import numpy as np
from django.db import transaction
from django.utils import timezone

from prospects.forecast import backtest
from prospects.forecast.features import FEATURES, company_features
from prospects.forecast.models import StageChance, StageForecast
from prospects.forecast.outcomes import leads, outcome_window
from prospects.models import Company

Stage = StageForecast.Stage
# SQLs still on their way: their chances are read as of their SQL, like the training rows.
PENDING = (Company.Status.CONVERTED, Company.Status.OPPORTUNITY)


@transaction.atomic
def refresh_forecasts(*, now=None) -> dict[str, StageForecast]:
    """Fit lead → opportunity and lead → customer on the closed leads and score companies.

    A stage with fewer than backtest.MIN_OUTCOMES leads on either side keeps its counts and
    no model (the pages say how many outcomes there are); its chances are removed. Scored:
    the companies open for research (as of now) and the SQLs still pending (as of their SQL).
    """
    now = now or timezone.now()
    window = outcome_window()
    all_leads = leads()
    lead_x = company_features({lead.company_id: lead.sql_at for lead in all_leads})
    targets = _targets(all_leads, now)
    target_x = company_features(targets)
    results = {}
    for stage in Stage.values:
        labels = [lead.label(stage, window=window, now=now) for lead in all_leads]
        closed = [i for i, label in enumerate(labels) if label is not None]
        x = lead_x[closed] if closed else np.zeros((0, len(FEATURES)))
        y = np.array([labels[i] for i in closed], dtype=int)
        ready = backtest.enough(y)
        model = backtest.fit(x, y, features=FEATURES) if ready else {}
        forecast, _ = StageForecast.objects.update_or_create(
            stage=stage,
            defaults={
                "fitted_at": now,
                "leads": len(y),
                "reached": int(y.sum()),
                "enough": ready,
                "model": model,
                "backtest": backtest.backtest(x, y, features=FEATURES) if ready else {},
            },
        )
        StageChance.objects.filter(stage=stage).delete()
        if ready and targets:
            chances = backtest.predict(model, target_x)
            StageChance.objects.bulk_create(
                [
                    StageChance(company_id=pk, stage=stage, probability=float(p))
                    for pk, p in zip(targets, chances, strict=True)
                ],
                batch_size=2000,
            )
        results[stage] = forecast
    return results


def _targets(all_leads, now) -> dict:
    sql_at = {lead.company_id: lead.sql_at for lead in all_leads}
    targets = dict.fromkeys(Company.objects.open_for_research().values_list("pk", flat=True), now)
    for pk in Company.objects.filter(status__in=PENDING).values_list("pk", flat=True):
        if pk in sql_at:
            targets[pk] = sql_at[pk]
    return targets
