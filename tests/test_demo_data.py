"""The demo log generator: deterministic, realistic mix, and a zone that matches the log."""

import csv
import datetime as dt
import json

from django.core.management import call_command

END = dt.date(2026, 11, 24)


def generate(tmp_path, name, seed=3, visitors=1500):
    out = tmp_path / f"{name}.log"
    zone = tmp_path / f"{name}.zone.json"
    truth = tmp_path / f"{name}.truth.csv"
    call_command(
        "generate_demo_logs",
        visitors=visitors,
        days=14,
        seed=seed,
        end=END,
        out=out,
        zone=zone,
        truth=truth,
    )
    return out, zone, truth


def test_same_seed_gives_the_same_files(tmp_path):
    first = generate(tmp_path, "a")
    second = generate(tmp_path, "b")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()
    other, _, _ = generate(tmp_path, "c", seed=4)
    assert other.read_bytes() != first[0].read_bytes()


def test_conversion_rate_and_archetypes_are_realistic(tmp_path):
    _, _, truth = generate(tmp_path, "d", visitors=4000)
    rows = list(csv.DictReader(truth.open()))
    assert len(rows) == 4000
    rate = sum(int(r["converted"]) for r in rows) / len(rows)
    assert 0.01 <= rate <= 0.03
    archetypes = {r["archetype"] for r in rows}
    assert {
        "evaluator",
        "blog_reader",
        "job_seeker",
        "competitor",
        "home_user",
        "bot",
    } <= archetypes
    converters = [r for r in rows if r["converted"] == "1"]
    evaluators = sum(r["archetype"] == "evaluator" for r in converters)
    assert evaluators / len(converters) > 0.6


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
