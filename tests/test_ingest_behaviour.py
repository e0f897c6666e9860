"""Bots by behaviour: the rule that fired marks the visitor, its views are bots, not page views."""

from collections import Counter

import pytest
from django.test import override_settings

from prospects.identify.exclusions import ACCOUNT_PAGES, BOT, refresh_exclusions
from prospects.models import PageView, Visitor
from prospects.visits.ingest import behaviour
from prospects.visits.ingest.accounts import is_account_path
from prospects.visits.ingest.importer import ingest_file
from tests.ingest_lines import BROWSER, line, write_log
from tests.shared_data import shared_file

pytestmark = pytest.mark.django_db


def _rules() -> dict[str, int]:
    """How many visitors each behaviour rule marked ("" for none)."""
    return dict(Counter(Visitor.objects.values_list("bot_rule", flat=True)))


@pytest.mark.parametrize(
    ("assets_logged", "humans", "by_account_pages", "by_fleet"),
    # Every client in this log probed a hidden form (nielsbasjes/logparser's demo log). Its
    # lines hold no assets, so "auto" does not apply the no-assets rule; the full log it was
    # cut from showed its site's assets, which "yes" says.
    [("auto", 5, 75, 35), ("yes", 4, 69, 19)],
)
def test_the_hackers_only_log_keeps_almost_no_humans(
    assets_logged, humans, by_account_pages, by_fleet
):
    with override_settings(LEADGEN_BOT_ASSETS_LOGGED=assets_logged):
        result = ingest_file(shared_file("nielsbasjes_hackers-access.log"))
    rules = _rules()
    assert Visitor.objects.count() == 646
    assert rules[""] == humans, rules
    assert rules[behaviour.INSTANT_FORM] == 486
    assert rules[behaviour.MIXED_HTTP] == 45
    assert rules[ACCOUNT_PAGES] == by_account_pages
    assert rules[behaviour.FLEET] == by_fleet
    assert result.bots > 2000
    assert PageView.objects.filter(visitor__bot_rule="").count() == result.pageviews


def test_the_real_elastic_sample_loses_no_one_to_the_rules_for_hackers():
    ingest_file(shared_file("elastic_apache_logs.log.gz"))
    # 39 of the 44 read pages on hosting addresses without loading an asset, 5 are Google's.
    assert _rules() == {"": 903, behaviour.NO_ASSETS: 39, behaviour.CRAWLER_ADDRESS: 5}


def test_a_visitor_asking_only_for_account_pages_is_not_a_prospect(tmp_path):
    signing_in = [
        line("/login", ip="192.0.2.80"),
        line("/login", ip="192.0.2.80", method="POST", status=302, minutes=1),
        line("/users/sign_in", ip="192.0.2.80", minutes=2),
        line("/static/site.css", ip="192.0.2.80", minutes=2),
    ]
    # Signing in, then reading; and reading the manual's page about the admin screens.
    reader = [line("/login", ip="192.0.2.81"), line("/pricing", ip="192.0.2.81", minutes=1)]
    manual = [line("/docs/admin/roles", ip="192.0.2.82")]
    ingest_file(write_log(tmp_path, signing_in + reader + manual))
    assert dict(Visitor.objects.values_list("ip", "bot_rule")) == {
        "192.0.2.80": ACCOUNT_PAGES,
        "192.0.2.81": "",
        "192.0.2.82": "",
    }
    # A class of its own, not a bot, and it stays so when every reason is recomputed.
    assert Visitor.objects.get(ip="192.0.2.80").excluded_reason == ACCOUNT_PAGES
    refresh_exclusions()
    assert Visitor.objects.get(ip="192.0.2.80").excluded_reason == ACCOUNT_PAGES


def test_an_account_holder_who_comes_back_to_read_is_kept_and_no_longer_excluded(tmp_path):
    signing_in = [
        line("/login", ip="192.0.2.80"),
        line("/login", ip="192.0.2.80", method="POST", status=302, minutes=1),
    ]
    ingest_file(write_log(tmp_path, signing_in, name="monday.log"))
    assert Visitor.objects.get(ip="192.0.2.80").bot_rule == ACCOUNT_PAGES
    assert not PageView.objects.exists()
    # Signing in again is still only that: its views stay out.
    again = [line("/users/sign_in", ip="192.0.2.80", minutes=60)]
    ingest_file(write_log(tmp_path, again, name="tuesday.log"))
    assert Visitor.objects.get(ip="192.0.2.80").bot_rule == ACCOUNT_PAGES
    assert not PageView.objects.exists()
    reading = [
        line("/login", ip="192.0.2.80", minutes=120),
        line("/pricing", ip="192.0.2.80", minutes=121),
    ]
    result = ingest_file(write_log(tmp_path, reading, name="wednesday.log"))
    visitor = Visitor.objects.get(ip="192.0.2.80")
    assert (visitor.bot_rule, visitor.excluded_reason) == ("", "")
    assert sorted(visitor.pageviews.values_list("page__path", flat=True)) == ["/login", "/pricing"]
    assert result.pageviews == 2


