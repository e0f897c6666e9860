"""Benchmark of bot detection by user agent: recall and false positives on independent corpora.

    python bench/bots.py [--device-detector GIT_DIR] [--uap-core GIT_DIR] [--crawler-user-agents GIT_DIR]

Each GIT_DIR is a clone (bare or not) of matomo-org/device-detector, ua-parser/uap-core and
monperrus/crawler-user-agents; the corpora are read from their HEAD with `git show` and never
copied here (device-detector's fixtures are LGPL). Bots: device-detector's `bots.yml` and its
library and feed-reader clients, uap-core's test agents whose device is "Spider", and the
example instances of crawler-user-agents (not independent: its patterns are vendored, so its
recall is shown apart). People: device-detector's browser and mobile-app fixtures and uap-core's
other test agents. An agent labelled a bot anywhere counts as a bot.

Some agents the corpora label with a device are not a person reading a page: WhatsApp's own
agent fetching a pasted link for its preview, phones' update and device-management clients,
SDKs and apps' API clients, and spiders and tools in whose names uap-core finds a brand
("Huaweisymantecspider", "WordPress/3.8.1; http://www.samsung-blog-news.de"). `NON_READING`
names them by what the agent says it is, a judgement made here and not by the detector's
rules. The false positives are printed plainly, then how many of these clients each group
holds and the detector calls bots, then the false positives among the rest
("false_positives_reading"); the headline figures stay the plain ones.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadgen.settings")
os.environ.setdefault("DEBUG", "1")

MIRRORS = Path("/work/.mirror")
BOT_CLIENTS = {"library", "feed reader"}
PERSON_CLIENTS = {"browser", "mobile app"}
# Clients labelled a person's that read no page for a person, by what the agent names. None
# of these matches an agent of device-detector's browsers.
NON_READING = [
    # The app fetches a link pasted into a chat to draw its preview; the reader who taps it
    # opens the page in a browser, which sends a browser's agent.
    ("link preview", r"^WhatsApp\+?/"),
    (
        "software update",
        r"update ?(?:manager|agent|center)|updater\b|live update|self-update|\bupdate/"
        r"|upctloader|\bmagician$",
    ),
    ("device management", r"\bsyncml[_ ](?:d[sm]|http) client"),
    ("sdk or app api", r"android_sdk$|^SkyNet/|^\(Android\)\("),
    ("device service", r"\b(?:http service|service app|gps|allshare)$|^htc(?:weather|youtube)$"),
    ("crawler or tool", r"spider(?! \d)|^PostmanRuntime/|^WordPress/"),
]
NON_READING_RULES = [(name, re.compile(pattern, re.I)) for name, pattern in NON_READING]


def non_reading(agent: str) -> str:
    """The NON_READING rule an agent matches ("" for none)."""
    return next((name for name, regex in NON_READING_RULES if regex.search(agent)), "")


def git_show(repo: Path, path: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"HEAD:{path}"], capture_output=True, check=True
    ).stdout


def git_files(repo: Path, folder: str) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", "HEAD", folder],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return out.split()


def corpora(device_detector: Path, uap_core: Path, crawler_agents: Path) -> dict:
    """{agent: (is bot, set of corpus groups)} from the three repositories."""
    import yaml

    # The C-accelerated safe loader when the build has it: the fixtures are 30 MB of YAML.
    safe_load = (
        (lambda text: yaml.load(text, Loader=yaml.CSafeLoader))
        if hasattr(yaml, "CSafeLoader")
        else yaml.safe_load
    )
    labels: dict[str, bool] = {}
    groups: dict[str, set] = collections.defaultdict(set)

    def add(agent, bot, group):
        agent = (agent or "").strip() if isinstance(agent, str) else ""
        if not agent:
            return
        labels[agent] = labels.get(agent, False) or bot
        groups[agent].add(group)

    for path in git_files(device_detector, "Tests/fixtures"):
        for entry in safe_load(git_show(device_detector, path)) or []:
            if path.endswith("bots.yml"):
                add(entry.get("user_agent"), True, "device-detector bots")
                continue
            client = entry.get("client") if isinstance(entry.get("client"), dict) else {}
            kind = client.get("type", "")
            if kind in BOT_CLIENTS:
                add(entry.get("user_agent"), True, "device-detector bots")
            elif kind in PERSON_CLIENTS:
                add(entry.get("user_agent"), False, f"device-detector {kind}s")
    cases = safe_load(git_show(uap_core, "tests/test_device.yaml"))["test_cases"]
    for case in cases:
        spider = case["family"] == "Spider"
        add(case["user_agent_string"], spider, "uap-core spiders" if spider else "uap-core devices")
    for entry in json.loads(git_show(crawler_agents, "crawler-user-agents.json")):
        for agent in entry.get("instances", []):
            add(agent, True, "crawler-user-agents instances")
    return {agent: (labels[agent], groups[agent]) for agent in labels}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--device-detector", type=Path, default=MIRRORS / "matomo-org+device-detector/repo"
    )
    parser.add_argument("--uap-core", type=Path, default=MIRRORS / "ua-parser+uap-core/repo")
    parser.add_argument(
        "--crawler-user-agents", type=Path, default=MIRRORS / "monperrus+crawler-user-agents/repo"
    )
    parser.add_argument("--show", type=int, default=0, help="print this many misses of each kind")
    args = parser.parse_args()

    import django

    django.setup()
    from prospects.visits.ingest.bots import bot_rule

    data = corpora(args.device_detector, args.uap_core, args.crawler_user_agents)
    began = time.perf_counter()
    rules = {agent: bot_rule(agent) for agent in data}
    seconds = time.perf_counter() - began
    by_group = collections.defaultdict(lambda: [0, 0])
    for agent, (bot, groups) in data.items():
        for group in groups:
            counts = by_group[group, bot]
            counts[0] += 1
            counts[1] += bool(rules[agent])
    independent_bots = [
        a for a, (b, g) in data.items() if b and g - {"crawler-user-agents instances"}
    ]
    people = [a for a, (b, _g) in data.items() if not b]
    recall = sum(bool(rules[a]) for a in independent_bots) / len(independent_bots)
    false_positives = sum(bool(rules[a]) for a in people)
    clients = {a: non_reading(a) for a in people}
    # group -> NON_READING rule -> [agents, flagged]; and group -> the readers' flagging rules.
    split = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0]))
    readers_flagged = collections.defaultdict(collections.Counter)
    for agent in people:
        for group in data[agent][1]:
            if clients[agent]:
                counts = split[group][clients[agent]]
                counts[0] += 1
                counts[1] += bool(rules[agent])
            elif rules[agent]:
                readers_flagged[group][rules[agent]] += 1
    for (group, bot), (total, flagged) in sorted(by_group.items()):
        kind = "recall" if bot else "false_positives"
        print(f"{kind} [{group}]: {flagged}/{total} = {flagged / total:.4f}")
        if bot:
            continue
        clients_total = sum(n for n, _f in split[group].values())
        clients_flagged = sum(f for _n, f in split[group].values())
        readers, readers_flagged_n = total - clients_total, flagged - clients_flagged
        detail = ", ".join(f"{name} {f}/{n}" for name, (n, f) in sorted(split[group].items()))
        print(f"  of which non-reading clients: {clients_flagged}/{clients_total} ({detail})")
        print(
            f"  false_positives_reading [{group}]: "
            f"{readers_flagged_n}/{readers} = {readers_flagged_n / readers:.4f}"
        )
        print(f"  readers flagged by rule: {dict(readers_flagged[group].most_common())}")
    print(f"recall_independent: {recall:.4f} ({len(independent_bots)} bots)")
    print(
        f"false_positive_rate: {false_positives / len(people):.5f} ({false_positives}/{len(people)})"
    )
    readers = [a for a in people if not clients[a]]
    readers_flagged_n = sum(bool(rules[a]) for a in readers)
    print(
        f"false_positive_rate_reading: {readers_flagged_n / len(readers):.5f} "
        f"({readers_flagged_n}/{len(readers)})"
    )
    print(f"microseconds_per_agent: {seconds / len(data) * 1e6:.0f}")
    print(f"rules: {dict(collections.Counter(r for r in rules.values() if r))}", file=sys.stderr)
    if args.show:
        misses = [a for a in independent_bots if not rules[a]][: args.show]
        wrong = [a for a in people if rules[a]][: args.show]
        for agent in misses:
            print(f"missed: {agent[:160]}", file=sys.stderr)
        for agent in wrong:
            client = f" [non-reading: {clients[agent]}]" if clients[agent] else ""
            print(f"flagged ({rules[agent]}){client}: {agent[:160]}", file=sys.stderr)


if __name__ == "__main__":
    main()
