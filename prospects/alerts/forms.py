"""The alert settings forms: they parse input; the alert services decide and write."""

from django import forms

from prospects.models import Subscription, Webhook


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["new_companies", "watched_back", "tasks_due", "email"]
        labels = {"email": "Email"}
        widgets = {"email": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "alerts_%s")
        super().__init__(*args, **kwargs)


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="Address (https://…)",
        max_length=500,
        widget=forms.TextInput(attrs={"inputmode": "url"}),
    )
    payload_format = forms.ChoiceField(
        label="Payload", choices=Webhook.Format.choices, initial=Webhook.Format.STANDARD
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "webhook_%s")
        super().__init__(*args, **kwargs)
