"""Staging a chunk's page views: visitor and page ids for new keys, then rows for the merge."""

from django.db import transaction

from prospects.visits import labels

from . import store
from .classify import PendingView
from .runs import ImportResult

# Visitor and page id caches are emptied past these sizes (memory stays flat on huge logs).
# A chunk's visitors are mostly new or seen in the last few chunks: at 5,000 the bench's
# 1,000,000 lines look 93,000 visitor keys up instead of 74,000 (+0.05 CPU s), and the ~3.5 MB
# that 20,000 took, reached only by logs with that many visitors, stay free.
VISITOR_CACHE_LIMIT = 5_000
ID_CACHE_LIMIT = 20_000


class ViewWriter:
    """Gives pending page views their visitor and page ids and stages them for the merge."""

    def __init__(self, result: ImportResult):
        self.result = result
        self.labeller = labels.Labeller()
        self.visitors: dict[tuple[str, int], int] = {}
        self.pages: dict[str, tuple[int, bool]] = {}
        self.goal_visitors: set[int] = set()
        self.staged = 0

    def write(self, views: list[PendingView]) -> None:
        """Stage one chunk's page views (one transaction), creating visitors and pages as needed."""
        if not views:
            return
        with transaction.atomic():
            self._resolve_visitors(views)
            self._resolve_pages(views)
            visitors, pages, import_id = self.visitors, self.pages, self.result.import_id
            rows = []
            for ip, _agent, ua_hash, path, row in views:
                visitor_id = visitors[ip, ua_hash]
                page_id, is_goal = pages[path]
                if is_goal:
                    self.goal_visitors.add(visitor_id)
                rows.append((visitor_id, page_id, import_id, *row))
            store.stage_pageviews(rows)
        self.staged += len(rows)

    def _resolve_visitors(self, views: list[PendingView]) -> None:
        known = self.visitors
        if len(known) > VISITOR_CACHE_LIMIT:
            known.clear()
        missing = {}
        for ip, agent, ua_hash, _path, _row in views:
            if (ip, ua_hash) not in known and (ip, ua_hash) not in missing:
                missing[ip, ua_hash] = (ip, agent, ua_hash)
        if missing:
            known.update(zip(missing, store.visitor_ids(list(missing.values())), strict=True))

    def _resolve_pages(self, views: list[PendingView]) -> None:
        known = self.pages
        if len(known) > ID_CACHE_LIMIT:
            known.clear()
        missing = {view[3] for view in views if view[3] not in known}
        if missing:
            paths = sorted(missing)
            labelled = [(path, *self.labeller.label(path)) for path in paths]
            ids = store.page_ids(labelled)
            for (path, _category, _stage, is_goal), page_id in zip(labelled, ids, strict=True):
                known[path] = (page_id, is_goal)
