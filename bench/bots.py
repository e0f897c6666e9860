"""Benchmark of bot detection by user agent: recall and false positives on independent corpora.

    python bench/bots.py [--device-detector GIT_DIR] [--uap-core GIT_DIR] [--crawler-user-agents GIT_DIR]

Each GIT_DIR is a clone (bare or not) of matomo-org/device-detector, ua-parser/uap-core and
monperrus/crawler-user-agents; the corpora are read from their HEAD with `git show` and never
copied here (device-detector's fixtures are LGPL). Bots: device-detector's `bots.yml` and its
library and feed-reader clients, uap-core's test agents whose device is "Spider", and the
example instances of crawler-user-agents (not independent: its patterns are vendored, so its
recall is shown apart). People: device-detector's browser and mobile-app fixtures and uap-core's
other test agents. An agent labelled a bot anywhere counts as a bot.
"""

import argparse
import collections
import json
import os
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
    for (group, bot), (total, flagged) in sorted(by_group.items()):
        kind = "recall" if bot else "false_positives"
        print(f"{kind} [{group}]: {flagged}/{total} = {flagged / total:.4f}")
    print(f"recall_independent: {recall:.4f} ({len(independent_bots)} bots)")
    print(
        f"false_positive_rate: {false_positives / len(people):.5f} ({false_positives}/{len(people)})"
    )
    print(f"microseconds_per_agent: {seconds / len(data) * 1e6:.0f}")
    print(f"rules: {dict(collections.Counter(r for r in rules.values() if r))}", file=sys.stderr)
    if args.show:
        misses = [a for a in independent_bots if not rules[a]][: args.show]
        wrong = [a for a in people if rules[a]][: args.show]
        for agent in misses:
            print(f"missed: {agent[:160]}", file=sys.stderr)
        for agent in wrong:
            print(f"flagged ({rules[agent]}): {agent[:160]}", file=sys.stderr)


if __name__ == "__main__":
    main()
