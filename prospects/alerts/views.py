"""Alert pages and actions: a person's alert settings and webhooks, watching a company, and
the admins' delivery log. Each POST calls one service and goes back to its page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from prospects.accounts.views import settings_page
from prospects.alerts import preferences, selectors
from prospects.alerts.forms import SubscriptionForm, WebhookForm
from prospects.models import Company, Delivery, Webhook
from prospects.roles import ADMIN, ALL_ROLES, role_required


def _save(request, form, form_name, run):
    if form.is_valid():
        try:
            message = run(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, message)
            return redirect("settings")
    return settings_page(request, **{form_name: form})


@require_POST
@login_required
def save_alerts(request):
    """Save which alerts the person wants and how email comes."""
    form = SubscriptionForm(request.POST)

    def run(data):
        preferences.update_subscription(user=request.user, **data)
        return "Alert choices saved."

    return _save(request, form, "alerts_form", run)


@require_POST
@role_required(*ALL_ROLES)
def add_webhook(request):
    """Add a webhook; its signing secret is shown on the settings page."""
    form = WebhookForm(request.POST)

    def run(data):
        hook = preferences.add_webhook(user=request.user, **data)
        return f"Webhook added: {hook.url}. Verify its calls with the secret shown below."

    return _save(request, form, "webhook_form", run)


def _on_own_webhook(request, webhook_id, action, done: str):
    """Run `action` on one of the person's own webhooks (anyone else's is a 404)."""
    hook = get_object_or_404(Webhook, pk=webhook_id, owner=request.user)
    action(user=request.user, webhook=hook)
    messages.success(request, done)
    return redirect("settings")


@require_POST
@role_required(*ALL_ROLES)
def remove_webhook(request, webhook_id):
    """Remove one of the person's webhooks."""
    return _on_own_webhook(request, webhook_id, preferences.remove_webhook, "Webhook removed.")


@require_POST
@role_required(*ALL_ROLES)
def test_webhook(request, webhook_id):
    """Send a test message to one of the person's webhooks."""
    return _on_own_webhook(
        request,
        webhook_id,
        preferences.send_test,
        "Test message queued; its attempts show below.",
    )


@require_POST
@role_required(*ALL_ROLES)
def watch(request, company_id):
    """Watch (watch=1) or stop watching (watch=0) a company."""
    company = get_object_or_404(Company.objects.visible_to(request.user), pk=company_id)
    if request.POST.get("watch") == "1":
        preferences.watch_company(user=request.user, company=company)
        messages.success(request, f"Watching {company.name}: its next visit alerts you.")
    else:
        preferences.unwatch_company(user=request.user, company=company)
        messages.success(request, f"No longer watching {company.name}.")
    return redirect("company", company_id=company.pk)


@role_required(ADMIN)
def deliveries(request):
    """Every email and webhook delivery with each attempt's answer (admins)."""
    status = request.GET.get("status", "")
    context = {
        "deliveries": selectors.delivery_log(status=status),
        "status": status,
        "statuses": Delivery.Status.choices,
        "rows": selectors.DELIVERY_ROWS,
    }
    return render(request, "alerts/deliveries.html", context)
