"""The public data files in ../shared/data, next to the repository (CI lays them there too)."""

import os
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_file(name: str) -> Path:
    """The path of a shared data file; a test without it is skipped, or fails under CI."""
    path = DATA / name
    if not path.exists():
        message = f"{path} is missing: clone the repository next to the project's shared/ folder"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
