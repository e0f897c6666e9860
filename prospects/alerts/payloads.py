"""What an alert says: the JSON body of a webhook (standard or Slack) and the text of an email.

Company names, contacts and reasons come from DNS, logs and people's typing: in JSON they are
plain strings; in Slack's mrkdwn the three characters Slack treats as markup are escaped.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from prospects.models import Alert
from scoring.reasons import reason_texts

# The `type` of the test message a person can send to a new webhook.
PING = "webhook.test"


def company_url(company) -> str:
    """The company's page in the app, as an absolute address."""
    return settings.LEADGEN_SITE_URL.rstrip("/") + reverse("company", args=[company.pk])


def _score(company):
    try:
        return company.score
    except ObjectDoesNotExist:
        return None


def company_record(company, contacts) -> dict:
    """A company as webhook consumers get it: enough to create or update it in a CRM."""
    score = _score(company)
    return {
        "id": company.pk,
        "name": company.name,
        "domain": company.domain,
        "website": f"https://{company.domain}/",
        "status": company.status,
        "relationship": company.relationship,
        "industry": company.industry,
        "size": company.size,
        "probability": round(score.probability, 4) if score else None,
        "reasons": reason_texts(score.reasons) if score else [],
        "last_visit": score.last_visit.isoformat() if score and score.last_visit else None,
        "researcher": company.assignee.get_username() if company.assignee else None,
        "rep": company.rep.get_username() if company.rep else None,
        "url": company_url(company),
        "contacts": [
            {
                "name": c.name,
                "title": c.title,
                "persona": c.persona,
                "email": c.email,
                "phone": c.phone,
                "linkedin_url": c.linkedin_url,
            }
            for c in contacts
        ],
    }


def headline(alert: Alert) -> str:
    """One line saying what happened."""
    company = alert.company
    if alert.kind == Alert.Kind.NEW_COMPANY:
        score = _score(company)
        chance = f" ({score.probability:.0%})" if score else ""
        return f"{company.name}{chance} entered the research queue"
    if alert.kind == Alert.Kind.WATCHED_BACK:
        return f"{company.name}, which you watch, is back on the site"
    task = alert.task
    return f"Task due {task.due_on:%a %Y-%m-%d}: {task.label} ({company.name})"


def standard_event(alert: Alert, contacts) -> dict:
    """The Standard Webhooks body: {"type", "timestamp", "data"}."""
    task = alert.task
    return {
        "type": alert.kind,
        "timestamp": alert.happened_at.isoformat(),
        "data": {
            "alert_id": alert.pk,
            "summary": headline(alert),
            "company": company_record(alert.company, contacts),
            "task": None
            if task is None
            else {
                "id": task.pk,
                "kind": task.kind,
                "title": task.title,
                "due_on": task.due_on.isoformat(),
                "owner": task.owner.get_username() if task.owner else None,
            },
        },
    }


def slack_escape(text: str) -> str:
    """Text safe inside Slack mrkdwn: &, < and > are markup there."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(alert: Alert) -> dict:
    """A Slack incoming-webhook body: a fallback text and one section with a link."""
    line = slack_escape(headline(alert))
    link = f"<{company_url(alert.company)}|Open {slack_escape(alert.company.name)}>"
    return {
        "text": headline(alert),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"{line}\n{link}"}}],
    }


def ping_event(webhook) -> dict:
    """The body of a test message to a webhook."""
    text = "Test message from Northwind leads: this webhook works."
    if webhook.payload_format == webhook.Format.SLACK:
        return {"text": text}
    return {"type": PING, "timestamp": webhook.created_at.isoformat(), "data": {"summary": text}}


def email_text(alerts) -> tuple[str, str]:
    """Subject and plain-text body of an email carrying these alerts (one, or a digest)."""
    alerts = list(alerts)
    if len(alerts) == 1:
        subject = headline(alerts[0])
    else:
        subject = f"{len(alerts)} alerts from Northwind leads"
    lines = [f"- {headline(a)}\n  {company_url(a.company)}" for a in alerts]
    settings_url = settings.LEADGEN_SITE_URL.rstrip("/") + reverse("settings")
    body = "\n".join(lines) + f"\n\nChoose which alerts you get: {settings_url}\n"
    return subject[:200], body
