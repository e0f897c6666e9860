"""`{% queue_url %}`: the research queue with the filters the person last used."""

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def queue_url(context) -> str:
    """The queue's address with the session's last filters, so nav and breadcrumbs keep them."""
    request = context.get("request")
    query = request.session.get("queue_query", "") if request is not None else ""
    return f"{reverse('queue')}?{query}" if query else reverse("queue")
