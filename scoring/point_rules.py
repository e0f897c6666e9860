"""Editing the points rule (admins): the form that parses a row, and the writes."""

from django import forms
from django.db import IntegrityError, transaction

from prospects.errors import ServiceError
from prospects.roles import ADMIN, require_role

from .models import PointRule
from .points import DEFAULT_RULES

LIMIT = 1000


class PointRuleForm(forms.Form):
    """One row: which behaviour, how many points each time, how many it loses a day."""

    behaviour = forms.ChoiceField(choices=PointRule.Behaviour.choices)
    points = forms.IntegerField(
        min_value=-LIMIT, max_value=LIMIT, help_text="Each time it happens; may be negative."
    )
    decay_per_day = forms.FloatField(
        label="Decay per day",
        min_value=0,
        max_value=LIMIT,
        initial=0,
        help_text="Points lost per day since the last visit, never past zero.",
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )


def save_point_rule(
    *, user, behaviour: str, points: int, decay_per_day: float, rule: PointRule | None = None
) -> PointRule:
    """Add a row (rule=None) or change one; each behaviour has at most one row."""
    require_role(user, ADMIN)
    if behaviour not in PointRule.Behaviour.values:
        raise ServiceError({"behaviour": "Choose one of the listed behaviours."})
    if not -LIMIT <= points <= LIMIT or not 0 <= decay_per_day <= LIMIT:
        raise ServiceError(f"Points lie between -{LIMIT} and {LIMIT}, decay between 0 and {LIMIT}.")
    rule = rule or PointRule()
    rule.behaviour, rule.points, rule.decay_per_day = behaviour, points, decay_per_day
    label = PointRule.Behaviour(behaviour).label
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:
        raise ServiceError(
            {"behaviour": f"{label} already has a row; change that one instead."}
        ) from exc
    return rule


def delete_point_rule(*, user, rule: PointRule) -> None:
    """Remove one row: that behaviour earns no points any more."""
    require_role(user, ADMIN)
    rule.delete()


def restore_default_rules(*, user) -> list[PointRule]:
    """Replace every row with the defaults (scoring.points.DEFAULT_RULES)."""
    require_role(user, ADMIN)
    with transaction.atomic():
        PointRule.objects.all().delete()
        return PointRule.objects.bulk_create(
            PointRule(behaviour=behaviour, points=points, decay_per_day=decay)
            for behaviour, points, decay in DEFAULT_RULES
        )
