"""Model quality on real public data: the UCI online shoppers dataset (see shared/data)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.shared_data import shared_file


@pytest.mark.slow
def test_evaluate_models_beats_the_published_baseline_on_online_shoppers():
    shoppers = shared_file("online_shoppers_intention.csv")
    out = StringIO()
    call_command("evaluate_models", csv=str(shoppers), label="Revenue", json=True, stdout=out)

    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    # The paper's best F1 on the imbalanced data is 0.58; the issue asks for these floors.
    assert figures["roc_auc"] >= 0.93
    assert figures["pr_auc"] >= 0.75
    assert figures["best_f1"] >= 0.68
    assert set(figures["candidates"]) >= {"logistic_regression", "hist_gradient_boosting", "mlp"}
