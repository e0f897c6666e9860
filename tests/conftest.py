"""Shared fixtures: a fixed cast of users, one per role, plus someone with no role."""

import pytest

from tests.factories import UserFactory

pytest_plugins = ["tests.dns_fixtures"]


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
