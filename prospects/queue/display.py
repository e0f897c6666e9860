"""How the queue page shows its state: the active filters as chips, the chosen columns."""

from dataclasses import dataclass

from django.http import QueryDict

from prospects.queue.filtersets import CompanyQueueFilter

# The table's optional columns, in order; the company column is always shown.
COLUMNS = [
    ("score", "Score"),
    ("pipeline", "Pipeline chances"),
    ("why", "Why"),
    ("visitors", "Visitors"),
    ("last_visit", "Last visit"),
    ("pages", "Pages that mattered"),
    ("status", "Status"),
    ("assignee", "Assignee"),
]
COLUMN_KEYS = [key for key, _label in COLUMNS]
# Query-string keys of the page that are not filters: kept in saved views (cols) or not (page).
PAGE_KEYS = {"page", "cols", "clear", "view"}
# A "content seen" chip carries its count and window; removing it removes all three.
_SEEN_PARTS = ("seen_times", "seen_days")


@dataclass
class Chip:
    """One active filter: what it does in words, and the query string without it."""

    text: str
    remove_query: str


def chosen_columns(params: QueryDict) -> list[str]:
    """The columns to show: the `cols` values that are known, all of them when none is."""
    wanted = {value for raw in params.getlist("cols") for value in raw.split(",")}
    chosen = [key for key in COLUMN_KEYS if key in wanted]
    return chosen or list(COLUMN_KEYS)


def view_query(params: QueryDict) -> str:
    """The query string a view keeps: filters, sort and columns, not the page number."""
    kept = params.copy()
    for key in ("page", "clear", "view"):
        kept.pop(key, None)
    return kept.urlencode()


def _without(params: QueryDict, *keys: str) -> str:
    rest = params.copy()
    for key in (*keys, "page"):
        rest.pop(key, None)
    # An empty query would open the person's default view instead of the unfiltered queue.
    return rest.urlencode() or "clear=1"


def _shown(filterset: CompanyQueueFilter, name: str, value) -> str:
    field = filterset.form.fields[name]
    choices = dict(getattr(field, "choices", []) or [])
    if name == "ordering":
        value = value[0] if isinstance(value, list | tuple) else value
    if value in choices:
        return str(choices[value])
    if name in ("score_min", "score_max"):
        return f"{value:g}%"
    return str(value)


def active_filters(filterset: CompanyQueueFilter) -> list[Chip]:
    """A chip for each filter in force (valid and set), in the form's order."""
    if not filterset.is_bound or filterset.errors:
        return []
    data, cleaned = filterset.data, filterset.form.cleaned_data
    chips = []
    seen_words = ""
    if cleaned.get("seen_times"):
        seen_words += f" at least {int(cleaned['seen_times'])} times"
    if cleaned.get("seen_days"):
        seen_words += f" in the last {int(cleaned['seen_days'])} days"
    has_seen_subject = bool(cleaned.get("category") or cleaned.get("funnel_stage"))
    for name in filterset.form.fields:
        value = cleaned.get(name)
        if value in (None, "", []) or (name == "assignee" and value == "anyone"):
            continue
        if name in _SEEN_PARTS and has_seen_subject:
            continue
        label = filterset.form.fields[name].label
        text = f"{label}: {_shown(filterset, name, value)}"
        keys = [name]
        if name in ("category", "funnel_stage"):
            text += seen_words
            keys += [key for key in _SEEN_PARTS if key in data]
        chips.append(Chip(text=text, remove_query=_without(data, *keys)))
    return chips
