"""The points rule page (admins): its rows, a form per row, a new row, the defaults back."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from prospects.errors import ServiceError
from prospects.roles import ADMIN, role_required

from . import point_rules
from .models import PointRule
from .point_rules import PointRuleForm
from .points import DEFAULT_RULES


def _page(request, *, add_form=None, failed=None, status=200):
    rules = list(PointRule.objects.all())
    rows = [
        (
            rule,
            failed[1]
            if failed and failed[0] == rule.pk
            else PointRuleForm(
                prefix=f"rule-{rule.pk}",
                initial={
                    "behaviour": rule.behaviour,
                    "points": rule.points,
                    "decay_per_day": rule.decay_per_day,
                },
            ),
        )
        for rule in rules
    ]
    context = {
        "rows": rows,
        "add_form": add_form or PointRuleForm(prefix="new"),
        "defaults": [
            (PointRule.Behaviour(behaviour).label, points, decay)
            for behaviour, points, decay in DEFAULT_RULES
        ],
    }
    return render(request, "scoring/points.html", context, status=status)


def _save(request, form: PointRuleForm, rule: PointRule | None):
    """Parse and save one row; the page again with the form's errors when it is refused."""
    if form.is_valid():
        try:
            saved = point_rules.save_point_rule(user=request.user, rule=rule, **form.cleaned_data)
        except ServiceError as exc:
            # Field errors land on their field, others above the form.
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved: {saved}. It applies from the next training.")
            return redirect("scoring:points")
    if rule is None:
        return _page(request, add_form=form, status=400)
    return _page(request, failed=(rule.pk, form), status=400)


@require_GET
@role_required(ADMIN)
def points_page(request):
    """Every row of the points rule, editable in place."""
    return _page(request)


@require_POST
@role_required(ADMIN)
def add_rule(request):
    """A new row."""
    return _save(request, PointRuleForm(request.POST, prefix="new"), None)


@require_POST
@role_required(ADMIN)
def edit_rule(request, rule_id: int):
    """New points, decay or behaviour for one row."""
    rule = get_object_or_404(PointRule, pk=rule_id)
    return _save(request, PointRuleForm(request.POST, prefix=f"rule-{rule.pk}"), rule)


@require_POST
@role_required(ADMIN)
def delete_rule(request, rule_id: int):
    """Remove one row."""
    rule = get_object_or_404(PointRule, pk=rule_id)
    point_rules.delete_point_rule(user=request.user, rule=rule)
    messages.success(request, f"Removed: {rule}. It applies from the next training.")
    return redirect("scoring:points")


@require_POST
@role_required(ADMIN)
def restore_defaults(request):
    """Every row back to the defaults."""
    point_rules.restore_default_rules(user=request.user)
    messages.success(request, "The default points rule is back. It applies from the next training.")
    return redirect("scoring:points")
