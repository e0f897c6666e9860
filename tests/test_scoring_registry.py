"""Model files: only plain names inside LEADGEN_MODEL_DIR, only trusted types on load."""

import numpy as np
import pytest
import skops.io as sio

from scoring.registry import ModelFileError, load_artifact, model_dir, save_artifact


def test_an_artifact_round_trips_inside_the_model_dir():
    name = save_artifact({"ids": np.arange(3), "names": ["a", "b"]}, prefix="unit")
    assert (model_dir() / name).is_file()
    loaded = load_artifact(name)
    assert loaded["names"] == ["a", "b"] and loaded["ids"].tolist() == [0, 1, 2]


@pytest.mark.parametrize("name", ["../evil.skops", "/etc/passwd", "model.pkl", "a/b.skops", ""])
def test_names_that_leave_the_model_dir_are_refused(name):
    with pytest.raises(ModelFileError):
        load_artifact(name)


class Sneaky:
    """A type no model file needs: loading it would mean trusting arbitrary code."""

    def __init__(self):
        self.payload = "anything"


def test_a_file_asking_for_untrusted_types_is_refused():
    sio.dump({"x": Sneaky()}, model_dir() / "odd.skops")
    with pytest.raises(ModelFileError, match="untrusted"):
        load_artifact("odd.skops")
