"""Each file is its own unit: damaged, missing or killed imports keep what they can and say why."""

import bz2
import datetime as dt
import gzip
import io
import itertools
import lzma
import os
import subprocess
import zlib

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prospects.models import LogImport, PageView, Visitor
from prospects.visits.ingest import reader, runs
from prospects.visits.ingest.importer import ingest_file
from tests.ingest_lines import line

pytestmark = pytest.mark.django_db


def visits(count):
    """`count` page views of distinct visitors and pages: each line is one page view."""
    return [
        line(f"/blog/post-{n}", ip=f"198.51.{n // 250}.{n % 250 + 1}", minutes=n)
        for n in range(count)
    ]


def text(lines):
    return "".join(f"{entry}\n" for entry in lines).encode()


def complete_lines(data: bytes) -> int:
    """How many whole lines `data` holds (a cut last line does not count)."""
    return data.count(b"\n")


def imported_posts():
    return sorted(
        int(p.rsplit("-", 1)[1]) for p in PageView.objects.values_list("page__path", flat=True)
    )


def test_a_truncated_gzip_keeps_every_line_before_the_cut(tmp_path):
    data = text(visits(4000))
    packed = gzip.compress(data)
    cut = packed[: len(packed) * 6 // 10]
    path = tmp_path / "access.log.2.gz"
    path.write_bytes(cut)
    readable = zlib.decompressobj(wbits=31).decompress(cut)
    result = ingest_file(path)
    assert result.status == "partial" and "truncated" in result.error
    assert result.pageviews == complete_lines(readable) > 1000
    assert imported_posts() == list(range(result.pageviews))
    record = LogImport.objects.get(pk=result.import_id)
    assert (record.status, record.pageviews, record.error) == (
        "partial",
        result.pageviews,
        result.error,
    )


def corrupt(packed: bytes, at: int) -> bytes:
    """`packed` with 16 bytes from `at` overwritten: deflate decodes on, only the CRC tells."""
    return packed[:at] + bytes(16) + packed[at + 16 :]


def test_a_corrupt_gzip_member_is_not_imported_and_earlier_members_are(tmp_path):
    data = text(visits(3000))
    first = gzip.compress(data[: len(data) // 2])
    cut_at = complete_lines(data[: len(data) // 2])
    second = gzip.compress(data[len(data) // 2 :])
    path = tmp_path / "broken.log.gz"
    path.write_bytes(first + corrupt(second, len(second) // 2))
    result = ingest_file(path)
    assert result.status == "partial" and "corrupt gzip" in result.error
    # The first member whole, nothing of the damaged one: no garbled line got in.
    assert imported_posts() == list(range(cut_at))
    assert result.malformed == 0


def test_a_corrupt_single_member_gzip_imports_nothing_garbled(tmp_path):
    packed = gzip.compress(text(visits(2000)))
    path = tmp_path / "broken.log.gz"
    path.write_bytes(corrupt(packed, len(packed) // 2))
    result = ingest_file(path)
    assert (result.status, result.lines, PageView.objects.count()) == ("failed", 0, 0)
    assert "cannot be located" in result.error


@pytest.mark.parametrize(
    "compress",
    [
        lambda data: bz2.compress(data, compresslevel=1),
        lambda data: lzma.compress(data, format=lzma.FORMAT_XZ),
        lambda data: gzip.compress(data[:40000]) + gzip.compress(data[40000:]),
    ],
    ids=["bz2", "xz", "multi-member-gzip"],
)
def test_bz2_xz_and_concatenated_gzip_are_read_natively(tmp_path, compress):
    data = text(visits(1500))
    path = tmp_path / "access.log.3"
    path.write_bytes(compress(data))
    result = ingest_file(path)
    assert (result.status, result.pageviews, result.malformed) == ("done", 1500, 0)


@pytest.mark.parametrize(
    "compress", [lambda d: bz2.compress(d, compresslevel=1), lzma.compress], ids=["bz2", "xz"]
)
def test_truncated_bz2_and_xz_keep_what_was_whole(tmp_path, compress):
    data = text(visits(4000))
    packed = compress(data)
    path = tmp_path / "access.log.4"
    path.write_bytes(packed[: len(packed) * 7 // 10])
    result = ingest_file(path)
    assert result.status == "partial" and "truncated" in result.error
    assert 0 < result.pageviews < 4000
    assert imported_posts() == list(range(result.pageviews))


def test_zstd_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "access.log.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfd" + bytes(40))
    result = ingest_file(path)
    assert (result.status, result.lines) == ("failed", 0)
    assert "zstd" in result.error and "zstd -d" in result.error


def test_visitors_from_earlier_chunks_keep_their_page_views(tmp_path, monkeypatch):
    monkeypatch.setitem(reader.LogReader.__init__.__kwdefaults__, "chunk_lines", 300)
    packed = gzip.compress(text(visits(3000)))
    path = tmp_path / "access.log.gz"
    path.write_bytes(packed[: len(packed) // 2])
    result = ingest_file(path)
    assert result.status == "partial" and result.pageviews > 900
    assert Visitor.objects.count() == result.pageviews
    assert not Visitor.objects.filter(pageviews__isnull=True).exists()


def test_the_command_goes_on_after_a_bad_file_and_exits_non_zero(tmp_path):
    packed = gzip.compress(text(visits(2000)))
    (tmp_path / "cut.log.gz").write_bytes(packed[: len(packed) // 2])
    (tmp_path / "good.log").write_bytes(text([line("/pricing", ip="192.0.2.1")]))
    paths = [str(tmp_path / name) for name in ("cut.log.gz", "missing.log", "good.log")]
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("ingest_logs", *paths, stdout=out, stderr=err)
    assert str(raised.value) == (
        f"2 of 3 files not fully imported: {paths[0]} (partial), {paths[1]} (failed)"
    )
    assert "No such file or directory" in err.getvalue()
    assert "Traceback" not in err.getvalue() + out.getvalue()
    assert len(out.getvalue().splitlines()) == 3
    statuses = dict(LogImport.objects.values_list("name", "status"))
    assert statuses == {paths[0]: "partial", paths[1]: "failed", paths[2]: "done"}
    assert PageView.objects.filter(page__path="/pricing").count() == 1


def test_a_directory_is_a_failed_file_not_a_crash(tmp_path):
    result = ingest_file(tmp_path)
    assert result.status == "failed" and "Is a directory" in result.error


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_an_import_whose_process_died_is_marked_interrupted(tmp_path):
    dead = LogImport.objects.create(name="killed.log", host=runs._host(), pid=dead_pid())
    alive = LogImport.objects.create(name="busy.log", host=runs._host(), pid=os.getpid())
    ingest_file(tmp_path / "missing.log")
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == "interrupted" and "stopped before it finished" in dead.error
    assert alive.status == "running"


def test_the_imports_page_marks_stale_runs_of_other_hosts(admin_client, settings):
    settings.LEADGEN_IMPORT_STALE_SECONDS = 600
    old = timezone.now() - dt.timedelta(hours=1)
    stale = LogImport.objects.create(name="elsewhere.log", host="worker-2", pid=1, heartbeat_at=old)
    fresh = LogImport.objects.create(
        name="fresh.log", host="worker-3", pid=1, heartbeat_at=timezone.now()
    )
    page = admin_client.get(reverse("imports"))
    assert page.status_code == 200
    assert "Interrupted" in page.content.decode()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, fresh.status) == ("interrupted", "running")


RUNS = itertools.count()
PACKINGS = {
    "plain": lambda data: data,
    "gzip": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    junk=st.lists(
        st.one_of(st.none(), st.binary(max_size=300).map(lambda b: b.replace(b"\n", b""))),
        max_size=30,
    ),
    packing=st.sampled_from(sorted(PACKINGS)),
)
def test_no_bytes_between_valid_lines_lose_one_or_raise(tmp_path, junk, packing):
    run = next(RUNS)
    # A valid line first (a file starting with junk may look compressed), then junk between.
    items = [None, *junk]
    rows = [
        line(f"/fuzz/{run}/{n}", ip=f"198.18.{run % 250}.{n + 1}").encode()
        if item is None
        else item
        for n, item in enumerate(items)
    ]
    path = tmp_path / f"fuzz-{run}.log"
    path.write_bytes(PACKINGS[packing](b"\n".join(rows) + b"\n"))
    result = ingest_file(path)
    assert result.status == "done"
    assert result.pageviews == items.count(None)
