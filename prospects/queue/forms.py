"""The capacity page's form: it parses the threshold; the service decides and writes."""

from django import forms


class ThresholdForm(forms.Form):
    value = forms.DecimalField(
        label="Threshold",
        min_value=0,
        max_value=1,
        max_digits=3,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
