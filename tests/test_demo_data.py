"""The demo generator: one seeded conversion process, told as a log, a zone and its truth.

The statistical tests run on the generator's ground truth (`prospects.demo.intent.simulate`) at
the Makefile's scale, so their noise is small; the file tests go through the command.
"""

import csv
import datetime as dt
import functools
import json
import math
import statistics
from collections import defaultdict

import pytest
from django.core.management import call_command
from sklearn.metrics import average_precision_score, roc_auc_score

from prospects.demo import catalogue, sales
from prospects.demo.intent import ARCHETYPES, BURN_IN, EVALUATION, logistic
from prospects.demo.truth import oracle, simulate

END = dt.date(2026, 11, 24)
EVALUATION_PAGES = {
    page for pages, _ in EVALUATION for page in pages if not page.startswith("/blog")
}


@functools.cache
def makefile_world(seed=7):
    """The truth at `make demo`'s parameters (about a second to draw)."""
    return simulate(visitors=20000, days=90, seed=seed)


def generate(tmp_path, name, seed=3, visitors=1500, days=14):
    out = tmp_path / f"{name}.log"
    zone = tmp_path / f"{name}.zone.json"
    truth = tmp_path / f"{name}.truth.csv"
    call_command(
        "generate_demo_logs",
        visitors=visitors,
        days=days,
        seed=seed,
        end=END,
        out=out,
        zone=zone,
        truth=truth,
    )
    return out, zone, truth


def buyer_sessions():
    """(archetype, intent, pages, converted visitor, converting session) for buyers' sessions."""
    rows = []
    for visitor in makefile_world().visitors:
        if not ARCHETYPES[visitor.archetype].buyer:
            continue
        converts = visitor.converted_day is not None
        for session in visitor.sessions:
            rows.append((visitor.archetype, session.intent, session, converts, session.submitted))
    return rows


def intent_bin(intent: float) -> int:
    """Bins of equal width on the logit scale, where intent moves evenly."""
    return round(math.log(intent / (1 - intent)) * 4)


def pricing_share(session) -> float:
    return sum(p.startswith("/pricing") for p in session.pages) / len(session.pages)


def test_same_seed_gives_the_same_files_and_truth(tmp_path):
    first = generate(tmp_path, "a")
    second = generate(tmp_path, "b")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()
    other, _, _ = generate(tmp_path, "c", seed=4)
    assert other.read_bytes() != first[0].read_bytes()
    again = simulate(visitors=3000, days=30, seed=5)
    assert again.visitors == simulate(visitors=3000, days=30, seed=5).visitors
    assert again.visitors != simulate(visitors=3000, days=30, seed=6).visitors


def test_conversion_rate_is_a_few_percent_and_evaluators_lead():
    visitors = makefile_world().visitors
    assert len(visitors) == 20000
    converts = [v for v in visitors if v.converted_day is not None]
    assert 0.015 <= len(converts) / len(visitors) <= 0.04
    kinds = [v.archetype for v in converts]
    assert kinds.count("evaluator") > len(kinds) / 2
    # Some forms come from people nobody would have picked.
    assert {"blog_reader", "home_user", "casual_business"} <= set(kinds)
    assert not {"bot", "scraper", "job_seeker", "customer", "competitor"} & set(kinds)
    # Conversions spread over the whole history instead of waiting for buyers to warm up.
    weeks = [sum(1 for v in converts if w * 7 <= v.converted_day < w * 7 + 7) for w in range(12)]
    assert statistics.mean(weeks[:2]) > 0.6 * statistics.mean(weeks[2:])


def test_intent_drives_returns_and_evaluators_warm_up_then_some_cool_off():
    evaluators = [v for v in makefile_world().visitors if v.archetype == "evaluator"]
    rises = [v.intents[20] > v.intents[0] for v in evaluators if len(v.intents) > 20]
    assert sum(rises) > 0.7 * len(rises)
    # Stopped before the end of the log without converting: they had cooled off.
    ended = [v for v in evaluators if v.arrival + len(v.intents) < 90]
    stopped = [v for v in ended if v.converted_day is None]
    assert len(stopped) > len(evaluators) / 5
    assert all(v.intents[-1] < 0.1 for v in stopped)
    assert sum(max(v.intents) > 0.3 for v in stopped) > len(stopped) / 4
    # Warmer buyers come back more often: the chance of a visit on a day rises with intent.
    returns = defaultdict(list)
    for v in evaluators:
        days = {s.day for s in v.sessions}
        for offset, intent in enumerate(v.intents[1:], start=1):
            returns[min(int(intent * 4), 3)].append(v.arrival + offset in days)
    rates = [statistics.mean(returns[quarter]) for quarter in range(4)]
    assert rates == sorted(rates)
    assert rates[3] > 3 * rates[0]


