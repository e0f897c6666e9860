"""The stage models and their backtest: fitted on earlier leads, judged on later ones.

The same discipline as the visitor score (scoring.backtest): the leads are in SQL order, the
model is fitted on the first TRAIN_SHARE of them and its figures come from the rest, which no
fitted step (not even the standardization) saw. The model the pages use is then fitted on
every closed lead. Logistic regression on a handful of company-level features: small data,
and coefficients a person can read.
"""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

# A stage model needs this many leads that reached the stage and this many that did not.
MIN_OUTCOMES = 30
TRAIN_SHARE = 0.7
# Ridge strength: small samples, correlated counts.
C = 1.0
# Standardized features are clipped here: a company far outside the leads seen (a lone visit,
# a constant feature's rounding noise) must not get a chance of 0 or 1 from extrapolation.
CLIP = 4.0
# A feature whose spread is below this is constant: it is centred, not scaled.
TINY = 1e-6


def _standardize(x, mean, scale):
    return np.clip((x - mean) / scale, -CLIP, CLIP)


def fit(x: np.ndarray, y: np.ndarray, *, features) -> dict:
    """A logistic regression on standardized features, as plain numbers (JSON-ready)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < TINY] = 1.0
    model = LogisticRegression(C=C, max_iter=1000).fit(_standardize(x, mean, scale), y)
    return {
        "features": list(features),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
    }


def predict(model: dict, x: np.ndarray) -> np.ndarray:
    """The fitted model's chances for rows of the same features."""
    z = _standardize(x, np.array(model["mean"]), np.array(model["scale"]))
    return 1.0 / (1.0 + np.exp(-(z @ np.array(model["coef"]) + model["intercept"])))


def enough(y: np.ndarray) -> bool:
    """Whether there are MIN_OUTCOMES leads on each side."""
    reached = int(y.sum())
    return reached >= MIN_OUTCOMES and len(y) - reached >= MIN_OUTCOMES


def backtest(x: np.ndarray, y: np.ndarray, *, features) -> dict:
    """Fit on the first TRAIN_SHARE of the rows (in SQL order), report on the rest.

    Figures: sizes and reached counts of both parts, the later part's rate and mean predicted
    chance, ROC AUC (None when the later part holds one class only), the Brier score and the
    Brier score of predicting the earlier part's rate for everyone (the baseline to beat).
    """
    split = round(len(y) * TRAIN_SHARE)
    train_y, test_y = y[:split], y[split:]
    if len(set(train_y.tolist())) < 2 or len(test_y) == 0:
        return {"error": "The earlier leads hold one outcome only: nothing to fit."}
    model = fit(x[:split], train_y, features=features)
    chance = predict(model, x[split:])
    both = len(set(test_y.tolist())) == 2
    return {
        "train": split,
        "train_reached": int(train_y.sum()),
        "test": len(test_y),
        "test_reached": int(test_y.sum()),
        "test_rate": float(test_y.mean()),
        "mean_chance": float(chance.mean()),
        "roc_auc": float(roc_auc_score(test_y, chance)) if both else None,
        "brier": float(brier_score_loss(test_y, chance)),
        "brier_baseline": float(np.mean((test_y - train_y.mean()) ** 2)),
    }
