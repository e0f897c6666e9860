"""User agents in words: "Chrome 120 on Windows 10" instead of the raw header.

The header is whatever the visitor's client sent: it is only parsed (ua-parser's rules, with its
native matcher when installed) and the result is plain text that templates escape.
"""

from functools import lru_cache

from ua_parser import parse

# Longer headers are cut before parsing: no browser sends more, and regexes need a bound.
MAX_HEADER = 512
UNKNOWN = "Unknown browser"


def _version(part) -> str:
    return ".".join(v for v in (part.major, part.minor) if v) if part.major else ""


@lru_cache(maxsize=4096)
def describe(user_agent: str) -> str:
    """Browser and operating system of a user-agent header, e.g. "Firefox 121 on Ubuntu"."""
    result = parse((user_agent or "")[:MAX_HEADER])
    browser = result.user_agent
    system = result.os
    name = f"{browser.family} {browser.major}".strip() if browser and browser.major else ""
    name = name or (browser.family if browser and browser.family != "Other" else UNKNOWN)
    if system and system.family != "Other":
        return f"{name} on {system.family} {_version(system)}".strip()
    return name
