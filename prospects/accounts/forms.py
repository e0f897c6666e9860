"""The settings page's forms."""

from django import forms
from django.conf import settings

from prospects.accounts.models import time_zone_names


def _zone_choices():
    return [("", f"Site default ({settings.TIME_ZONE})"), *((z, z) for z in time_zone_names())]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label="Time zone", choices=_zone_choices, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "tz_%s")
        super().__init__(*args, **kwargs)
