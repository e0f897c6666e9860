"""Helpers for the ingestion tests: build combined-format log lines and files."""

import datetime as dt

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def line(
    path="/",
    *,
    at=T0,
    ip="203.0.113.7",
    status=200,
    method="GET",
    referrer="-",
    agent=BROWSER,
    minutes=0,
    seconds=0,
    protocol="HTTP/1.1",
):
    """One combined-format line; `minutes`/`seconds` are added to `at`."""
    moment = at + dt.timedelta(minutes=minutes, seconds=seconds)
    stamp = moment.strftime("%d/%b/%Y:%H:%M:%S +0000")
    return f'{ip} - - [{stamp}] "{method} {path} {protocol}" {status} 512 "{referrer}" "{agent}"'


def write_log(tmp_path, lines, name="access.log"):
    """Write lines to a file under tmp_path and return its path."""
    path = tmp_path / name
    path.write_text("".join(f"{text}\n" for text in lines), encoding="utf-8")
    return path
