"""What each CSV export holds: its header and its rows, read in chunks from one queryset.

The company table is one format wherever it comes from (the queue page, the API,
`manage.py export_scores --companies`), so a spreadsheet built on one reads the others.
"""

from collections.abc import Iterator

from django.db.models import F, QuerySet

from prospects.models import Company, Contact, Touchpoint, Visitor
from scoring.meaning import chance_text, percent_text
from scoring.reasons import reason_texts

# Rows fetched per round trip: memory is bounded by this, not by the export's size.
CHUNK = 2000

COMPANY_HEADER = [
    "domain",
    "name",
    "probability",
    "chance",
    "visitors",
    "last_visit",
    "status",
    "assignee",
    "rep",
    "reasons",
]
CONTACT_HEADER = ["company_domain", "name", "title", "persona", "email", "phone", "linkedin_url"]
TOUCHPOINT_HEADER = [
    "company_domain",
    "happened_on",
    "channel",
    "outcome",
    "contact",
    "summary",
    "logged_by",
]
VISITOR_HEADER = [
    "ip",
    "user_agent",
    "company_domain",
    "probability",
    "chance",
    "model_version",
    "reasons",
]


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def _probability(value) -> str:
    return "" if value is None else f"{value:.4f}"


def _chance_words():
    """chance_text for many rows: the words depend on the probability only through its
    percent, so each percent's words are built once per export."""
    words = {}

    def chance(value) -> str:
        if value is None:
            return ""
        key = percent_text(value)
        if key not in words:
            words[key] = chance_text(value)
        return words[key]

    return chance


def _reasons(reasons) -> str:
    return "; ".join(reason_texts(reasons))


def company_rows(companies: QuerySet[Company]) -> Iterator[list]:
    """One row per company of the queryset, in its order (scores read from the company score)."""
    rows = companies.values_list(
        "domain",
        "name",
        F("score__probability"),
        F("score__visitor_count"),
        F("score__last_visit"),
        "status",
        F("assignee__username"),
        F("rep__username"),
        F("score__reasons"),
    )
    chance = _chance_words()
    for domain, name, p, visitors, last, status, assignee, rep, reasons in rows.iterator(CHUNK):
        yield [
            domain,
            name,
            _probability(p),
            chance(p),
            visitors,
            _iso(last),
            status,
            assignee,
            rep,
            _reasons(reasons),
        ]


def contact_rows(contacts: QuerySet[Contact]) -> Iterator[list]:
    """One row per contact, with their company's domain."""
    rows = contacts.values_list(
        "company__domain", "name", "title", "persona", "email", "phone", "linkedin_url"
    )
    for row in rows.iterator(CHUNK):
        yield list(row)


def touchpoint_rows(touchpoints: QuerySet[Touchpoint]) -> Iterator[list]:
    """One row per touchpoint, with its company's domain, the contact and who logged it."""
    rows = touchpoints.values_list(
        "company__domain",
        "happened_on",
        "channel",
        "outcome",
        "contact__name",
        "summary",
        "logged_by__username",
    )
    for domain, day, channel, outcome, contact, summary, by in rows.iterator(CHUNK):
        yield [domain, day.isoformat(), channel, outcome, contact, summary, by]


def visitor_rows(visitors: QuerySet[Visitor]) -> Iterator[list]:
    """One row per scored visitor: address, agent, company, probability, model and reasons."""
    rows = visitors.filter(score__isnull=False).values_list(
        "ip",
        "user_agent",
        "company__domain",
        F("score__probability"),
        F("score__model_version_id"),
        F("score__reasons"),
    )
    chance = _chance_words()
    for ip, agent, domain, p, version, reasons in rows.iterator(CHUNK):
        yield [ip, agent, domain, _probability(p), chance(p), version, _reasons(reasons)]
