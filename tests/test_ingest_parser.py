"""The log-line parser on real public logs and on hostile input."""

import gzip

from hypothesis import given, settings
from hypothesis import strategies as st

from prospects.visits.ingest.parser import decode_line, parse_ip, parse_line, reset_cache
from tests.shared_data import shared_file


def elastic_lines():
    with gzip.open(shared_file("elastic_apache_logs.log.gz")) as handle:
        return handle.read().splitlines()


def test_every_line_of_the_elastic_sample_parses():
    lines = elastic_lines()
    hits = [parse_line(decode_line(raw)) for raw in lines]
    assert len(hits) == 10_000
    assert all(hit is not None for hit in hits)
    first = hits[0]
    assert first.ip == "83.149.9.216"
    assert first.ts == "2015-05-17 10:05:03"
    assert (first.method, first.status) == ("GET", 200)
    assert first.path == "/presentations/logstash-monitorama-2013/images/kibana-search.png"
    assert first.referrer == "http://semicomplete.com/presentations/logstash-monitorama-2013/"
    assert first.user_agent.startswith("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1)")
    assert {hit.method for hit in hits} == {"GET", "HEAD", "POST", "OPTIONS"}


def test_truncated_user_agent_keeps_what_is_there():
    raw = next(
        raw for raw in elastic_lines() if raw.startswith(b"46.118.127.106 ") and b"configlib" in raw
    )
    assert not raw.endswith(b'"')
    hit = parse_line(decode_line(raw))
    assert (
        hit.user_agent == "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html"
    )
    assert hit.path == "/scripts/grok-py-test/configlib.py"


def test_hackers_log_parses_and_converts_its_offset_to_utc():
    lines = (shared_file("nielsbasjes_hackers-access.log")).read_bytes().splitlines()
    hits = [parse_line(decode_line(raw)) for raw in lines]
    assert len(hits) == 3456
    assert all(hit is not None for hit in hits)
    assert sum(hit.method == "POST" for hit in hits) == 1080
    # 25/Oct/2015:04:11:25 +0100 is 03:11:25 UTC.
    assert hits[0].ts == "2015-10-25 03:11:25"
    assert hits[0].timestamp.isoformat() == "2015-10-25T03:11:25+00:00"


def test_ipv6_and_ipv4_mapped_addresses():
    hit = parse_line(
        '2001:DB8::1 - - [10/Oct/2025:13:55:36 -0700] "GET /pricing HTTP/2.0" 200 5 "-" "UA"'
    )
    assert hit.ip == "2001:db8::1"
    assert hit.ts == "2025-10-10 20:55:36"
    mapped = parse_line(
        '::ffff:192.0.2.4 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "UA"'
    )
    assert mapped.ip == "192.0.2.4"


def test_a_canonical_address_is_kept_once_in_the_cache():
    # The cached answer is the address's own text, not an equal copy of it.
    reset_cache()
    text = " 198.51.100.23"[1:]  # a string of its own, as a line's field is
    assert parse_ip(text) is text
    assert parse_ip("2001:DB8::5") == "2001:db8::5"


def test_common_format_line_has_no_referrer_or_agent():
    hit = parse_line(
        '192.0.2.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326'
    )
    assert (hit.path, hit.query, hit.status) == ("/apache_pb.gif", "x=1", 200)
    assert (hit.referrer, hit.user_agent) == ("", "")


def test_escaped_quotes_and_odd_requests():
    hit = parse_line(
        r'192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "Bad \"quoted\" agent"'
    )
    assert hit.user_agent == 'Bad "quoted" agent'
    probe = parse_line(r'192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] "\x16\x03\x01" 400 0 "-" "-"')
    assert (probe.method, probe.path, probe.status) == ("", "", 400)


def test_bytes_that_are_not_utf8_are_replaced():
    raw = b'192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] "GET /caf\xe9 HTTP/1.1" 200 1 "-" "Agent \xff\x00"'
    hit = parse_line(decode_line(raw))
    assert hit.path == "/caf\ufffd"
    assert hit.user_agent == "Agent \ufffd\ufffd"


def test_impossible_addresses_and_timestamps_are_malformed():
    good = '192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "UA"'
    assert parse_line(good) is not None
    for bad in (
        good.replace("192.0.2.1", "192.0.2.300"),
        good.replace("192.0.2.1", "not-an-ip"),
        good.replace("192.0.2.1", "fe80::1%eth0"),
        good.replace("10/Oct", "31/Feb"),
        good.replace("10/Oct", "10/Foo"),
        good.replace("13:55:36", "25:55:36"),
        good.replace("13:55:36", "13:61:36"),
        good.replace("+0000", "+9999"),
        good.replace(" 200 ", " 2x0 "),
        "",
        "garbage",
        good[:40],
    ):
        assert parse_line(bad) is None, bad


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_no_bytes_make_the_parser_raise(data):
    hit = parse_line(decode_line(data))
    assert hit is None or isinstance(hit.status, int)


LINE_PIECES = st.sampled_from(
    [
        '"',
        "\\",
        " ",
        "[",
        "]",
        "-",
        "+0000",
        "10/Oct/2000:13:55:36",
        "GET",
        "/",
        "200",
        "1.2.3.4",
        "::1",
        "\x00",
        "é",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE_PIECES | st.text(max_size=8), max_size=30))
def test_no_line_built_from_log_fragments_makes_the_parser_raise(pieces):
    hit = parse_line(decode_line("".join(pieces).encode("utf-8", "surrogatepass")))
    assert hit is None or hit.ts[:4].isdigit()
