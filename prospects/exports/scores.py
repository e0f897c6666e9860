"""Scores as CSV tables for the command line: visitors' scores, or the queue's companies."""

from collections.abc import Iterator

from django.db.models import F

from prospects.exports import tables
from prospects.models import Visitor
from prospects.queue.selectors import research_queue


def visitor_scores() -> tuple[list[str], Iterator[list]]:
    """Every eligible, scored visitor, best first: ip, agent, company, probability, model, reasons."""
    visitors = Visitor.objects.eligible().order_by(F("score__probability").desc(), "pk")
    return tables.VISITOR_HEADER, tables.visitor_rows(visitors)


def company_scores(*, threshold=None) -> tuple[list[str], Iterator[list]]:
    """The research queue's companies (at the threshold in force unless given), as its CSV."""
    return tables.COMPANY_HEADER, tables.company_rows(research_queue(threshold=threshold))
