"""The experiment page's forms: they parse; the services decide and write."""

from django import forms

from prospects.experiments.models import Experiment


class StartForm(forms.Form):
    name = forms.CharField(label="Name", max_length=Experiment._meta.get_field("name").max_length)
    share = forms.IntegerField(
        label="Holdout share (%)",
        min_value=0,
        max_value=50,
        initial=0,
        help_text="Companies entering the queue held back from research and outreach: 0 is off.",
    )


class LiftForm(forms.Form):
    lift = forms.IntegerField(
        label="Lift to detect (%)", min_value=1, max_value=1000, required=False
    )
