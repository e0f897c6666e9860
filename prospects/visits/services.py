"""Writes of the labelling rules: content rules and conversion goals, with the relabelling they imply."""

from django.core.exceptions import ValidationError
from django.db import transaction

from prospects.errors import ServiceError
from prospects.models import ContentRule, ConversionGoal

from .labels import relabel_pages

Rule = ContentRule | ConversionGoal


@transaction.atomic
def save_rule(*, rule: Rule) -> int:
    """Validate and save a content rule or goal, then relabel every page; returns pages changed."""
    try:
        rule.full_clean()
    except ValidationError as exc:
        raise ServiceError(exc.message_dict) from exc
    rule.save()
    return relabel_pages()


@transaction.atomic
def delete_rule(*, rule: Rule) -> int:
    """Delete a content rule or goal, then relabel every page; returns pages changed."""
    rule.delete()
    return relabel_pages()
