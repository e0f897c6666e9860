"""A person's settings page: their time zone, and the alerts they get (prospects.alerts)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from prospects.accounts import services
from prospects.accounts.forms import TimeZoneForm
from prospects.alerts import selectors as alert_selectors
from prospects.alerts.forms import SubscriptionForm, WebhookForm
from prospects.models import Delivery


def _current_zone(user) -> str:
    try:
        return user.profile.time_zone
    except ObjectDoesNotExist:
        return ""


def settings_page(request, **forms):
    """The settings page, with any bound forms the caller passes to show errors."""
    user = request.user
    forms.setdefault("tz_form", TimeZoneForm(initial={"time_zone": _current_zone(user)}))
    forms.setdefault(
        "alerts_form", SubscriptionForm(instance=alert_selectors.subscription_for(user))
    )
    forms.setdefault("webhook_form", WebhookForm())
    status = 400 if any(f.is_bound and f.errors for f in forms.values()) else 200
    hooks = list(alert_selectors.webhooks_of(user))
    context = {
        **forms,
        "webhooks": hooks,
        # The latest attempts at each webhook, so its owner sees whether it works.
        "recent": Delivery.objects.filter(webhook__in=hooks).prefetch_related("attempt_log")[:10],
    }
    return render(request, "accounts/settings.html", context, status=status)


@login_required
def settings_view(request):
    """Show the person's settings."""
    return settings_page(request)


@require_POST
@login_required
def save_time_zone(request):
    """Save the person's time zone."""
    form = TimeZoneForm(request.POST)
    if form.is_valid():
        try:
            services.set_time_zone(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Time zone saved.")
            return redirect("settings")
    return settings_page(request, tz_form=form)
