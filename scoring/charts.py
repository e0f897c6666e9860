"""Chart geometry for every SVG chart (model page, capacity page), drawn by the templates as
inline SVG (no JavaScript, no CDN).

Everything here is numbers; the templates only place them.
"""

from .models import ModelVersion

WIDTH, HEIGHT = 320, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 34
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
TOP_FEATURES = 12
BAR_H = 18


def _x(value: float) -> float:
    return round(LEFT + PLOT_W * min(max(value, 0.0), 1.0), 1)


def _y(value: float) -> float:
    return round(TOP + PLOT_H * (1 - min(max(value, 0.0), 1.0)), 1)


def _points(pairs) -> str:
    return " ".join(f"{_x(x)},{_y(y)}" for x, y in pairs)


def _frame(x_label: str, y_label: str) -> dict:
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": TOP + PLOT_H,
        "x_ticks": [{"at": _x(t), "label": f"{t:g}"} for t in TICKS],
        "y_ticks": [{"at": _y(t), "label": f"{t:g}"} for t in TICKS],
        "x_label": x_label,
        "y_label": y_label,
        "x_label_at": (LEFT + WIDTH - RIGHT) / 2,
        "y_label_at": TOP + PLOT_H / 2,
        "diagonal": _points([(0, 0), (1, 1)]),
    }


def _curve(points, x_label: str, y_label: str, **extra) -> dict:
    return {**_frame(x_label, y_label), "line": _points(points), **extra}


def _calibration(table: list[dict]) -> dict:
    largest = max((row["count"] for row in table), default=1)
    dots = [
        {
            "cx": _x(row["predicted"]),
            "cy": _y(row["observed"]),
            "r": round(3 + 6 * (row["count"] / largest) ** 0.5, 1),
            "title": (
                f"predicted {row['predicted']:.2f}, observed {row['observed']:.2f} "
                f"({row['count']} visitors)"
            ),
        }
        for row in table
    ]
    line = [(row["predicted"], row["observed"]) for row in table]
    return {
        **_frame("Predicted probability", "Observed conversion rate"),
        "line": _points(line),
        "dots": dots,
    }


def _bars(items: list[tuple[str, float]], scale_max: float) -> dict:
    label_w, bar_w = 190, 180
    scale_max = scale_max or 1.0
    rows = [
        {
            "label": label,
            "y": i * BAR_H,
            "text_y": i * BAR_H + BAR_H * 0.7,
            "width": round(bar_w * max(value, 0.0) / scale_max, 1),
            "value": f"{value:.3f}",
            "value_x": label_w + round(bar_w * max(value, 0.0) / scale_max, 1) + 4,
        }
        for i, (label, value) in enumerate(items)
    ]
    return {"rows": rows, "x": label_w, "width": label_w + bar_w + 50, "height": BAR_H * len(rows)}


def _confusion(matrix: list[list[int]]) -> dict:
    total = sum(map(sum, matrix)) or 1
    names = [["true negative", "false positive"], ["false negative", "true positive"]]
    cells = []
    for r in range(2):
        for c in range(2):
            value = matrix[r][c]
            cells.append(
                {
                    "x": 90 + c * 100,
                    "y": 30 + r * 60,
                    "value": value,
                    "name": names[r][c],
                    # Darker for larger shares, never fully transparent.
                    "opacity": round(0.12 + 0.8 * value / total, 2),
                }
            )
    return {"cells": cells}


def model_charts(version: ModelVersion) -> dict:
    """Every chart of the model page for one version."""
    curves, confusion = version.curves or {}, version.confusion or {}
    importances = list((version.feature_importances or {}).items())[:TOP_FEATURES]
    candidates = version.candidates or {}
    candidate_rows = []
    for name, scores in candidates.items():
        candidate_rows += [
            (f"{name} ROC AUC", scores["roc_auc"] or 0.0),
            (f"{name} PR AUC", scores["pr_auc"] or 0.0),
        ]
    base_rate = curves.get("base_rate", 0.0)
    return {
        "roc": _curve(curves.get("roc", []), "False positive rate", "True positive rate"),
        "pr": _curve(
            curves.get("pr", []),
            "Recall",
            "Precision",
            base=_points([(0, base_rate), (1, base_rate)]),
        ),
        "calibration": _calibration(curves.get("calibration", [])),
        "importances": _bars(importances, max((v for _, v in importances), default=1.0)),
        "candidates": _bars(candidate_rows, 1.0),
        "confusion_half": _confusion(confusion.get("0.5", [[0, 0], [0, 0]])),
        "confusion_threshold": _confusion(confusion.get("at_threshold", [[0, 0], [0, 0]])),
        "threshold": confusion.get("threshold"),
    }


# The capacity chart (SVG user units).
CAPACITY_WIDTH, CAPACITY_HEIGHT, CAPACITY_PAD = 640, 240, 32


def capacity_chart(steps: list[dict], threshold, load: int) -> dict:
    """Bar positions for queue length at each threshold, and the team-load line."""
    top = max([row["companies"] for row in steps] + [load, 1])
    slot = (CAPACITY_WIDTH - 2 * CAPACITY_PAD) / len(steps)
    plot = CAPACITY_HEIGHT - 2 * CAPACITY_PAD
    base = CAPACITY_HEIGHT - CAPACITY_PAD

    def level(value: float) -> float:
        return round(base - plot * value / top, 1)

    bars = []
    for i, row in enumerate(steps):
        height = plot * row["companies"] / top
        bars.append(
            {
                **row,
                "x": round(CAPACITY_PAD + i * slot + slot * 0.15, 1),
                "y": round(base - height, 1),
                "width": round(slot * 0.7, 1),
                "height": round(height, 1),
                "value_y": round(base - height - 4, 1),
                "label_x": round(CAPACITY_PAD + i * slot + slot / 2, 1),
                "current": row["threshold"] == threshold,
            }
        )
    return {
        "width": CAPACITY_WIDTH,
        "height": CAPACITY_HEIGHT,
        "bars": bars,
        "baseline": base,
        "axis_label_y": base + 16,
        "load_y": level(load),
        "load_label_y": round(level(load) - 4, 1),
        "left": CAPACITY_PAD,
        "right": CAPACITY_WIDTH - CAPACITY_PAD,
    }