@pytest.mark.parametrize(
    ("path", "account"),
    [
        ("/wp-login.php", True),
        ("/acl_users/credentials_cookie_auth/require_login", True),
        ("/register/step-2", True),
        ("/wp-admin/post.php", True),
        ("/blog/how-to-register-a-domain", False),
        ("/docs/admin/roles", False),
        ("/pricing", False),
    ],
)
def test_account_pages_are_told_by_their_first_or_last_segment(path, account):
    assert is_account_path(path) is account


FLEET_AGENT = "Mozilla/5.0 (Windows NT 6.1; rv:32.0) Gecko/20100101 Firefox/32.0"


def _fleet(agent: str, *, probing: int, reading: int, first: int = 1) -> list[str]:
    """Addresses sharing one agent: `probing` of them probe a path, `reading` only read."""
    lines = []
    for n in range(first, first + probing + reading):
        ip = f"198.51.100.{n}"
        lines.append(line("/places", ip=ip, agent=agent, minutes=n))
        if n < first + probing:
            lines.append(line("/.env", ip=ip, agent=agent, minutes=n, seconds=30))
    return lines


def test_the_quiet_addresses_of_a_bot_fleet_share_its_mark(tmp_path):
    fleet = _fleet(FLEET_AGENT, probing=9, reading=1)
    # Eight of ten marked is not a fleet: people can share a common agent with bots.
    crowd = _fleet(BROWSER, probing=8, reading=2, first=20)
    ingest_file(write_log(tmp_path, fleet + crowd))
    rules = dict(Visitor.objects.values_list("ip", "bot_rule"))
    assert rules["198.51.100.10"] == behaviour.FLEET
    assert rules["198.51.100.28"] == rules["198.51.100.29"] == ""
    assert Counter(rules.values()) == {behaviour.PROBE_PATHS: 17, behaviour.FLEET: 1, "": 2}


def test_a_common_log_has_no_fleet(tmp_path):
    def common(ip, path, second):
        return f'{ip} - - [02/Mar/2026:09:00:{second:02d} +0000] "GET {path} HTTP/1.1" 200 5120'

    lines = []
    for n in range(1, 10):
        lines += [common(f"198.51.100.{n}", "/places", n), common(f"198.51.100.{n}", "/.env", n)]
    lines.append(common("198.51.100.10", "/places", 30))
    ingest_file(write_log(tmp_path, lines))
    assert Visitor.objects.get(ip="198.51.100.10").bot_rule == ""


def test_one_visitor_speaking_two_http_versions_is_a_bot(tmp_path):
    script = [
        line("/login_form", ip="192.0.2.50", protocol="HTTP/1.0"),
        line("/pricing", ip="192.0.2.50", minutes=3),
    ]
    # A proxy that speaks HTTP/1.0 for everyone, and a browser on HTTP/2: one version each.
    proxied = [line(f"/blog/{n}", ip="192.0.2.60", protocol="HTTP/1.0", minutes=n) for n in (0, 5)]
    modern = [line("/", ip="192.0.2.70", protocol="HTTP/2.0"), line("/docs", ip="192.0.2.70")]
    result = ingest_file(write_log(tmp_path, script + proxied + modern))
    assert dict(Visitor.objects.values_list("ip", "bot_rule")) == {
        "192.0.2.50": behaviour.MIXED_HTTP,
        "192.0.2.60": "",
        "192.0.2.70": "",
    }
    assert (result.pageviews, result.bots) == (4, 2)


def test_a_form_posted_within_seconds_of_its_page_marks_a_bot(tmp_path):
    lines = [
        line("/trial", ip="198.51.100.9"),
        line("/trial", ip="198.51.100.9", method="POST", status=302, seconds=1),
        line("/pricing", ip="203.0.113.7"),
        line("/trial", ip="203.0.113.7", minutes=1),
        line("/trial", ip="203.0.113.7", method="POST", status=302, minutes=2),
    ]
    result = ingest_file(write_log(tmp_path, lines))
    bot = Visitor.objects.get(ip="198.51.100.9")
    assert (bot.bot_rule, bot.excluded_reason) == (behaviour.INSTANT_FORM, BOT)
    assert not bot.pageviews.exists()
    assert Visitor.objects.get(ip="203.0.113.7").bot_rule == ""
    assert (result.pageviews, result.bots) == (2, 1)
    # The reason survives a recomputation of every exclusion.
    refresh_exclusions()
    assert Visitor.objects.get(ip="198.51.100.9").excluded_reason == BOT


