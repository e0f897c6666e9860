"""The erasure form: what kind of subject, which one, and why."""

from django import forms

from .models import Erasure


class EraseForm(forms.Form):
    subject = forms.ChoiceField(choices=Erasure.Subject.choices)
    value = forms.CharField(
        max_length=100, help_text="An IP address, a visitor number or a contact number."
    )
    note = forms.CharField(max_length=500, required=False, help_text="Why (a request's reference).")

    def clean(self):
        data = super().clean()
        subject, value = data.get("subject"), (data.get("value") or "").strip()
        if subject in (Erasure.Subject.VISITOR, Erasure.Subject.CONTACT) and value:
            if not value.isdigit():
                self.add_error("value", f"A {subject} is given by its number.")
            else:
                data["value"] = int(value)
        return data
