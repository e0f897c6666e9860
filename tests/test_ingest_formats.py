"""Log formats: each detected per file from its own lines, read field by field, overridable."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from prospects.models import LogImport, PageView, Visitor
from prospects.visits.ingest import formats
from prospects.visits.ingest.formats import fields
from prospects.visits.ingest.importer import ingest_file
from tests import format_samples as s

SAMPLES = {
    "combined": [s.COMBINED],
    "common": [s.COMMON],
    "vhost_combined": [s.VHOST_COMBINED],
    "common_vhost": [s.COMMON_VHOST],
    "nginx_main": [s.NGINX_MAIN],
    "xff_combined": [s.XFF_FIRST],
    "w3c": s.IIS,
    "alb": [s.ALB],
    "elb": [s.ELB],
    "s3": [s.S3],
    "json": [s.CADDY],
    "haproxy": [s.HAPROXY],
}
AGENTLESS = {"common", "common_vhost"}
HOSTLESS = {"combined", "common", "nginx_main", "xff_combined", "w3c"}


@pytest.fixture(autouse=True)
def fresh_caches():
    fields.reset_cache()
    yield
    fields.reset_cache()


def read(lines, name=None):
    log_format = formats.get_format(name) if name else formats.detect(lines)
    parse = log_format.make_parser()
    parsed = [parse(line) for line in lines]
    return log_format.name, [p for p in parsed if p]


@pytest.mark.parametrize("name", list(SAMPLES))
def test_each_format_is_detected_and_read(name):
    detected, hits = read(SAMPLES[name])
    assert detected == name
    (hit,) = hits
    assert hit[:6] == s.EXPECTED
    assert hit[8] == 5120
    assert hit[7] == ("" if name in AGENTLESS else s.AGENT)
    assert hit[6] == ("" if name in AGENTLESS | {"elb", "alb"} else s.REFERRER)
    assert hit[9] == ("" if name in HOSTLESS else s.HOST)


@pytest.mark.parametrize(
    "lines",
    [s.CLOUDFRONT, [s.TRAEFIK], [s.NGINX_JSON]],
    ids=["cloudfront", "traefik", "nginx_json"],
)
def test_cloudfront_traefik_and_nginx_json(lines):
    _name, (hit,) = read(lines)
    assert hit[:6] == s.EXPECTED
    assert (hit[6], hit[7], hit[8], hit[9]) == (s.REFERRER, s.AGENT, 5120, s.HOST)


def test_w3c_fields_directive_may_change_mid_file():
    lines = [
        *s.IIS,
        "#Fields: date time c-ip cs-method cs-uri-stem sc-status",
        "2025-10-10 14:00:00 203.0.113.8 GET /docs 200",
    ]
    _name, hits = read(lines, "iis")
    assert [(h[0], h[3], h[7]) for h in hits] == [
        ("203.0.113.7", "/pricing", s.AGENT),
        ("203.0.113.8", "/docs", ""),
    ]


def test_custom_nginx_and_apache_patterns():
    nginx = '$host $remote_addr [$time_local] "$request" $status $bytes_sent "$http_user_agent" $request_time'
    line = f'{s.HOST} 203.0.113.7 [10/Oct/2025:13:55:36 +0000] "GET /pricing?plan=team HTTP/1.1" 200 5120 "{s.AGENT}" 0.004'
    _name, (hit,) = read([line], nginx)
    assert hit[:6] == s.EXPECTED and hit[7] == s.AGENT and hit[9] == s.HOST
    apache = '%h %{X-Forwarded-For}i %t "%r" %>s %b "%{User-Agent}i" %D'
    line = f'10.0.0.5 203.0.113.7 [10/Oct/2025:13:55:36 +0000] "GET /pricing?plan=team HTTP/1.1" 200 5120 "{s.AGENT}" 1234'
    _name, (hit,) = read([line], apache)
    assert hit[:6] == s.EXPECTED


def test_json_field_names_can_be_given():
    line = '{"when":"2025-10-10T13:55:36Z","client":"203.0.113.7","verb":"GET","target":"/pricing?plan=team","code":200}'
    _name, hits = read([line], "json")
    assert hits == []
    _name, (hit,) = read([line], "json:time=when,ip=client,method=verb,target=target,status=code")
    assert hit[:6] == s.EXPECTED
    with override_settings(
        LEADGEN_JSON_LOG_FIELDS="time=when,ip=client,method=verb,target=target,status=code"
    ):
        _name, (hit,) = read([line], "json")
    assert hit[:6] == s.EXPECTED


@pytest.mark.parametrize(
    "spec", ["nope", "$remote_addr $status", "[$time_local] $status", "json:colour=blue"]
)
def test_a_bad_format_is_refused(spec):
    with pytest.raises(formats.PatternError):
        formats.get_format(spec)


def test_forwarded_for_is_believed_only_from_trusted_proxies():
    # The balancer at 10.0.0.5 is ours (private ranges are trusted by default).
    assert fields.client_ip("10.0.0.5", "198.51.100.250, 203.0.113.7") == "203.0.113.7"
    # Our proxies are skipped from the right; a spoofed first hop is never believed.
    assert fields.client_ip("10.0.0.5", "198.51.100.250, 203.0.113.7, 10.0.0.9") == "203.0.113.7"
    # From an address that is not ours the header is whatever the client wrote.
    assert fields.client_ip("192.0.2.44", "203.0.113.7") == "192.0.2.44"
    with override_settings(LEADGEN_TRUSTED_PROXIES=["192.0.2.0/24"]):
        fields.reset_cache()
        assert fields.client_ip("192.0.2.44", "203.0.113.7") == "203.0.113.7"
        assert fields.client_ip("10.0.0.5", "203.0.113.7") == "10.0.0.5"
    assert fields.client_ip("10.0.0.5", "-") == "10.0.0.5"
    assert fields.client_ip(None, "garbage, 203.0.113.7") == "203.0.113.7"


@pytest.mark.django_db
@override_settings(LEADGEN_SITE_DOMAINS=["northwind-software.com"])
def test_one_log_of_several_sites_imports_only_the_vendors(tmp_path):
    other = s.VHOST_COMBINED.replace(s.HOST, "blog.example.org").replace("/pricing", "/other")
    path = tmp_path / "other_vhosts_access.log"
    path.write_text(f"{s.VHOST_COMBINED}\n{other}\n{s.VHOST_COMBINED.replace('13:55', '13:57')}\n")
    result = ingest_file(path)
    assert (result.log_format, result.lines, result.other_sites, result.pageviews) == (
        "vhost_combined",
        3,
        1,
        2,
    )
    assert set(PageView.objects.values_list("page__path", flat=True)) == {"/pricing"}


@pytest.mark.django_db
def test_proxy_address_is_not_the_visitor(tmp_path):
    path = tmp_path / "access.log"
    path.write_text(f"{s.NGINX_MAIN}\n")
    ingest_file(path)
    assert list(Visitor.objects.values_list("ip", flat=True)) == ["203.0.113.7"]


@pytest.mark.django_db
def test_format_option_and_its_errors(tmp_path):
    path = tmp_path / "access.log"
    path.write_text(f"{s.COMBINED}\n")
    call_command("ingest_logs", str(path), "--format", "common", stdout=io.StringIO())
    imported = LogImport.objects.get()
    # Read as common, the combined line is not a common line.
    assert (imported.log_format, imported.malformed) == ("common", 1)
    with pytest.raises(CommandError, match="unknown log format"):
        call_command("ingest_logs", str(path), "--format", "apache2")


@pytest.mark.django_db
def test_an_iis_log_without_user_agents_keeps_its_page_views(tmp_path):
    path = tmp_path / "u_ex251010.log"
    path.write_text(
        "#Software: Microsoft Internet Information Services 10.0\n"
        "#Fields: date time c-ip cs-method cs-uri-stem sc-status sc-bytes\n"
        "2025-10-10 13:55:36 203.0.113.7 GET /pricing 200 5120\n"
    )
    result = ingest_file(path)
    assert (result.log_format, result.lines, result.pageviews, result.malformed) == ("w3c", 1, 1, 0)
    assert any("no user agents" in notice for notice in result.notices)
