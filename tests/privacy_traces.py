"""Looking for a person in every table: the check behind "erase leaves no trace"."""

from django.apps import apps
from django.db import models

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)


def traces(values: list[str], rows: dict[type, set[int]]) -> list[str]:
    """Every model field still holding one of `values` (as text, any case), every row still
    there among `rows` ({model: ids}), and every foreign key still pointing at one of them."""
    found = []
    for model in apps.get_models():
        if model in rows and model.objects.filter(pk__in=rows[model]).exists():
            found.append(f"{model._meta.label} rows {rows[model]}")
        for field in model._meta.concrete_fields:
            name = f"{model._meta.label}.{field.name}"
            if field.is_relation and field.related_model in rows:
                ids = rows[field.related_model]
                if model.objects.filter(**{f"{field.attname}__in": ids}).exists():
                    found.append(f"{name} points at an erased row")
            elif isinstance(field, TEXT_FIELDS):
                for value in values:
                    if model.objects.filter(**{f"{field.name}__icontains": value}).exists():
                        found.append(f"{name} holds {value!r}")
    return found
