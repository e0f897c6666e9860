"""Forms of the workspace pages: they parse input; the services decide and write.

Each form has its own id prefix, so the company page, which shows them all, has no two
elements with the same id.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from prospects.crm.limits import NOTE_MAX_CHARS, REASON_MAX_CHARS, SUMMARY_MAX_CHARS
from prospects.crm.outreach import STAGE_OUTCOMES
from prospects.crm.services import FINAL_STATUSES, WRONG_IDENTIFICATION_CHOICES
from prospects.models import Company, Contact, Task, Touchpoint
from prospects.roles import ADMIN, REP, RESEARCHER


class PrefixedIds:
    """Give the form's elements ids of their own ("task_due_on"), names unchanged."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ConfirmedMove:
    """A form whose final moves (converted, disqualified) must be confirmed.

    The first submit answers with the form's values kept and `needs_confirm` set; the page
    then offers a button that sends the same values with confirm=1.
    """

    needs_confirm = False

    def ask_confirmation(self, message: str) -> None:
        """Refuse this submit until it is confirmed."""
        if not self.cleaned_data.get("confirm"):
            self.needs_confirm = True
            self.add_error(None, message)


class CompanyContacts:
    """A `contact` field choosing among the company's contacts, given as a list.

    The company page already holds the list: choices built from it cost no query per form.
    """

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.contacts = {str(c.pk): c for c in contacts}
        self.fields["contact"].choices = [("", "---------")] + [
            (pk, c.name) for pk, c in self.contacts.items()
        ]

    def clean_contact(self):
        return self.contacts.get(self.cleaned_data.get("contact") or "")


class NoteForm(PrefixedIds, forms.Form):
    id_prefix = "note"
    body = forms.CharField(
        label="Note", max_length=NOTE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContactForm(PrefixedIds, forms.ModelForm):
    id_prefix = "contact"
    linkedin_url = forms.URLField(
        label="LinkedIn URL",
        required=False,
        assume_scheme="https",
        # A text box, not type=url: the browser would refuse "linkedin.com/in/..." that the
        # server accepts (it adds https://).
        widget=forms.TextInput(attrs={"inputmode": "url"}),
    )

    class Meta:
        model = Contact
        fields = ["name", "title", "persona", "email", "phone", "linkedin_url"]


class StatusForm(ConfirmedMove, forms.Form):
    to_status = forms.ChoiceField(label="Move to", choices=Company.Status.choices)
    reason = forms.CharField(label="Reason", max_length=REASON_MAX_CHARS, required=False)
    snoozed_until = forms.DateField(
        label="Snooze until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        to_status = data.get("to_status")
        if to_status in FINAL_STATUSES:
            label = Company.Status(to_status).label.lower()
            self.ask_confirmation(
                f"Confirm: the company becomes {label} and leaves everyone's work. "
                "You can undo this for a day."
            )
        return data

    def move_data(self) -> dict:
        """The cleaned values the status service takes."""
        return {k: self.cleaned_data[k] for k in ("to_status", "reason", "snoozed_until")}


class TouchpointForm(CompanyContacts, PrefixedIds, ConfirmedMove, forms.Form):
    id_prefix = "tp"
    channel = forms.ChoiceField(choices=Touchpoint.Channel.choices)
    contact = forms.ChoiceField(required=False)
    happened_on = forms.DateField(
        label="Date", initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.ChoiceField(choices=Touchpoint.Outcome.choices)
    summary = forms.CharField(
        max_length=SUMMARY_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_step_on = forms.DateField(
        label="Next step on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Adds a task for you on that day.",
    )
    next_step_kind = forms.ChoiceField(
        label="Next step", choices=Task.Kind.choices, initial=Task.Kind.CALL, required=False
    )
    next_step_title = forms.CharField(label="What to do", max_length=200, required=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        stage = STAGE_OUTCOMES.get(data.get("outcome"))
        if stage is not None:
            self.ask_confirmation(
                f"Confirm: this outcome makes the company {stage.label.lower()}. "
                "You can undo the move for a day."
            )
        return data

    @property
    def stage_label(self) -> str:
        """The stage the chosen outcome moves the company to, in words ("" for none)."""
        stage = STAGE_OUTCOMES.get(self.data.get(self.add_prefix("outcome")))
        return stage.label.lower() if stage else ""

    def touchpoint_data(self) -> dict:
        """The cleaned values the touchpoint service takes."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "confirm"}
        data["next_step_kind"] = data["next_step_kind"] or Task.Kind.OTHER
        return data


class TaskForm(CompanyContacts, PrefixedIds, forms.Form):
    id_prefix = "task"
    kind = forms.ChoiceField(choices=Task.Kind.choices, initial=Task.Kind.CALL)
    title = forms.CharField(label="What to do", max_length=200, required=False)
    due_on = forms.DateField(
        label="Due", initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    contact = forms.ChoiceField(required=False)


class CompanyEditForm(PrefixedIds, forms.ModelForm):
    id_prefix = "edit"

    class Meta:
        model = Company
        fields = ["name", "industry", "size", "relationship", "time_zone"]
        help_texts = {"time_zone": "Where they work, e.g. Europe/Paris: sets the contact time."}


def _people(*roles):
    return (
        get_user_model()
        .objects.filter(groups__name__in=roles, is_active=True)
        .distinct()
        .order_by("username")
    )


class ReassignForm(PrefixedIds, forms.Form):
    id_prefix = "reassign"
    to_user = forms.ModelChoiceField(
        label="Researcher",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Nobody (release)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = _people(RESEARCHER, ADMIN)


class ReassignRepForm(PrefixedIds, forms.Form):
    id_prefix = "reassign_rep"
    to_user = forms.ModelChoiceField(
        label="Outreach rep",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Nobody (release)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = _people(REP)


class MarkWrongForm(PrefixedIds, forms.Form):
    id_prefix = "wrong"
    ip = forms.ChoiceField(label="IP address")
    classification = forms.ChoiceField(
        label="It really is", choices=WRONG_IDENTIFICATION_CHOICES, initial="unknown"
    )
    note = forms.CharField(max_length=250, required=False)

    def __init__(self, *args, ips, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ip"].choices = [(ip, ip) for ip in ips]
