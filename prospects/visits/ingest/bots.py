"""Which user agents are bots, and by which rule.

Rules, first match wins: no user agent at all; crawlerdetect; the maintained
crawler-user-agents list (vendored in `data/`, with its licence); a contact address in the
agent (browsers never carry a URL or an e-mail address, crawlers do so their operators can be
reached); an HTTP library, command-line client, headless browser or monitor; and an agent with
no product token at all ("Chrome", "Hello, world"), which no browser sends.

Before the lists are applied, the device model of an Android agent and its build id are taken
out: phones are called "Ruby", "M bot 54", "Spider 8" or "PHANTOM PZ25", and build ids such as
"AP3A.240617.008" appear in a crawler pattern. Agents are cut to `AGENT_CAP` characters first,
so no agent costs more than a bounded time, and a strict template of the common browsers
answers most agents without running any list.

Measured against independent corpora by `bench/bots.py`.
"""

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from crawlerdetect.providers.crawlers import data as CRAWLERDETECT_PATTERNS
from crawlerdetect.providers.exclusions import data as CRAWLERDETECT_EXCLUSIONS

DATA = Path(__file__).resolve().parent / "data"
# Longer agents are cut before any regex: nothing a browser sends is this long.
AGENT_CAP = 512

NO_AGENT = "no user agent"
CRAWLERDETECT = "crawlerdetect"
CRAWLER_LIST = "crawler list"
CONTACT = "contact address"
CLIENT = "http client or automation"
NOT_A_BROWSER = "not a browser"

# crawlerdetect and crawler-user-agents patterns that match ordinary browsers (device names,
# build ids, apps that show pages to a person): left out, each for the reason given.
UNRELIABLE_PATTERNS = {
    r"AP3A\.240617\.008": "an Android build id shared by many phones",
    r"008\/": "part of Android build ids and handset names (sprd-L008/1.0, DESAY TS1008/1.0)",
    "Buddy": "iBuddy tablets (I-Buddy 7.0, iBuddyConnecta_3G); BuddyBot says bot",
    "Pump": "four letters found inside the random tokens of TV browsers' agents",
    "Butterfly": "HTC Butterfly phones",
    "Sonic": "phone models (Cherry Sonic, O+ Sonic)",
    "Fever": "phone models",
    "Expanse": "phone models",
    "speedy": "phone models (SMART 4G Speedy)",
    "Sogou": "the Sogou browser; Sogou's spiders are matched by their own patterns",
    "Viber": "the Viber app's in-app browser",
    r"Code\/1\.": "Visual Studio Code's built-in browser",
}