def test_company_visitors_share_their_accounts_intent_and_accounts_buy():
    world, day = makefile_world(), 60
    latent, converts = defaultdict(list), defaultdict(list)
    for v in world.visitors:
        if v.company not in world.account_scores or not ARCHETYPES[v.archetype].buyer:
            continue
        converts[v.company].append(v.converted_day is not None)
        if v.archetype != "blog_reader" and v.arrival < day < v.arrival + len(v.intents):
            latent[v.company].append(math.log(v.intent_on(day) / (1 - v.intent_on(day))))
    pairs = [scores[:2] for scores in latent.values() if len(scores) >= 2]
    assert len(pairs) > 100
    assert statistics.correlation(*zip(*pairs, strict=True)) > 0.15
    # A colleague of a convert converts far more often than a visitor of another account.
    pairs = [flags[:2] for flags in converts.values() if len(flags) >= 2]
    second = statistics.mean(b for _, b in pairs)
    after_first = statistics.mean(b for a, b in pairs if a)
    assert after_first > 1.5 * second


def evaluation_share(session) -> float:
    return sum(p in EVALUATION_PAGES for p in session.pages) / len(session.pages)


def standardized_difference(groups, measure) -> float:
    """Converts' mean minus others' within each intent bin, averaged over converts' bins, in
    standard errors (pooled within each bin)."""
    total = sum(len(theirs) for others, theirs in groups.values() if others and theirs)
    difference, variance = 0.0, 0.0
    for others, theirs in groups.values():
        if len(others) < 2 or len(theirs) < 2:
            continue
        a, b = [measure(s) for s in theirs], [measure(s) for s in others]
        weight = len(a) / total
        pooled = statistics.variance(a + b)
        difference += weight * (statistics.mean(a) - statistics.mean(b))
        variance += weight**2 * pooled * (1 / len(a) + 1 / len(b))
    return difference / math.sqrt(variance)


def test_before_converting_converts_read_like_non_converts_of_the_same_intent():
    groups = defaultdict(lambda: ([], []))
    for archetype, intent, session, converts, _ in buyer_sessions():
        groups[archetype, intent_bin(intent)][converts].append(session)
    assert sum(len(theirs) for _, theirs in groups.values()) > 2000
    for measure in (pricing_share, evaluation_share, lambda s: len(s.pages)):
        assert abs(standardized_difference(groups, measure)) < 3.5
    # Without holding intent equal the difference is plain: the comparison can tell them apart.
    pooled = defaultdict(lambda: ([], []))
    for archetype, _, session, converts, _ in buyer_sessions():
        pooled[archetype][converts].append(session)
    assert standardized_difference(pooled, pricing_share) > 10
    assert standardized_difference(pooled, evaluation_share) > 10


def test_the_page_before_the_form_is_pricing_only_at_the_base_rate():
    base = defaultdict(lambda: [0, 0])
    for archetype, intent, session, _, submitted in buyer_sessions():
        if not submitted:
            cell = base[archetype, intent_bin(intent)]
            cell[0] += session.pages[-1].startswith("/pricing")
            cell[1] += 1
    observed, expected, variance = 0, 0.0, 0.0
    for archetype, intent, session, _, submitted in buyer_sessions():
        if submitted:
            hits, total = base[archetype, intent_bin(intent)]
            rate = (hits + 0.5) / (total + 1)
            observed += session.pages[-1].startswith("/pricing")
            expected += rate
            variance += rate * (1 - rate)
    assert abs(observed - expected) < 3.5 * math.sqrt(variance) + 2
    assert observed < 0.35 * sum(1 for row in buyer_sessions() if row[4])


def test_an_oracle_knowing_true_intent_at_day_60_predicts_days_60_to_90_well_not_perfectly():
    scores, labels = oracle(makefile_world(), day=60, horizon=30)
    assert len(labels) > 10000
    assert sum(labels) > 100
    roc = roc_auc_score(labels, scores)
    assert 0.8 < roc < 0.98
    assert average_precision_score(labels, scores) > 5 * sum(labels) / len(labels)


