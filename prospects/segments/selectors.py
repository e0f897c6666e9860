"""Reads: the segments page and a company's segment."""

from dataclasses import dataclass

from prospects.segments.models import CompanySegment, Segment, Segmentation
from scoring.meaning import horizon_days

BLOCKS = "▁▂▃▄▅▆▇█"


@dataclass
class SegmentRow:
    segment: Segment
    spark: str
    latest_week: int

    @property
    def conversion_text(self) -> str:
        """'12% (6 of 50)', or a dash before any visitor has been seen for a whole horizon."""
        s = self.segment
        if not s.observed:
            return "—"
        return f"{s.converted / s.observed:.0%} ({s.converted} of {s.observed})"


def segment_rows() -> tuple[Segmentation | None, list[SegmentRow], int]:
    """The latest clustering run, its segments (largest first) with a trend line, the horizon."""
    run = Segmentation.objects.first()
    rows = []
    for segment in Segment.objects.active():
        counts = [n for _week, n in segment.trend]
        rows.append(SegmentRow(segment, _spark(counts), counts[-1] if counts else 0))
    return run, rows, horizon_days()


def _spark(counts: list[int]) -> str:
    """Weekly counts as block characters, scaled to the segment's busiest week."""
    top = max(counts, default=0)
    if not top:
        return BLOCKS[0] * len(counts)
    return "".join(BLOCKS[round(n / top * (len(BLOCKS) - 1))] for n in counts)


def company_segment(*, company) -> Segment | None:
    """The company's segment in the latest clustering, if it has one."""
    link = CompanySegment.objects.select_related("segment").filter(company=company).first()
    return link.segment if link else None
