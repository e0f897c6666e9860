"""Shared fixtures: a fixed cast of users, one per role, plus someone with no role."""

import pytest

from tests.factories import UserFactory

pytest_plugins = [
    "tests.dns_fixtures",
    "tests.worker_fixtures",
    "tests.db_fixtures",
    "tests.alert_fixtures",
    "tests.tracker_fixtures",
]


@pytest.fixture(autouse=True)
def no_hand_on(settings):
    """Stages do not enqueue each other unless a test asks: with a broker set (CI's second run)
    every committed import would otherwise leave tasks in the queue for the worker tests."""
    settings.LEADGEN_PIPELINE_HAND_ON = False


@pytest.fixture(autouse=True)
def _model_files_in_tmp(settings, tmp_path):
    """Trained models go to the test's own folder, never into the checkout's var/models, which
    CI's two runs side by side would otherwise share."""
    settings.LEADGEN_MODEL_DIR = tmp_path / "models"


@pytest.fixture
def researcher(db):
    return UserFactory(username="rita", role="researcher")


@pytest.fixture
def rep(db):
    return UserFactory(username="oscar", role="outreach rep")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="ada", role="admin")


@pytest.fixture
def outsider(db):
    return UserFactory(username="nobody")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every fixture user gets a hashed password; PBKDF2's production cost (~0.5 s a hash on
    # this machine) is pointless in tests, which never meet a real attacker.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
