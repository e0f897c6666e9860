"""Forms of the workspace pages: they parse input; the services decide and write."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from prospects.crm.limits import NOTE_MAX_CHARS, REASON_MAX_CHARS, SUMMARY_MAX_CHARS
from prospects.crm.services import WRONG_IDENTIFICATION_CHOICES
from prospects.models import Company, Contact, Touchpoint
from prospects.roles import ALL_ROLES


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note", max_length=NOTE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContactForm(forms.ModelForm):
    linkedin_url = forms.URLField(label="LinkedIn URL", required=False, assume_scheme="https")

    class Meta:
        model = Contact
        fields = ["name", "title", "persona", "email", "phone", "linkedin_url"]


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label="Move to", choices=Company.Status.choices)
    reason = forms.CharField(label="Reason", max_length=REASON_MAX_CHARS, required=False)
    snoozed_until = forms.DateField(
        label="Snooze until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class TouchpointForm(forms.Form):
    channel = forms.ChoiceField(choices=Touchpoint.Channel.choices)
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False)
    happened_on = forms.DateField(
        label="Date", initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.ChoiceField(choices=Touchpoint.Outcome.choices)
    summary = forms.CharField(
        max_length=SUMMARY_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = company.contacts.all()


class CompanyEditForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = ["name", "industry", "size", "relationship"]


class ReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(
        label="Reassign to",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Nobody (release)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = (
            get_user_model()
            .objects.filter(groups__name__in=ALL_ROLES, is_active=True)
            .distinct()
            .order_by("username")
        )


class MarkWrongForm(forms.Form):
    ip = forms.ChoiceField(label="IP address")
    classification = forms.ChoiceField(
        label="It really is", choices=WRONG_IDENTIFICATION_CHOICES, initial="unknown"
    )
    note = forms.CharField(max_length=250, required=False)

    def __init__(self, *args, ips, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ip"].choices = [(ip, ip) for ip in ips]
