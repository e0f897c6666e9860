"""When to reach a company: its visitors' active hours and weekdays, and the team's reply rate.

A company's hours are read in its own time zone when it is known (Company.time_zone), else in
the vendor's (LEADGEN_VENDOR_TIME_ZONE); the team's reply rate by hour of contact counts the
touchpoints' logging time in the vendor's zone, once there are MIN_TOUCHPOINTS of them.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour

from leadgen.db import epoch, newest_of_parents
from prospects.models import Company, PageView, Touchpoint, Visitor

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The latest page views read for a company: enough for its habits, bounded for a big one.
RECENT_VIEWS = 5000
# Page views are counted by UTC quarter hour, in the database, and each quarter is read in the
# company's zone once: every zone's offset since 1980 is a whole number of quarter hours
# (Nepal's +5:45 included), so a quarter never straddles two local hours. Converting 5,000
# stamps one by one was most of the company page's time for a big company.
QUARTER_S = 900
# The suggested window is this many hours long.
WINDOW_HOURS = 2
# The team's reply rate by hour is shown from this many touchpoints on.
MIN_TOUCHPOINTS = 30
# Outcomes that count as the company answering.
ANSWERED = (
    Touchpoint.Outcome.REPLIED,
    Touchpoint.Outcome.MEETING_BOOKED,
    Touchpoint.Outcome.CONVERTED,
    Touchpoint.Outcome.OPPORTUNITY,
    Touchpoint.Outcome.WON,
)
# Heat levels of a cell: 0 (none) to LEVELS - 1 (the busiest hour or day).
LEVELS = 5


def vendor_zone() -> zoneinfo.ZoneInfo:
    """The vendor's time zone (LEADGEN_VENDOR_TIME_ZONE)."""
    return zoneinfo.ZoneInfo(settings.LEADGEN_VENDOR_TIME_ZONE)


def company_zone(company: Company) -> tuple[zoneinfo.ZoneInfo, bool]:
    """The company's time zone and whether it is its own (False: the vendor's stands in)."""
    if company.time_zone:
        return zoneinfo.ZoneInfo(company.time_zone), True
    return vendor_zone(), False


@dataclass(frozen=True)
class Cell:
    label: str  # "10:00" or "Tuesday"
    views: int
    level: int  # 0 .. LEVELS - 1


@dataclass(frozen=True)
class ContactTime:
    """A company's page views by local hour and weekday, and the window they suggest."""

    zone: str
    own_zone: bool
    views: int
    hours: list[Cell]
    days: list[Cell]
    best_day: str
    best_hour: int

    @property
    def window(self) -> str:
        """The suggested window: "Tuesdays 10:00-12:00 Europe/Paris"."""
        end = (self.best_hour + WINDOW_HOURS) % 24
        return f"{self.best_day}s {self.best_hour:02d}:00-{end:02d}:00 {self.zone}"

    @property
    def summary(self) -> str:
        """The strips in words, their text alternative."""
        busy = sorted(self.hours, key=lambda c: -c.views)[:3]
        hours = ", ".join(c.label for c in busy if c.views)
        days = ", ".join(c.label for c in sorted(self.days, key=lambda c: -c.views)[:2] if c.views)
        return (
            f"{self.views} page views ({self.zone} time): busiest hours {hours}; "
            f"busiest days {days}."
        )


def _cells(counts: list[int], labels) -> list[Cell]:
    top = max(counts) or 1
    return [
        Cell(label, n, 0 if n == 0 else 1 + round((LEVELS - 2) * n / top))
        for label, n in zip(labels, counts, strict=True)
    ]


def _latest_views_by_quarter(company: Company) -> list[tuple[int, int]]:
    """(UTC quarter hours since 1970, page views) over the company's latest RECENT_VIEWS."""
    latest, params = newest_of_parents(
        f"{PageView._meta.db_table} pv",
        columns="pv.ts",
        order="pv.ts DESC",
        parents=Visitor.objects.filter(company=company).order_by().values("id"),
        limit=RECENT_VIEWS,
    )
    quarter = f"{epoch('latest.ts', integer=True)} / {QUARTER_S}"
    sql = f"SELECT {quarter} AS q, COUNT(*) FROM ({latest}) latest GROUP BY q"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def contact_time(*, company: Company) -> ContactTime | None:
    """The company's active hours and weekdays from its latest page views (None without any).

    One query: the latest RECENT_VIEWS page views of its visitors, counted by quarter hour.
    """
    zone, own = company_zone(company)
    by_hour, by_day = [0] * 24, [0] * 7
    views = 0
    for quarter, n in _latest_views_by_quarter(company):
        local = dt.datetime.fromtimestamp(quarter * QUARTER_S, zone)
        by_hour[local.hour] += n
        by_day[local.weekday()] += n
        views += n
    if not views:
        return None
    # The busiest WINDOW_HOURS hours in a row; of equals, the one opening on the busier hour,
    # then the earliest.
    best_hour = max(
        range(24),
        key=lambda h: (sum(by_hour[(h + i) % 24] for i in range(WINDOW_HOURS)), by_hour[h], -h),
    )
    return ContactTime(
        zone=str(zone),
        own_zone=own,
        views=views,
        hours=_cells(by_hour, [f"{h:02d}:00" for h in range(24)]),
        days=_cells(by_day, DAYS),
        best_day=DAYS[max(range(7), key=lambda d: (by_day[d], -d))],
        best_hour=best_hour,
    )


def contact_window(*, company: Company) -> str:
    """The window a new task suggests for this company ("" without visits to go by)."""
    timing = contact_time(company=company)
    return timing.window if timing else ""


@dataclass(frozen=True)
class HourRate:
    hour: int
    touchpoints: int
    answered: int

    @property
    def rate(self) -> float:
        return self.answered / self.touchpoints if self.touchpoints else 0.0


@dataclass(frozen=True)
class ResponseRates:
    """The team's touchpoints by hour of logging (vendor's zone) and how many were answered."""

    zone: str
    touchpoints: int
    hours: list[HourRate]  # hours with at least one touchpoint, in order

    @property
    def enough(self) -> bool:
        return self.touchpoints >= MIN_TOUCHPOINTS

    @property
    def needed(self) -> int:
        """Touchpoints still to log before the rates are shown."""
        return max(0, MIN_TOUCHPOINTS - self.touchpoints)

    @property
    def best(self) -> HourRate | None:
        """The hour with the best answer rate among hours with a fair share of touchpoints."""
        fair = [h for h in self.hours if h.touchpoints * 24 >= self.touchpoints]
        return max(fair, key=lambda h: (h.rate, h.touchpoints), default=None)


def team_response_rates() -> ResponseRates:
    """Every touchpoint's logging hour in the vendor's zone and whether it was answered.

    One query that counts them by local hour in the database (the zone's daylight-saving
    changes applied there), so its answer is 24 rows at most however long the team's history.
    """
    zone = vendor_zone()
    rows = (
        Touchpoint.objects.annotate(hour=ExtractHour("created_at", tzinfo=zone))
        .order_by()
        .values("hour")
        .annotate(n=Count("pk"), answered=Count("pk", filter=Q(outcome__in=ANSWERED)))
        .values_list("hour", "n", "answered")
    )
    hours = sorted(rows)
    return ResponseRates(
        zone=str(zone),
        touchpoints=sum(n for _hour, n, _answered in hours),
        hours=[HourRate(hour, n, answered) for hour, n, answered in hours],
    )
