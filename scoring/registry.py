"""Model files: written and read only inside settings.LEADGEN_MODEL_DIR, in skops format.

skops rebuilds objects from a description instead of unpickling, so loading a file runs no
code from it. Beyond what skops trusts by default we accept only scikit-learn types and our
calibration classes, the points rule and LightGBM's, and refuse a file that asks for anything
else.
"""

import re
import uuid
from functools import lru_cache
from pathlib import Path

import skops.io as sio
from django.conf import settings

TRUSTED_PREFIX = "sklearn."
TRUSTED_OWN = {
    "scoring.calibration.CalibratedModel",
    "scoring.calibration.Calibrator",
    "scoring.points.PointsModel",
}
# LightGBM's estimator and its booster (rebuilt from the model text, no code), and the ordered
# dict of its parameters.
TRUSTED_OTHER = {
    "lightgbm.sklearn.LGBMClassifier",
    "lightgbm.basic.Booster",
    "collections.OrderedDict",
}
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]+\.skops$")


class ModelFileError(ValueError):
    """A model file name or content that the registry refuses to load."""


def model_dir() -> Path:
    """The one directory model files live in; created on first use."""
    path = Path(settings.LEADGEN_MODEL_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(file_name: str) -> Path:
    if not SAFE_NAME.match(file_name):
        raise ModelFileError(f"Not a model file name: {file_name!r}")
    return model_dir() / file_name


def save_artifact(artifact: dict, *, prefix: str) -> str:
    """Write a model artifact (a dict of model and arrays) and return its file name."""
    file_name = f"{prefix}-{uuid.uuid4().hex[:12]}.skops"
    sio.dump(artifact, _path(file_name))
    return file_name


@lru_cache(maxsize=4)
def load_artifact(file_name: str) -> dict:
    """Read a model artifact by file name, refusing any type outside the trusted ones."""
    path = _path(file_name)
    if not path.is_file():
        raise ModelFileError(f"Model file {file_name} is missing from {model_dir()}.")
    untrusted = sio.get_untrusted_types(file=path)
    refused = [
        t
        for t in untrusted
        if not (t.startswith(TRUSTED_PREFIX) or t in TRUSTED_OWN | TRUSTED_OTHER)
    ]
    if refused:
        raise ModelFileError(f"Model file {file_name} asks for untrusted types: {refused}")
    return sio.load(path, trusted=untrusted)
