"""Scores as CSV for the command line: visitors' scores, or the queue's companies."""

from collections.abc import Iterator

from django.db.models import F

from prospects.exports import csvstream, tables
from prospects.models import Visitor
from prospects.queue.selectors import research_queue


def visitor_score_lines() -> Iterator[str]:
    """Every eligible, scored visitor, best first: ip, agent, company, probability, model, reasons."""
    visitors = Visitor.objects.eligible().order_by(F("score__probability").desc(), "pk")
    return csvstream.csv_lines(tables.VISITOR_HEADER, tables.visitor_rows(visitors))


def company_score_lines(*, threshold=None) -> Iterator[str]:
    """The research queue's companies (at the threshold in force unless given), as its CSV."""
    companies = research_queue(threshold=threshold)
    return csvstream.csv_lines(tables.COMPANY_HEADER, tables.company_rows(companies))
