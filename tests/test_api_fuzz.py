"""Requests generated from the OpenAPI schema (schemathesis), valid and invalid, never get a 5xx.

Every operation and every filter of the schema is exercised with values that fit it and with
values that break it (wrong types, out-of-range numbers, odd strings, missing fields). Path
ids point at real rows half of the time, so writes reach the services. LEADGEN_FUZZ_EXAMPLES
sets the examples per operation and mode (4 by default, to keep CI fast).
"""

import json
import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from leadgen.wsgi import application
from prospects.models import Contact
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

EXAMPLES = int(os.environ.get("LEADGEN_FUZZ_EXAMPLES", "4"))
# Answers by operation and status, printed at the end (run with -s to read them).
TRIED: Counter = Counter()


def _schema() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(_schema())
schema.app = application
schema.config.generation.update(modes=["positive", "negative"], max_examples=EXAMPLES)


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    total = sum(TRIED.values())
    statuses = Counter()
    for (_operation, status), count in TRIED.items():
        statuses[status] += count
    print(f"\nfuzz_requests: {total}")
    print("fuzz_statuses: " + ", ".join(f"{k}={v}" for k, v in sorted(statuses.items())))


@pytest.fixture
def token(db):
    """An admin's token (admins may call every operation) and rows for path ids to find.

    Requests go through the real WSGI application, which closes the database connection after
    each one; like Django's test client, keep it open so every request sees the test's rows.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    company = scored_company()
    Contact.objects.create(company=company, name="Eve")
    user = UserFactory(username="fuzzer", role="admin")
    yield Token.objects.create(user=user).key, company.pk
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_request_gets_a_server_error(case, token):
    key, company_id = token
    ids = case.path_parameters or {}
    if isinstance(ids.get("id"), int) and ids["id"] % 2 == 0:
        ids["id"] = company_id
    response = case.call(headers={"Authorization": f"Token {key}"})
    TRIED[(case.operation.label, response.status_code)] += 1
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}\n{response.text[:2000]}"
    )
