"""Filters that parse query-string values strictly, shared by the pages' and the API's FilterSets.

A value that cannot be a row id, an IP address or a plausible date makes the FilterSet invalid,
so the page shows the message next to the field and the API answers 400 with it, instead of
the database or date arithmetic failing on it later.
"""

import datetime as dt
import ipaddress

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField

# Ids are 64-bit signed integers in both databases.
MAX_ID = 2**63 - 1
# No visit is older than the web, and a date filter a century ahead is a typo.
EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number from 1 to 2**63 - 1."""

    field_class = IdField


class IPAddressField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        try:
            address = ipaddress.ip_address(value)
        except ValueError as exc:
            raise ValidationError("Enter an IPv4 or IPv6 address.", code="invalid") from exc
        if getattr(address, "scope_id", None):
            raise ValidationError("Enter the address without a zone index.", code="invalid")
        mapped = getattr(address, "ipv4_mapped", None)
        # Stored addresses are unpacked (::ffff:1.2.3.4 is kept as 1.2.3.4) and compressed.
        return str(mapped or address)


class IPAddressFilter(django_filters.CharFilter):
    """An IPv4 or IPv6 address, matched in the form the database stores it."""

    field_class = IPAddressField


class PlausibleDateField(forms.DateField):
    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise ValidationError(
                f"Choose a date from {EARLIEST_DATE:%Y-%m-%d} to {LATEST_DATE:%Y-%m-%d}.",
                code="out_of_range",
            )
        return day


class PlausibleDateFilter(django_filters.DateFilter):
    """A calendar date from 1990 to 2100."""

    field_class = PlausibleDateField


class PlausibleDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None and not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
            raise ValidationError(
                f"Choose a time from {EARLIEST_DATE:%Y-%m-%d} to {LATEST_DATE:%Y-%m-%d}.",
                code="out_of_range",
            )
        return moment


class PlausibleDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment from 1990 to 2100."""

    field_class = PlausibleDateTimeField
