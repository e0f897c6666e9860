"""Reasons in words: features grouped into behaviours a researcher knows, phrased with the row's own
numbers. `scoring.explain` decides which behaviours weigh; every page, the API and the CSV read
the stored sentences through `reason_texts`.

A behaviour's sentence always names its main number (pricing views, other days, visits) and
adds the members whose contribution carries at least a quarter of the heaviest member's (the
time on pricing when that is what counted). Numbers are the feature values themselves, rounded
the way the page rounds them, so a reason never says 3 where the visitor's chips say 4.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from prospects.visits.choices import FUNNEL_ORDER, Category, FunnelStage, SourceType

# A member is named when its share of the weight is at least this part of the heaviest one's.
CARRIES = 0.25
STAGE_LABELS = dict(FunnelStage.choices)
CATEGORY_NOUNS = {
    Category.PRICING: ("pricing view", "pricing views"),
    Category.PRODUCT: ("product page view", "product page views"),
    Category.PREMIUM: ("premium content view", "premium content views"),
    Category.DOCS: ("documentation view", "documentation views"),
    Category.COMPANY: ("company or customers page view", "company or customers page views"),
    Category.BLOG: ("blog post view", "blog post views"),
    Category.HOME: ("home page view", "home page views"),
    Category.PRESS: ("press page view", "press page views"),
    Category.JOBS: ("jobs page view", "jobs page views"),
    Category.OTHER: ("view of other pages", "views of other pages"),
}
SOURCE_WORDS = {
    SourceType.SEARCH: "from a search engine",
    SourceType.CAMPAIGN: "from an email or campaign",
    SourceType.PARTNER: "from a review or partner site",
    SourceType.SOCIAL: "from social media",
    SourceType.DIRECT: "typed in or bookmarked",
    SourceType.INTERNAL: "from our own site",
}


def count(value: float) -> int:
    """A count as the pages show it."""
    return round(float(value))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def duration(seconds: float) -> str:
    """Seconds as a person says them: 40 s, 3 min, 1 h 5 min."""
    seconds = round(float(seconds))
    if seconds < 90:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def percent(share: float) -> str:
    """A share in whole percent."""
    return f"{round(100 * float(share))}%"


# A phrase receives the row's values of the group's members and the members that carry weight.
Phrase = Callable[[dict[str, float], set[str]], str]


def _category(category: str) -> Phrase:
    one, many = CATEGORY_NOUNS.get(category, (f"{category} view", f"{category} views"))
    views, share, time = f"views_{category}", f"share_{category}", f"time_{category}"

    def phrase(v: dict[str, float], heavy: set[str]) -> str:
        n = count(v.get(views, 0))
        if n == 0:
            return f"no {many}"
        parts = [_plural(n, one, many)]
        if time in heavy and v.get(time, 0) > 0:
            parts.append(f"{duration(v[time])} each on average")
        if share in heavy:
            parts.append(f"{percent(v.get(share, 0))} of the pages viewed")
        return ", ".join(parts)

    return phrase


def _returns(v: dict[str, float], heavy: set[str]) -> str:
    days = count(v["return_days"]) if "return_days" in v else count(v.get("distinct_days", 1)) - 1
    if days < 1:
        text = "never came back on another day"
    else:
        text = f"came back on {_plural(days, 'other day', 'other days')}"
        span = count(v.get("days_since_first_visit", 0))
        if "days_since_first_visit" in heavy and span > days:
            text += f" over {span} days"
    visits = count(v.get("sessions", 0))
    if heavy & {"sessions", "return_visits"} and visits:
        text += ", " + ("a single visit" if visits == 1 else f"{visits} visits in all")
    return text


def _depth(v: dict[str, float], heavy: set[str]) -> str:
    per_visit = float(v.get("pages_per_session", 0))
    parts = ["only one page per visit" if per_visit < 1.05 else f"{per_visit:.1f} pages per visit"]
    if "single_page_session_share" in heavy and per_visit >= 1.05:
        parts.append(f"{percent(v['single_page_session_share'])} of visits a single page")
    if "pageviews" in heavy:
        parts.append(_plural(count(v["pageviews"]), "page in all", "pages in all"))
    return ", ".join(parts)


def _variety(v: dict[str, float], _heavy: set[str]) -> str:
    return f"looked at {_plural(count(v['distinct_categories']), 'kind', 'kinds')} of content"


def _funnel(v: dict[str, float], _heavy: set[str]) -> str:
    stage = count(v["deepest_funnel_stage"])
    if stage < 1:
        return "reached no stage of the buying journey"
    label = STAGE_LABELS[FUNNEL_ORDER[min(stage, len(FUNNEL_ORDER)) - 1]].lower()
    return f"reached the {label} stage"


def _time(v: dict[str, float], _heavy: set[str]) -> str:
    return f"{duration(v['mean_time_on_page'])} per page on average"


def _gap(v: dict[str, float], _heavy: set[str]) -> str:
    days = count(v["days_since_previous_visit"])
    if days < 1:
        return "the last two visits on the same day"
    return f"{_plural(days, 'day', 'days')} between the last two visits"


def _recency(v: dict[str, float], _heavy: set[str]) -> str:
    days = count(v["days_since_last_visit"])
    return "last visit today" if days < 1 else f"last visit {_plural(days, 'day', 'days')} ago"


def _source(source: str) -> Phrase:
    feature = f"source_{source}"
    words = SOURCE_WORDS.get(source, f"from {source}")

    def phrase(v: dict[str, float], _heavy: set[str]) -> str:
        return f"{percent(v[feature])} of visits {words}"

    return phrase


def _plain(feature: str) -> Phrase:
    def phrase(v: dict[str, float], _heavy: set[str]) -> str:
        return f"{feature.replace('_', ' ')}: {float(v[feature]):g}"

    return phrase


@dataclass(frozen=True)
class Behaviour:
    """Features explained together, and how their numbers read."""

    key: str
    members: tuple[str, ...]
    phrase: Phrase


BEHAVIOURS = (
    *(
        Behaviour(
            c.value, (f"views_{c.value}", f"share_{c.value}", f"time_{c.value}"), _category(c)
        )
        for c in CATEGORY_NOUNS
    ),
    Behaviour(
        "return_visits",
        ("return_days", "distinct_days", "days_since_first_visit", "sessions", "return_visits"),
        _returns,
    ),
    Behaviour("depth", ("pages_per_session", "single_page_session_share", "pageviews"), _depth),
    Behaviour("variety", ("distinct_categories",), _variety),
    Behaviour("funnel", ("deepest_funnel_stage",), _funnel),
    Behaviour("time_per_page", ("mean_time_on_page",), _time),
    Behaviour("gap", ("days_since_previous_visit",), _gap),
    Behaviour("recency", ("days_since_last_visit",), _recency),
    *(Behaviour(f"source_{s.value}", (f"source_{s.value}",), _source(s)) for s in SOURCE_WORDS),
)


@dataclass
class Grouping:
    """Which behaviour every feature of one feature list belongs to, as a matrix."""

    behaviours: list[Behaviour]  # with only the members the feature list has
    members: list[list[int]]  # the feature indices of each behaviour
    matrix: np.ndarray  # features x behaviours, 1 where the feature belongs

    def weights(self, contributions: np.ndarray) -> np.ndarray:
        """Per-feature contributions summed into behaviours: visitors x behaviours."""
        return contributions @ self.matrix

    def texts(self, b: int, values: np.ndarray, contributions: np.ndarray) -> list[str]:
        """Behaviour b's sentence for each row of its members' values and contributions."""
        names, phrase = self.behaviours[b].members, self.behaviours[b].phrase
        sizes = np.abs(contributions)
        heavy = (sizes >= CARRIES * sizes.max(axis=1, keepdims=True)) & (sizes > 0)
        # Which members carry weight, as a bit mask per row: one small set per distinct mask.
        masks = (heavy @ (1 << np.arange(len(names)))).tolist()
        sets = {m: {n for j, n in enumerate(names) if m >> j & 1} for m in set(masks)}
        # Column by column: numpy turns 1-D arrays into lists far faster than 2-D ones.
        rows = zip(*(values[:, j].tolist() for j in range(len(names))), strict=True)
        return [
            phrase(dict(zip(names, row, strict=True)), sets[mask])
            for row, mask in zip(rows, masks, strict=True)
        ]


def grouping(feature_names: list[str]) -> Grouping:
    """Behaviours for these features; a feature no behaviour claims is explained on its own."""
    index = {name: i for i, name in enumerate(feature_names)}
    claimed, behaviours = set(), []
    for behaviour in BEHAVIOURS:
        present = tuple(m for m in behaviour.members if m in index)
        if present:
            behaviours.append(Behaviour(behaviour.key, present, behaviour.phrase))
            claimed.update(present)
    behaviours += [Behaviour(n, (n,), _plain(n)) for n in feature_names if n not in claimed]
    members = [[index[m] for m in behaviour.members] for behaviour in behaviours]
    matrix = np.zeros((len(feature_names), len(behaviours)))
    for b, features in enumerate(members):
        matrix[features, b] = 1.0
    return Grouping(behaviours=behaviours, members=members, matrix=matrix)


def for_company(reasons: list[dict], visitors: int) -> list[dict]:
    """A company's reasons: its likeliest visitor's, saying so when it has several visitors.

    The reasons explain one visitor's score with that visitor's numbers, while the company's
    pricing and premium chips count all its visitors: "4 pricing views" beside "Pricing x9"
    would read as a contradiction, so each sentence names whose numbers they are.
    """
    if visitors < 2:
        return list(reasons or [])
    return [
        {**reason, "text": f"Likeliest of {visitors} visitors: {reason['text']}"}
        for reason in reasons or []
    ]


def reason_texts(reasons) -> list[str]:
    """The readable sentence of each stored reason ([{"text": ...}] or plain strings)."""
    texts = []
    for reason in reasons or []:
        text = reason.get("text") if isinstance(reason, dict) else reason
        if text:
            texts.append(str(text))
    return texts
