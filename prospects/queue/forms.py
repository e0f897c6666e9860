"""The queue's forms: the capacity threshold, bulk actions, saving a view (parse only)."""

from django import forms

from prospects.filterfields import MAX_ID
from prospects.queue.bulk import ACTIONS, BULK_MAX

BULK_CHOICES = [*ACTIONS.items(), ("export", "Export CSV")]


class ThresholdForm(forms.Form):
    value = forms.DecimalField(
        label="Threshold",
        min_value=0,
        max_value=1,
        max_digits=3,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


class IdListField(forms.Field):
    """Row ids from checkboxes: whole numbers from 1 to 2**63 - 1, at most BULK_MAX + 1."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids = []
        for raw in values[: BULK_MAX + 1]:
            try:
                pk = int(raw)
            except (TypeError, ValueError) as exc:
                raise forms.ValidationError("Rows are chosen by their ids.") from exc
            if not 0 < pk <= MAX_ID:
                raise forms.ValidationError("Rows are chosen by their ids.")
            ids.append(pk)
        return ids


class BulkForm(forms.Form):
    """A bulk action's input: which rows (ids, or all matching the query) and the action's
    own fields; the bulk service decides what is allowed."""

    action = forms.ChoiceField(choices=[("", "Choose…"), *BULK_CHOICES])
    ids = IdListField(required=False)
    all_matching = forms.BooleanField(required=False)
    query = forms.CharField(required=False, max_length=2000)
    to_user = forms.CharField(required=False, max_length=150)
    # The rep for "assign to a rep": its own field, so both pickers can be in the page.
    to_rep = forms.CharField(required=False, max_length=150)
    reason = forms.CharField(required=False, max_length=300)
    snoozed_until = forms.DateField(
        required=False, input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"})
    )


class SaveViewForm(forms.Form):
    name = forms.CharField(max_length=80, label="Name")
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    shared = forms.BooleanField(required=False, label="Share with the team")
    make_default = forms.BooleanField(required=False, label="Open the queue with it")
