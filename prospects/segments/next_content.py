"""What to send a company next: the content that converting companies of its segment read.

For the company's behaviour segment, each content piece's share among the segment's
companies that converted (read before their first conversion) is set against its share among
the segment's other companies; the pieces this company has not read, ranked by that
difference, come with the buyer persona they speak to and its hint.
"""

from dataclasses import dataclass

from django.db.models import Count, Min

from prospects.models import CompanySegment, Contact, Page, PageView, Visitor
from prospects.visits.choices import Category

# Pages that are content to send (not the home page, forms, jobs or unclassified pages).
CONTENT = (
    Category.BLOG,
    Category.PRODUCT,
    Category.PRICING,
    Category.DOCS,
    Category.PREMIUM,
    Category.COMPANY,
    Category.PRESS,
)
Persona = Contact.Persona
# Whom each kind of content speaks to: the CIO weighs ROI, the IT manager the implementation,
# the sysadmin the skills it takes.
PERSONA_FOR = {
    Category.PRICING: Persona.CIO,
    Category.PREMIUM: Persona.CIO,
    Category.COMPANY: Persona.CIO,
    Category.PRESS: Persona.CIO,
    Category.PRODUCT: Persona.IT_MANAGER,
    Category.DOCS: Persona.SYSADMIN,
    Category.BLOG: Persona.SYSADMIN,
}
# The segment's latest converting companies read (bounded for a big segment).
MAX_CONVERTERS = 500
# Fewer converting companies than this give no advice.
MIN_CONVERTERS = 3
PIECES = 5


@dataclass(frozen=True)
class Piece:
    """One piece to send: who read it before converting, against everyone else."""

    path: str
    category: str
    converters_share: float
    others_share: float
    persona: str
    hint: str
    contact: str  # a contact of this company with that persona, if there is one

    @property
    def difference(self) -> float:
        return self.converters_share - self.others_share


@dataclass(frozen=True)
class NextContent:
    segment: str
    converters: int
    pieces: list[Piece]

    @property
    def enough(self) -> bool:
        return self.converters >= MIN_CONVERTERS


def next_content(*, company, segment, contacts=()) -> NextContent | None:
    """The pieces to offer this company (None when it has no segment). Six queries."""
    if segment is None:
        return None
    first = dict(
        Visitor.objects.filter(company__segment_link__segment=segment, converted_at__isnull=False)
        .exclude(company=company)
        .values("company")
        .annotate(first=Min("converted_at"))
        .order_by("-first")
        .values_list("company", "first")[:MAX_CONVERTERS]
    )
    if len(first) < MIN_CONVERTERS:
        return NextContent(segment.name, len(first), [])
    read_before: dict[int, set] = {}
    views = PageView.objects.filter(
        visitor__company_id__in=list(first), page__category__in=CONTENT
    ).values_list("visitor__company_id", "page_id", "ts")
    for company_id, page_id, ts in views.iterator(chunk_size=5000):
        if ts < first[company_id]:
            read_before.setdefault(page_id, set()).add(company_id)
    others_total = (
        CompanySegment.objects.filter(segment=segment)
        .exclude(company_id__in=[*first, company.pk])
        .count()
    )
    others = dict(
        PageView.objects.filter(
            visitor__company__segment_link__segment=segment, page__category__in=CONTENT
        )
        .exclude(visitor__company_id__in=[*first, company.pk])
        .values("page")
        .annotate(n=Count("visitor__company", distinct=True))
        .values_list("page", "n")
    )
    seen = set(PageView.objects.filter(visitor__company=company).values_list("page_id", flat=True))
    ranked = sorted(
        (
            (len(readers) / len(first) - others.get(page_id, 0) / max(others_total, 1), page_id)
            for page_id, readers in read_before.items()
            if page_id not in seen
        ),
        reverse=True,
    )
    top = [page_id for difference, page_id in ranked if difference > 0][:PIECES]
    pages = Page.objects.in_bulk(top)
    by_persona = {c.persona: c.name for c in contacts}
    pieces = []
    for page_id in top:
        page = pages[page_id]
        persona = PERSONA_FOR[Category(page.category)]
        pieces.append(
            Piece(
                path=page.path,
                category=page.get_category_display(),
                converters_share=len(read_before[page_id]) / len(first),
                others_share=others.get(page_id, 0) / max(others_total, 1),
                persona=persona.label,
                hint=Contact.PERSONA_HINTS[persona],
                contact=by_persona.get(persona, ""),
            )
        )
    return NextContent(segment.name, len(first), pieces)
