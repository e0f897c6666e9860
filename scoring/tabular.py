"""Any CSV file as a feature table: numeric columns scaled, text columns one-hot, a yes/no label.

This is what `evaluate_models` feeds to the same candidate comparison the visitor model uses,
so the models can be checked on public data whose answer is known.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

POSITIVE = {"true", "1", "yes", "y", "t", "1.0"}
NEGATIVE = {"false", "0", "no", "n", "f", "0.0"}


class TableError(ValueError):
    """The file or its label column cannot be used; the message says why."""


@dataclass
class Table:
    """Feature columns as an object array, the 0/1 label, and which columns are numeric or text."""

    X: np.ndarray
    y: np.ndarray
    columns: list[str]
    numeric: list[int]
    text: list[int]


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _label(values: list[str], column: str) -> np.ndarray:
    lowered = [v.strip().lower() for v in values]
    unknown = sorted(set(lowered) - POSITIVE - NEGATIVE)
    if unknown:
        shown = ", ".join(repr(v) for v in unknown[:5])
        raise TableError(
            f"Label column {column!r} must hold yes/no values (TRUE/FALSE, 1/0, yes/no); "
            f"found {shown}."
        )
    return np.fromiter((v in POSITIVE for v in lowered), dtype=int, count=len(lowered))


def read_table(path: Path, label: str) -> Table:
    """Read a comma-separated file with a header; every column but the label is a feature."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise TableError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise TableError(f"{path} is not UTF-8 text.") from exc
    if len(rows) < 2:
        raise TableError(f"{path} has no data rows.")
    header, body = [h.strip() for h in rows[0]], [r for r in rows[1:] if r]
    if label not in header:
        raise TableError(f"No column {label!r} in {path}; columns are: {', '.join(header)}.")
    width = len(header)
    ragged = [i + 2 for i, r in enumerate(body) if len(r) != width]
    if ragged:
        raise TableError(f"Line {ragged[0]} of {path} has a different number of fields.")
    cells = np.array(body, dtype=object)
    label_at = header.index(label)
    y = _label(list(cells[:, label_at]), label)
    feature_at = [i for i in range(width) if i != label_at]
    columns, numeric, text, data = [], [], [], []
    for out, i in enumerate(feature_at):
        values = cells[:, i]
        columns.append(header[i])
        filled = [v for v in values if v.strip() != ""]
        if filled and all(_is_number(v) for v in filled):
            numeric.append(out)
            # Missing numbers become NaN here and the median of the training folds' rows in
            # the pipeline (an imputer fitted on every row would see the test folds).
            data.append(np.array([float(v) if v.strip() else np.nan for v in values]))
        else:
            text.append(out)
            data.append(np.array([v.strip() for v in values], dtype=object))
    X = np.empty((len(body), len(columns)), dtype=object)
    for out, column in enumerate(data):
        X[:, out] = column
    return Table(X=X, y=y, columns=columns, numeric=numeric, text=text)


def _floats(values) -> np.ndarray:
    # The table is an object array (text columns beside numbers); the imputer needs floats.
    return np.asarray(values, dtype=float)


def tabular_preprocessing(table: Table):
    """A preprocessing factory for `training.candidate_pipelines` fitted to this table's columns."""

    def factory(scale: bool):
        floats = FunctionTransformer(_floats, feature_names_out="one-to-one")
        impute = SimpleImputer(strategy="median", keep_empty_features=True)
        numeric = make_pipeline(floats, impute, *([StandardScaler()] if scale else []))
        return ColumnTransformer(
            [
                ("numeric", numeric, table.numeric),
                (
                    "text",
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=float),
                    table.text,
                ),
            ],
            sparse_threshold=0.0,
        )

    return factory
