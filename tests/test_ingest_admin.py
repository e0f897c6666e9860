"""The admin shows imports (with escaped malformed samples), visitors, sessions and page views."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prospects.models import LogImport
from prospects.visits.ingest.importer import ingest_file
from tests.factories import UserFactory
from tests.ingest_lines import line, write_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def import_visits(tmp_path, visitors, name="access.log"):
    lines = []
    for n in range(visitors):
        ip = f"192.0.2.{n + 1}"
        lines += [line("/", ip=ip, minutes=n), line("/pricing", ip=ip, minutes=n + 1)]
    return ingest_file(write_log(tmp_path, lines, name))


def test_import_page_escapes_malformed_samples(tmp_path, staff_client):
    ingest_file(write_log(tmp_path, ['<script>alert("x")</script>', line("/")]))
    imported = LogImport.objects.get()
    page = staff_client.get(reverse("admin:prospects_logimport_change", args=[imported.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")' not in html


@pytest.mark.parametrize(
    "model",
    ["logimport", "visitor", "session", "pageview", "page", "contentrule", "conversiongoal"],
)
def test_changelists_need_the_same_queries_whatever_the_row_count(tmp_path, staff_client, model):
    url = reverse(f"admin:prospects_{model}_changelist")
    import_visits(tmp_path, 2, "small.log")
    with CaptureQueriesContext(connection) as small:
        assert staff_client.get(url).status_code == 200
    import_visits(tmp_path, 30, "large.log")
    with CaptureQueriesContext(connection) as large:
        response = staff_client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small)