# The shapes of the common browsers' agents, exactly: such an agent carries no bot token.
_BROWSER = re.compile(
    r"Mozilla/5\.0 \((?:Windows NT [\d.]+(?:; (?:Win64; x64|WOW64))?(?:; rv:[\d.]+)?"
    r"|Macintosh; Intel Mac OS X [\d_.]+(?:; rv:[\d.]+)?"
    r"|X11; (?:Ubuntu; )?Linux (?:x86_64|i686)(?:; rv:[\d.]+)?|X11; CrOS \w+ [\d.]+"
    r"|(?:iPhone|iPad); CPU (?:iPhone )?OS [\d_]+ like Mac OS X"
    r"|Linux; Android [\d.]+(?:; [^;()]*)?|Android [\d.]+; Mobile; rv:[\d.]+)\) "
    r"(?:AppleWebKit/[\d.]+ \(KHTML, like Gecko\) (?:Chrome/[\d.]+ (?:Mobile )?Safari/[\d.]+"
    r"(?: Edg/[\d.]+| OPR/[\d.]+)?|Version/[\d.]+ (?:Mobile/\w+ )?Safari/[\d.]+"
    r"|(?:CriOS|FxiOS|EdgiOS)/[\d.]+ Mobile/\w+ Safari/[\d.]+|Mobile/\w+)"
    r"|Gecko/[\d.]+ Firefox/[\d.]+)",
    re.ASCII,
)
# The device model and build id of Android agents, and the exclusions crawlerdetect applies.
_DEVICE = re.compile(r"(Android [\w.-]+; (?:[a-z]{2}[-_][a-zA-Z]{2}; )?)[^;)]*|Build/[^;)]*")
_CONTACT = re.compile(r"https?://|www\.|\b[\w.+-]+@[\w-]+\.[a-z]{2,}|\bcontact\b", re.I)
_CLIENTS = re.compile(
    # Libraries and command-line clients put their name first; automation anywhere.
    r"^(?:curl|wget|python|aiohttp|httpx|go-http-client|go |okhttp|java/|jakarta|"
    r"apache-httpclient|libwww|lwp|perl|php/|ruby|guzzlehttp|axios|node-fetch|node\.js|undici|"
    r"got |request|powershell|windowspowershell|winhttp|httpie|postmanruntime|insomnia|scrapy|"
    r"reqwest|dart/|rest-client|faraday|typhoeus|http\.rb|restsharp|zgrab|masscan|nmap|nuclei|"
    r"sqlmap|nikto|wpscan|dirbuster|gobuster|feroxbuster|fuzz)"
    r"|headlesschrome|phantomjs|playwright|puppeteer|selenium|webdriver"
    # HTTP libraries that sign after the program using them (GStreamer's souphttpsrc).
    r"|libsoup/"
    r"|lighthouse|pagespeed|gtmetrix|synthetic|uptime|monitor|healthcheck|health-check|"
    r"statuscake|pingdom|checkly|datadog|newrelic|new relic|site24x7|route53|route 53|"
    r"\$\{jndi|\bscan(?:ner|ning)?\b|\bprobe\b|\bresearch\b|\bpreview\b|\bfetcher\b",
    re.I,
)
_PRODUCT_TOKEN = re.compile(r"[/(\d]")
# Shapes no browser sends: one product token and nothing else (tools, monitors, scanners,
# libraries, podcast and feed fetchers: "collectd/5.5.1", "Grafana/11.1.0"); "Mozilla/5.0
# (compatible; Name/1.0)" and nothing after (browsers that say "compatible" name MSIE or
# Konqueror); a token of its own after "like Gecko" inside the engine's parentheses (Google's
# fetchers, site checkers); "Mozilla/5.0" and one word or one product; a product and a
# desktop platform only ("Newsboat/2.29.0 (Linux x86_64)": feed readers, desktop tools).
# A bare "Mozilla/5.0 (...)" is no such shape: phones send it.
_LONE_PRODUCT = re.compile(
    # Old phones' own browsers name only the handset ("BlackBerry6230/4.0.0"): not these.
    r"(?!(?i:BlackBerry|HTC|Alcatel|ASUS|Nokia|SAMSUNG|GT-|SonyEricsson|SEC-|LG|MOT|Motorola"
    r"|ZTE|Huawei|Lenovo|Sony|Sharp|Panasonic|Siemens|SIE-|Philips|Sagem|Vodafone|AppleTV"
    r"|Dillo))[\w.+-]+/v?\d[\w.+-]*"
    r"|Mozilla/5\.0 \(compatible(?:; (?!MSIE|Konqueror)[^;()]*)?\)"
    r"|Mozilla/5\.0 (?:[\w.+-]+(?:/[\w.+-]+)?|\([\w.+-]+/[\w.+-]+\))"
    r"|[\w.+-]+/v?\d[\w.+-]* \((?:Linux (?:x86_64|i686)|X11|Macintosh|Mac OS X)"
    # Symbian phones' browsers say X11 too: "Mozilla/4.0 (X11; Series60/2.1 Nokia7610/...)".
    r"(?![^()]*(?:Series ?60|SymbianOS|Profile/MIDP))[^()]*\)"
    r"|.*\(KHTML, like Gecko; [^)]+\).*",
    re.ASCII,
)
LONE_PRODUCT = "not a browser's shape"
# Characters that stand for themselves in a pattern (when not followed by a quantifier).
_LITERAL = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_/:;,=@!'\"<>%&~#"
)
_QUANTIFIERS = frozenset("*+?{")

CACHE_LIMIT = 100_000
cache: dict[str, tuple[bool, int]] = {}