def test_rate_404_share_and_post_only(tmp_path):
    fast = [line(f"/docs/{n}", ip="192.0.2.10", seconds=n % 60) for n in range(70)]
    scanner = [line(f"/guess/{n}", ip="192.0.2.20", status=404, minutes=n) for n in range(12)]
    scanner.append(line("/", ip="192.0.2.20", minutes=20))
    posts = [line("/api/x", ip="192.0.2.30", method="POST", minutes=n) for n in range(3)]
    person = [line(f"/blog/{n}", ip="192.0.2.40", minutes=n * 3) for n in range(8)]
    ingest_file(write_log(tmp_path, fast + scanner + posts + person))
    rules = dict(Visitor.objects.values_list("ip", "bot_rule"))
    assert rules == {
        "192.0.2.10": behaviour.RATE,
        "192.0.2.20": behaviour.NOT_FOUND,
        "192.0.2.40": "",
    }
    # The POST-only client never had a page view, so it is counted but has no visitor row.


def test_known_crawler_addresses_are_bots_even_without_user_agents(tmp_path):
    googlebot = '66.249.66.1 - - [02/Mar/2026:09:00:00 +0000] "GET /pricing HTTP/1.1" 200 5120'
    person = '203.0.113.7 - - [02/Mar/2026:09:00:00 +0000] "GET /pricing HTTP/1.1" 200 5120'
    result = ingest_file(write_log(tmp_path, [googlebot, person]))
    assert result.log_format == "common"
    assert result.pageviews == 1 and result.bots == 1
    assert any("no user agents" in notice for notice in result.notices)
    assert dict(Visitor.objects.values_list("ip", "bot_rule")) == {
        "66.249.66.1": behaviour.CRAWLER_ADDRESS,
        "203.0.113.7": "",
    }


def test_no_assets_applies_only_where_the_log_shows_assets(tmp_path):
    readers = []
    for n in range(20):
        ip = f"198.51.100.{n + 1}"
        readers += [line("/", ip=ip, minutes=n), line("/static/site.css", ip=ip, minutes=n)]
    scraper = [line(f"/blog/{n}", ip="192.0.2.99", agent=BROWSER, minutes=n) for n in range(3)]
    ingest_file(write_log(tmp_path, readers + scraper))
    assert Visitor.objects.get(ip="192.0.2.99").bot_rule == behaviour.NO_ASSETS
    assert not Visitor.objects.filter(ip__startswith="198.51.100.").exclude(bot_rule="").exists()


def test_a_bot_stays_a_bot_in_later_imports(tmp_path):
    probe = [line("/pricing", ip="192.0.2.7"), line("/.env", ip="192.0.2.7", seconds=5)]
    ingest_file(write_log(tmp_path, probe, name="one.log"))
    later = [line("/pricing", ip="192.0.2.7", minutes=90)]
    result = ingest_file(write_log(tmp_path, later, name="two.log"))
    assert (result.pageviews, result.bots) == (0, 1)
    assert Visitor.objects.get(ip="192.0.2.7").bot_rule == behaviour.PROBE_PATHS


def test_the_imports_page_says_how_the_file_was_read(tmp_path, client, admin_user):
    common = '203.0.113.7 - - [02/Mar/2026:09:00:00 +0000] "GET /robots.txt HTTP/1.1" 200 120'
    ingest_file(write_log(tmp_path, [common]))
    client.force_login(admin_user)
    page = client.get("/imports/").content.decode()
    assert "common" in page and "no user agents" in page
    assert "Not reading" in page


