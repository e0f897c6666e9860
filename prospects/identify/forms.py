"""The identification page's override form: it parses input; identify.services writes."""

from django import forms
from django.core.exceptions import ValidationError

from prospects.identify.models import Classification
from prospects.identify.overrides import clean_override
from prospects.models import Company, IdentificationOverride

SEARCH_MAX_CHARS = 100


class OverrideForm(forms.Form):
    """An override of an IP, range or domain; a business one names its company by domain."""

    kind = forms.ChoiceField(choices=IdentificationOverride.Kind.choices)
    value = forms.CharField(max_length=253, help_text="203.0.113.7, 203.0.113.0/24 or acme.com")
    classification = forms.ChoiceField(
        choices=[c for c in Classification.choices if c[0] != Classification.PENDING]
    )
    company_domain = forms.CharField(
        max_length=253,
        required=False,
        label="Company domain",
        help_text="For a business: the domain of a company already known, e.g. acme.com",
    )
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "override_%s")
        super().__init__(*args, **kwargs)

    def clean_company_domain(self):
        domain = self.cleaned_data["company_domain"].strip().lower().rstrip(".")
        if not domain:
            return None
        company = Company.objects.filter(domain=domain).first()
        if company is None:
            raise ValidationError(f"No company has the domain {domain!r}.")
        return company

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["value"] = clean_override(
                kind=cleaned["kind"],
                value=cleaned["value"],
                classification=cleaned["classification"],
                company=cleaned.get("company_domain"),
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error("company_domain" if field == "company" else field, messages)
        return cleaned


class IPSearchForm(forms.Form):
    """The identification list's search box and classification."""

    q = forms.CharField(max_length=SEARCH_MAX_CHARS, required=False, label="Search")
    classification = forms.ChoiceField(
        choices=[("", "All"), *Classification.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "ipsearch_%s")
        super().__init__(*args, **kwargs)