def ua_hash(user_agent: str) -> int:
    """A 63-bit hash of a user agent, the same in every process (Visitor.ua_hash)."""
    digest = hashlib.blake2b(user_agent.encode("utf-8", "replace"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def classify_agent(user_agent: str) -> tuple[bool, int]:
    """(is the agent a bot?, its 63-bit hash), computed once per distinct user agent.

    The verdict reads the first AGENT_CAP characters; the hash covers the whole text.
    """
    try:
        return cache[user_agent]
    except KeyError:
        pass
    value = (is_bot(user_agent), ua_hash(user_agent))
    if len(user_agent) > AGENT_CAP:
        # Not kept: a log of distinct 16 KB agents would fill memory with their keys.
        return value
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[user_agent] = value
    return value


def is_bot(user_agent: str) -> bool:
    """Whether a user agent is a crawler, monitor, HTTP client or automation, or empty."""
    return bool(bot_rule(user_agent))


def bot_rule(user_agent: str) -> str:
    """The rule by which a user agent is a bot ("" for a person's browser)."""
    agent = user_agent[:AGENT_CAP].strip()
    if not agent or agent == "-":
        return NO_AGENT
    if _BROWSER.fullmatch(agent):
        return ""
    bare = _DEVICE.sub(r"\1", agent)
    if _is_crawler(bare):
        return CRAWLERDETECT
    if _in_crawler_list(bare):
        return CRAWLER_LIST
    if _CONTACT.search(bare):
        return CONTACT
    if _CLIENTS.search(bare):
        return CLIENT
    if not _PRODUCT_TOKEN.search(agent):
        return NOT_A_BROWSER
    if _LONE_PRODUCT.fullmatch(agent):
        return LONE_PRODUCT
    return ""


def _is_crawler(agent: str) -> bool:
    """crawlerdetect's answer: its exclusions taken out, then any of its patterns."""
    exclusions, crawlers = _crawlerdetect()
    rest = exclusions.sub("", agent)
    return bool(rest) and crawlers.search(rest) is not None


@lru_cache(maxsize=1)
def _crawlerdetect() -> tuple[re.Pattern, re.Pattern]:
    """crawlerdetect's exclusions and patterns, the patterns compiled as a prefix tree.

    crawlerdetect joins its 1,400 patterns into one alternation, which Python's regex engine
    tries one by one at every position of the agent: ~1 ms per agent, and more for long ones.
    The same alternatives grouped by their literal prefixes match exactly the same agents in
    a fraction of the time. A leading `[...]*` is dropped: it cannot change whether a search
    finds a match, and it made the search quadratic in long runs of letters. The patterns in
    UNRELIABLE_PATTERNS are left out, as they are from the crawler list.
    """
    free, anchored = [], []
    for pattern in _top_level_alternatives("|".join(CRAWLERDETECT_PATTERNS)):
        if pattern in UNRELIABLE_PATTERNS:
            continue
        pattern = re.sub(r"^\[[^\]]*\]\*", "", pattern)
        if pattern.startswith("^"):
            anchored.append(pattern[1:])
        else:
            free.append(pattern)
    regex = f"{_prefix_tree(free)}|^{_prefix_tree(anchored)}"
    return (
        re.compile("|".join(CRAWLERDETECT_EXCLUSIONS), re.IGNORECASE),
        re.compile(regex, re.IGNORECASE),
    )


def _top_level_alternatives(regex: str) -> list[str]:
    """The alternatives of a regex split at its top-level '|' (not in groups or classes)."""
    parts, current, depth, in_class, escaped = [], [], 0, False, False
    for char in regex:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _literal_prefix(pattern: str, fold: bool) -> tuple[str, str]:
    """(the literal start of a pattern, lower-cased when `fold`, and the rest of it)."""
    prefix, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern) and not pattern[i + 1].isalnum():
            literal, step = pattern[i + 1], 2
        elif char in _LITERAL:
            literal, step = char, 1
        else:
            break
        if i + step < len(pattern) and pattern[i + step] in _QUANTIFIERS:
            break
        prefix.append(literal.lower() if fold else literal)
        i += step
    return "".join(prefix), pattern[i:]


def _prefix_tree(patterns: list[str], *, fold: bool = True) -> str:
    """One regex matching what any of the patterns matches, their literal prefixes shared.

    `fold`: the regex is compiled case-insensitive, so prefixes are shared across case.
    """
    root: dict = {}
    loose = []
    for pattern in patterns:
        prefix, rest = _literal_prefix(pattern, fold)
        if not prefix:
            loose.append(f"(?:{pattern})")
            continue
        node = root
        for char in prefix:
            node = node.setdefault(char, {})
        node.setdefault("", []).append(rest)

    def build(node: dict) -> str:
        branches = []
        for char in sorted(key for key in node if key):
            literal, child = char, node[char]
            while len(child) == 1 and "" not in child:
                ((key, child),) = child.items()
                literal += key
            branches.append(re.escape(literal) + build(child))
        ends = node.get("", [])
        if "" in ends:
            # A pattern ends here: whatever follows, this node matches.
            return ""
        branches += [f"(?:{end})" for end in ends]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    tree = build(root) if root else ""
    return "(?:" + "|".join(filter(None, [tree, *loose])) + ")"


# Plain texts of the crawler list are looked up by their first characters (all have three).
LITERAL_KEY = 3


@lru_cache(maxsize=1)
def _crawler_list() -> tuple[dict[str, list[str]], re.Pattern | None]:
    """The vendored crawler-user-agents patterns, less the unreliable ones: the plain texts
    (1,458 of 1,491 alternatives) by their first characters, the others as one regex.

    All of them compiled as one regex cost 0.1 s in every importing process (a tenth of
    parsing a 200,000-line log); a plain text occurs in an agent exactly when the agent has
    it at one of the places its first characters occur.
    """
    entries = json.loads((DATA / "crawler-user-agents.json").read_text(encoding="utf-8"))
    literals: dict[str, list[str]] = {}
    patterns = []
    for entry in entries:
        if entry["pattern"] in UNRELIABLE_PATTERNS:
            continue
        for alternative in _top_level_alternatives(entry["pattern"]):
            text, rest = _literal_prefix(alternative, fold=False)
            if rest or len(text) < LITERAL_KEY:
                patterns.append(alternative)
            else:
                literals.setdefault(text[:LITERAL_KEY], []).append(text)
    return literals, re.compile(_prefix_tree(patterns, fold=False)) if patterns else None


def _in_crawler_list(agent: str) -> bool:
    """Whether any crawler-user-agents pattern occurs in the agent (case-sensitive)."""
    literals, regex = _crawler_list()
    for i in range(len(agent) - LITERAL_KEY + 1):
        texts = literals.get(agent[i : i + LITERAL_KEY])
        if texts is not None and any(agent.startswith(text, i) for text in texts):
            return True
    return regex is not None and regex.search(agent) is not None


def reset_cache() -> None:
    """Forget cached answers."""
    cache.clear()
