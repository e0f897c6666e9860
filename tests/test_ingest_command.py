"""`manage.py ingest_logs`: gzip, stdin, the --json summary and the recorded import."""

import gzip
import io
import json
import sys

import pytest
from django.core.management import call_command

from prospects.models import LogImport
from tests.ingest_lines import line, write_log
from tests.shared_data import shared_file

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("ingest_logs", *args, stdout=out)
    return out.getvalue().splitlines()


def test_gzip_file_and_json_summary():
    output = run(str(shared_file("elastic_apache_logs.log.gz")), "--json")
    summary = json.loads(output[-1])
    assert set(summary) >= {
        "lines",
        "pageviews",
        "bots",
        "static",
        "malformed",
        "duplicates",
        "seconds",
        "visitors_total",
        "sessions_total",
        "pageviews_total",
        "conversions_total",
    }
    assert summary["lines"] == 10_000
    assert summary["malformed"] == 0
    assert summary["duplicates"] == 0
    assert summary["pageviews"] == summary["pageviews_total"] > 1000
    assert summary["bots"] > 1000 and summary["static"] > 1000
    assert summary["lines"] == sum(
        summary[k]
        for k in (
            "pageviews",
            "bots",
            "static",
            "ignored",
            "malformed",
            "not_reading",
            "duplicates",
        )
    )
    assert (
        summary["visitors_total"] > 500 and summary["sessions_total"] >= summary["visitors_total"]
    )
    assert summary["conversions_total"] == 0
    assert summary["seconds"] > 0
    imported = LogImport.objects.get()
    assert imported.status == LogImport.Status.DONE
    assert imported.lines == 10_000 and imported.pageviews == summary["pageviews"]
    assert len(imported.content_hash) == 64


def test_totals_after_a_second_file_count_everything(tmp_path):
    run(str(shared_file("nielsbasjes_hackers-access.log")))
    plain = write_log(tmp_path, [line("/pricing"), line("/trial/thanks", minutes=2)])
    summary = json.loads(run(str(plain), str(plain), "--json")[-1])
    assert (summary["lines"], summary["pageviews"], summary["duplicates"]) == (4, 2, 2)
    assert summary["conversions_total"] == 1
    assert LogImport.objects.count() == 3


def test_stdin_compressed_or_plain(tmp_path, monkeypatch):
    lines = [line("/"), line("/blog/a", minutes=1), line("/style.css")]
    data = "".join(f"{text}\n" for text in lines).encode()
    for payload in (data, gzip.compress(data)):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(payload))))
        summary = json.loads(run("-", "--json")[-1])
        assert summary["lines"] == 3 and summary["static"] == 1
    assert summary["pageviews_total"] == 2
    assert list(LogImport.objects.values_list("name", flat=True)) == ["<stdin>", "<stdin>"]


def test_malformed_lines_are_counted_and_twenty_samples_kept(tmp_path):
    bad = [f"garbage line {n} <script>alert(1)</script>" for n in range(25)]
    path = write_log(tmp_path, [*bad[:12], line("/"), *bad[12:]])
    summary = json.loads(run(str(path), "--json")[-1])
    assert (summary["malformed"], summary["pageviews"]) == (25, 1)
    imported = LogImport.objects.get()
    assert imported.malformed == 25
    assert imported.malformed_samples == bad[:20]


def test_human_summary_line_per_file(tmp_path):
    path = write_log(tmp_path, [line("/"), line("/missing", status=404)])
    output = run(str(path))
    assert output == [
        f"{path}: 2 lines, 1 page views, 0 bots, 0 static, 1 ignored, 0 malformed, 0 duplicates, "
        "0 not reading, 0 other sites in " + output[0].rsplit(" in ", 1)[1]
    ]
