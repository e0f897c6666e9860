"""Content categories, funnel stages and goals of pages, and the conversions they imply.

Labels live on `Page` (one row per distinct path), so editing a rule relabels pages, never
page views. The services that save or delete a content rule or conversion goal
(`visits.services`) relabel every page and, when a goal changed, recompute every visitor's
conversion time.
"""

from django.db.models import OuterRef, Q, Subquery

from prospects.models import ContentRule, ConversionGoal, Page, PageView, Visitor
from prospects.visits.choices import Category, FunnelStage

# Page.path is a varchar of this length; longer paths (probes, garbage) are cut.
PATH_MAX = 1000
# Parameters per query stay below SQLite's limit.
BATCH = 500


class Labeller:
    """The active rules and goals, loaded once, applied to paths."""

    def __init__(self):
        self.rules = list(ContentRule.objects.filter(active=True).order_by("position", "id"))
        self.goals = list(ConversionGoal.objects.filter(active=True))

    def label(self, path: str) -> tuple[str, str, bool]:
        """(category, funnel stage, is goal) of a URL path; the first matching rule wins."""
        category, stage = Category.OTHER.value, FunnelStage.AWARENESS.value
        for rule in self.rules:
            if rule.matches(path):
                category, stage = rule.category, rule.funnel_stage
                break
        return category, stage, any(goal.matches(path) for goal in self.goals)


def relabel_pages() -> int:
    """Apply the current rules and goals to every page; return how many pages changed.

    When any page gained or lost its goal flag, every visitor's conversion is recomputed.
    """
    labeller = Labeller()
    changed = []
    goals_changed = False
    for page in Page.objects.only("path", "category", "funnel_stage", "is_goal").iterator(2000):
        label = labeller.label(page.path)
        if label != (page.category, page.funnel_stage, page.is_goal):
            goals_changed |= label[2] != page.is_goal
            page.category, page.funnel_stage, page.is_goal = label
            changed.append(page)
    Page.objects.bulk_update(changed, ["category", "funnel_stage", "is_goal"], batch_size=BATCH)
    if goals_changed:
        recompute_conversions()
    return len(changed)


def recompute_conversions(visitor_ids=None) -> int:
    """Set each visitor's `converted_at` to their first goal hit (or none); return rows updated.

    Without `visitor_ids`, every visitor who has a goal hit or was marked converted is updated.
    """
    first_goal_hit = (
        PageView.objects.filter(visitor=OuterRef("pk"), page__is_goal=True)
        .order_by("ts")
        .values("ts")[:1]
    )
    if visitor_ids is None:
        goal_visitors = PageView.objects.filter(page__is_goal=True).values("visitor_id")
        candidates = Visitor.objects.filter(Q(converted_at__isnull=False) | Q(pk__in=goal_visitors))
        return candidates.update(converted_at=Subquery(first_goal_hit))
    ids = sorted(set(visitor_ids))
    updated = 0
    for start in range(0, len(ids), BATCH):
        batch = Visitor.objects.filter(pk__in=ids[start : start + BATCH])
        updated += batch.update(converted_at=Subquery(first_goal_hit))
    return updated
