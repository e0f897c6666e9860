"""What counts as reading: normalised paths; robots, sitemaps, probes and media are not page views."""

import pytest
from django.test import override_settings

from prospects.models import LogImport, Page, PageView
from prospects.visits.ingest import reading
from prospects.visits.ingest.importer import ingest_file
from tests.ingest_lines import BROWSER, T0, write_log

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_caches():
    reading.reset_cache()
    yield
    reading.reset_cache()


def hit(path, *, status=200, size=5120, seconds=0, ip="203.0.113.7", agent=BROWSER):
    stamp = (T0.replace(second=0)).strftime("%d/%b/%Y:%H:%M:") + f"{seconds:02d} +0000"
    return f'{ip} - - [{stamp}] "GET {path} HTTP/1.1" {status} {size} "-" "{agent}"'


def test_robots_sitemaps_well_known_favicons_probes_and_media_are_not_reading(tmp_path):
    paths = [
        "/robots.txt",
        "/sitemap.xml",
        "/post-sitemap.xml",
        "/.well-known/security.txt",
        "/apple-touch-icon-precomposed.png",
        "/site.webmanifest",
        "/image/60844/productModel/200x200",
        "/pricing",
    ]
    result = ingest_file(write_log(tmp_path, [hit(p, seconds=i) for i, p in enumerate(paths)]))
    assert result.pageviews == 1
    # The touch icon and the manifest are static assets by their extensions; the rest is not
    # reading.
    assert (result.not_reading, result.static) == (5, 2)
    assert list(Page.objects.values_list("path", flat=True)) == ["/pricing"]
    assert LogImport.objects.get().not_reading == 5


def test_a_probe_is_not_reading_and_its_visitor_is_a_bot(tmp_path):
    lines = [hit("/pricing", seconds=1), hit("/wp-login.php", seconds=2), hit("/.env", seconds=3)]
    result = ingest_file(write_log(tmp_path, lines))
    assert (result.pageviews, result.not_reading, result.bots) == (0, 2, 1)


def test_responses_that_are_not_page_sized_are_media_but_documents_stay_reading(tmp_path):
    lines = [
        hit("/pixel", size=43, seconds=1),
        hit("/video/launch", size=80_000_000, seconds=2),
        hit("/resources/whitepaper.pdf", size=80_000_000, seconds=3),
        hit("/pricing", size=-1, seconds=4).replace(" -1 ", " - "),
    ]
    result = ingest_file(write_log(tmp_path, lines))
    assert (result.pageviews, result.not_reading) == (2, 2)
    assert set(Page.objects.values_list("path", flat=True)) == {
        "/resources/whitepaper.pdf",
        "/pricing",
    }


def test_paths_are_normalised_before_rules(tmp_path):
    lines = [
        hit("/pricing", seconds=1),
        hit("/%70ricing", seconds=2),
        hit("http://www.northwind-software.com/pricing", seconds=3),
        hit("/caf%c3%a9", seconds=4),
    ]
    ingest_file(write_log(tmp_path, lines))
    assert sorted(Page.objects.values_list("path", flat=True)) == ["/caf%C3%A9", "/pricing"]
    assert PageView.objects.filter(page__path="/pricing").count() == 3


@override_settings(LEADGEN_PATH_CASE="lower")
def test_case_folds_when_the_setting_says_so(tmp_path):
    reading.reset_cache()
    ingest_file(write_log(tmp_path, [hit("/Pricing", seconds=1), hit("/pricing", seconds=2)]))
    assert list(Page.objects.values_list("path", flat=True)) == ["/pricing"]


def test_partial_responses_of_one_resource_count_once(tmp_path):
    lines = [hit("/webinar/recording", status=206, seconds=s) for s in range(1, 6)]
    lines.append(hit("/webinar/recording", status=206, ip="198.51.100.9", seconds=7))
    result = ingest_file(write_log(tmp_path, lines))
    assert (result.pageviews, result.not_reading) == (2, 4)