def test_deals_move_on_with_the_buying_committee_and_the_docs():
    """What the account did before its SQL, which the pipeline models can read, decides its
    later stages: the true chances follow sales' formula, and the behaviour terms alone rank
    the outcomes well (the latent score alone left the models near chance)."""
    world = makefile_world()
    deals = world.sales
    for d in deals:
        group = [v for v in world.visitors if v.company == d.domain]
        before = [[s for s in v.sessions if 0 <= s.day < d.sql] for v in group]
        assert d.people == sum(1 for sessions in before if sessions)
        assert d.read_docs == any(
            p in catalogue.DOCS for sessions in before for s in sessions for p in s.pages
        )
        signal = (
            sales.COMMITTEE * math.log(max(d.people, 1) / sales.TYPICAL_COMMITTEE)
            + sales.DOCS * (d.read_docs - 0.5)
            + sales.SLOPE * (world.account_scores[d.domain][d.sql + BURN_IN] - sales.CENTRE)
        )
        assert d.chance_opportunity == pytest.approx(logistic(sales.OPPORTUNITY_BASE + signal))
        assert d.chance_customer == pytest.approx(
            d.chance_opportunity * logistic(sales.WIN_BASE + signal)
        )
    last = sales.OPPORTUNITY_DAYS[1] + sales.WIN_DAYS[1]
    closed = [d for d in deals if d.sql + last < world.days]
    assert len(closed) > 100
    behaviour = [
        sales.COMMITTEE * math.log(max(d.people, 1)) + sales.DOCS * d.read_docs for d in closed
    ]
    assert roc_auc_score([d.opportunity is not None for d in closed], behaviour) > 0.75
    assert roc_auc_score([d.customer is not None for d in closed], behaviour) > 0.75


def test_truth_file_names_exactly_the_visitors_whose_form_is_in_the_log(tmp_path):
    log, _, truth = generate(tmp_path, "d", visitors=4000, days=30)
    rows = list(csv.DictReader(truth.open()))
    assert len(rows) == 4000
    thanked = {
        (line.split(" ", 1)[0], line.rsplit('"', 2)[-2])
        for line in log.read_text().splitlines()
        if '"GET /trial/thanks ' in line or '"GET /contact/thanks ' in line
    }
    converted = {(r["ip"], r["user_agent"]) for r in rows if r["converted"] == "1"}
    assert converted == thanked
    assert len(converted) > 30
    assert all(0 <= int(r["converted_day"]) < 30 for r in rows if r["converted"] == "1")


def test_log_lines_are_time_ordered_combined_format(tmp_path):
    log, _, _ = generate(tmp_path, "e")
    lines = log.read_text().splitlines()
    good = [line for line in lines if line.count('"') >= 6]
    assert len(lines) - len(good) <= len(lines) // 5000 + 1  # the odd truncated line
    stamps = [
        dt.datetime.strptime(line.split("[", 1)[1].split("]", 1)[0], "%d/%b/%Y:%H:%M:%S %z")
        for line in good
    ]
    assert stamps == sorted(stamps)
    assert END - dt.timedelta(days=14) <= stamps[0].date()
    # A late-evening session may run past midnight, never further.
    assert stamps[-1].date() <= END + dt.timedelta(days=1)
    assert any('"GET /trial/thanks HTTP/1.1" 200' in line for line in good)
    assert any("/static/css/site.css" in line for line in good)


def test_zone_has_forward_confirmed_and_unconfirmed_company_names(tmp_path):
    _, zone, truth = generate(tmp_path, "f")
    records = json.loads(zone.read_text())["records"]
    ptr = {r["name"]: r["value"] for r in records if r["type"] == "PTR"}
    forward = {r["name"] for r in records if r["type"] in {"A", "AAAA"}}
    unconfirmed = [name for name in ptr.values() if name not in forward]
    assert unconfirmed, "some PTR names must fail forward confirmation"
    assert any(name.endswith(".comcast.net.") for name in ptr.values())
    assert any(name.endswith(".amazonaws.com.") for name in ptr.values())
    assert any(name.endswith(".ip6.arpa.") for name in ptr)
    domains = {r["company_domain"] for r in csv.DictReader(truth.open()) if r["company_domain"]}
    assert any(value.rstrip(".").endswith(tuple(domains)) for value in ptr.values())