def _split_visits():
    """Visitors whose requests come in two bursts two hours apart, with readers in between.

    The 404 scanner, the POST-only client and the scraper meet their rule only when both
    bursts are counted together; the busiest minute is the later one's; the person (a page
    first, an asset later) is a reader with assets.
    """
    first, later = [], []
    # The busiest minute is in the later burst (65 requests), the earlier one has 30.
    first += [line("/pricing", ip="192.0.2.10", seconds=n) for n in range(30)]
    later += [line("/pricing", ip="192.0.2.10", minutes=120, seconds=n // 2) for n in range(65)]
    for n in range(6):
        first.append(line(f"/guess/{n}", ip="192.0.2.20", status=404, minutes=1))
        later.append(line(f"/guess/{n}", ip="192.0.2.20", status=404, minutes=121))
    later.append(line("/", ip="192.0.2.20", minutes=121))
    first += [line("/api/x", ip="192.0.2.30", method="POST", minutes=n) for n in range(2)]
    later.append(line("/api/x", ip="192.0.2.30", method="POST", minutes=122))
    first += [line(f"/blog/{n}", ip="192.0.2.99", minutes=n) for n in range(2)]
    later.append(line("/blog/9", ip="192.0.2.99", minutes=123))
    first.append(line("/docs", ip="192.0.2.40", minutes=2))
    later.append(line("/static/site.css", ip="192.0.2.40", minutes=124))
    middle = []
    for n in range(25):
        ip = f"198.51.100.{n + 1}"
        middle += [
            line("/", ip=ip, minutes=30 + 3 * n),
            line("/static/site.css", ip=ip, minutes=30 + 3 * n),
        ]
    return first + middle + later


def _outcome(result):
    counts = (result.lines, result.pageviews, result.bots, result.static, result.ignored)
    return counts, sorted(Visitor.objects.values_list("ip", "bot_rule")), PageView.objects.count()


def test_visitors_spilled_out_of_memory_meet_the_rules_one_row_would(tmp_path, monkeypatch):
    from prospects.visits.ingest import importer, reader, spill

    # Chunks of 7 lines and a tiny memory: quiet visitors leave memory between chunks.
    monkeypatch.setattr(reader, "BLOCK_BYTES", 512)
    monkeypatch.setattr(
        importer, "LogReader", lambda source: reader.LogReader(source, chunk_lines=7)
    )
    path = write_log(tmp_path, _split_visits())
    in_memory = _outcome(ingest_file(path))
    assert dict(in_memory[1])["192.0.2.10"] == behaviour.RATE
    PageView.objects.all().delete()
    Visitor.objects.all().delete()
    added = []
    monkeypatch.setattr(behaviour, "KEPT_VISITORS", 2)
    original_add = spill.SpilledStats.add
    monkeypatch.setattr(
        spill.SpilledStats,
        "add",
        lambda self, rows: added.append(len(rows)) or original_add(self, rows),
    )
    spilled = _outcome(ingest_file(path, name="again"))
    # 30 visitors, the five of both bursts in two rows each, spilled over several chunks.
    assert sum(added) == 35 and len([n for n in added if n]) > 3
    assert spilled == in_memory
    rules = dict(in_memory[1])
    assert rules["192.0.2.10"] == behaviour.RATE
    assert rules["192.0.2.20"] == behaviour.NOT_FOUND
    assert rules["192.0.2.99"] == behaviour.NO_ASSETS
    assert rules["192.0.2.40"] == ""
    assert "192.0.2.30" not in rules  # POST only: no page view, so no visitor row
    # The bots' page views: the fast client's 95, the scanner's one, the scraper's three.
    assert in_memory[0][2] == 95 + 1 + 3


def test_a_fleet_spilled_out_of_memory_is_told_as_in_memory(tmp_path, monkeypatch):
    from prospects.visits.ingest import importer, reader, spill

    monkeypatch.setattr(reader, "BLOCK_BYTES", 512)
    monkeypatch.setattr(
        importer, "LogReader", lambda source: reader.LogReader(source, chunk_lines=3)
    )
    monkeypatch.setattr(behaviour, "KEPT_VISITORS", 2)
    added = []
    original_add = spill.SpilledStats.add
    monkeypatch.setattr(
        spill.SpilledStats,
        "add",
        lambda self, rows: added.append(len(rows)) or original_add(self, rows),
    )
    # Hours apart, so every address leaves memory before the next one comes.
    fleet = [
        text.replace("[02/Mar/2026:09:", f"[02/Mar/2026:{10 + n // 2:02d}:")
        for n, text in enumerate(_fleet(FLEET_AGENT, probing=9, reading=1))
    ]
    ingest_file(write_log(tmp_path, fleet))
    rules = dict(Visitor.objects.values_list("ip", "bot_rule"))
    assert rules["198.51.100.10"] == behaviour.FLEET
    assert Counter(rules.values()) == {behaviour.PROBE_PATHS: 9, behaviour.FLEET: 1}
    # Every address went through the spill table (so the fleet was found in its rows).
    assert sum(added) == 10
