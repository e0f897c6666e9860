"""The company page: everything about one company, and the actions each role has on it."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render

from prospects.crm import outreach, selectors, services
from prospects.crm.forms import (
    CompanyEditForm,
    ContactForm,
    MarkWrongForm,
    NoteForm,
    ReassignForm,
    ReassignRepForm,
    StatusForm,
    TaskForm,
    TouchpointForm,
)
from prospects.crm.timeline import (
    TIMELINE_SHOWN,
    build_timeline,
    next_steps_by_touchpoint,
    unread_entries,
)
from prospects.forecast.outcomes import outcome_window
from prospects.forecast.selectors import stage_views
from prospects.models import Company
from prospects.privacy import audit
from prospects.privacy.models import AuditEvent
from prospects.roles import ADMIN, REP, RESEARCHER, has_role, role_required
from prospects.segments.next_content import next_content
from prospects.segments.pace import sessions_pace
from prospects.timing.selectors import contact_time, team_response_rates

Status = Company.Status


def detail_or_404(company_id, *, user, whole_timeline=False) -> selectors.CompanyDetail:
    """The company page's data, or a 404 (also for a company held out from this person).

    Unless the whole timeline is asked for, the latest TIMELINE_SHOWN of each kind of work hold
    every entry shown: a company with years of work reads a third fewer rows (and their users).
    """
    items = selectors.TIMELINE_ITEMS if whole_timeline else TIMELINE_SHOWN
    try:
        return selectors.company_detail(company_id=company_id, user=user, items=items)
    except Company.DoesNotExist as exc:
        raise Http404("No such company.") from exc


def company_ips(detail) -> list[str]:
    """The addresses that tie visitors to this company, for "mark identification wrong"."""
    ips = {v.ip for v in detail.visitors if v.company_id == detail.company.pk}
    ips.update(r.ip for r in detail.ips if r.company_id == detail.company.pk)
    return sorted(ips)


def next_step(*, user, company, held_out=False) -> dict | None:
    """The one obvious next move for this person, as a button: what it says and what it posts.

    `action` is "claim", "take" or "status" (with `to_status`); None when there is none. A
    company the running experiment holds out is offered no outreach (the services refuse it).
    """
    status = company.status
    if status == Status.NEW and company.assignee_id is None and has_role(user, RESEARCHER):
        return {"action": "claim", "label": "Claim to research"}
    if status == Status.RESEARCHING and has_role(user, RESEARCHER):
        return {"action": "status", "to_status": Status.READY, "label": "Mark ready for outreach"}
    if (
        status in (Status.READY, Status.IN_OUTREACH)
        and company.rep_id is None
        and has_role(user, REP)
        and not held_out
    ):
        return {"action": "take", "label": "Take for outreach"}
    return None


def other_moves(*, user, company, step, held_out=False) -> list[Status]:
    """The moves offered beside the next step, in workflow order."""
    moves = services.allowed_statuses(user=user, company=company)
    if step and step["action"] == "status":
        moves = [m for m in moves if m != step["to_status"]]
    if (step and step["action"] == "take") or held_out:
        # Taking is how a rep moves a ready company into outreach; a held-out one gets none.
        moves = [m for m in moves if m != Status.IN_OUTREACH]
    return moves


def wants_whole_timeline(request) -> bool:
    """Whether the reader asked for every entry of the timeline ("Show N older entries")."""
    return request.GET.get("activity") == "all"


def render_page(request, detail, *, status=200, **forms):
    """Render the company page, with any bound forms the caller passes to show errors.

    HTMX requests get 200 even for errors: the page swaps the form, errors and all, in place.
    """
    company = detail.company
    user = request.user
    forms.setdefault("note_form", NoteForm())
    forms.setdefault("contact_form", ContactForm())
    forms.setdefault("status_form", StatusForm())
    forms.setdefault("touchpoint_form", TouchpointForm(contacts=detail.contacts))
    forms.setdefault("task_form", TaskForm(contacts=detail.contacts))
    forms.setdefault("edit_form", CompanyEditForm(instance=company))
    forms.setdefault("reassign_form", ReassignForm(initial={"to_user": company.assignee_id}))
    forms.setdefault("reassign_rep_form", ReassignRepForm(initial={"to_user": company.rep_id}))
    forms.setdefault("wrong_form", MarkWrongForm(ips=company_ips(detail)))
    # Only admins can open a held-out company; the team's pages never show one.
    held_out = has_role(user, ADMIN) and outreach.is_held_out(company)
    step = next_step(user=user, company=company, held_out=held_out)
    latest = detail.latest_change
    segment = detail.segment
    timeline = build_timeline(detail)
    shown = timeline if wants_whole_timeline(request) else timeline[:TIMELINE_SHOWN]
    context = {
        "detail": detail,
        "company": company,
        "timeline": shown,
        "timeline_older": len(timeline) + unread_entries(detail) - len(shown),
        "next_steps": next_steps_by_touchpoint(detail),
        "next_step": step,
        "moves": other_moves(user=user, company=company, step=step, held_out=held_out),
        "undo": latest if services.may_undo(change=latest, user=user) else None,
        "undo_until": services.undo_deadline(latest) if latest else None,
        "watching": company.watching,
        "segment": segment,
        # From the timeline's latest sessions, read already: a big company's page views stay unread.
        "pace": sessions_pace(sessions=detail.sessions, newest=detail.newest_visit),
        "held_out": held_out,
        "timing": contact_time(company=company),
        "response_rates": team_response_rates(),
        "next_content": next_content(company=company, segment=segment, contacts=detail.contacts),
        "pipeline": stage_views(company=company),
        "pipeline_window": outcome_window().days,
        **forms,
    }
    if request.htmx and status >= 400:
        status = 200
    return render(request, "prospects/company.html", context, status=status)


@role_required(RESEARCHER, REP)
def company(request, company_id):
    """Score, status and next task on top, the activity timeline, contacts, tasks, evidence.

    Each view is in the audit log (who saw this company's visitors and contacts).
    """
    detail = detail_or_404(
        company_id, user=request.user, whole_timeline=wants_whole_timeline(request)
    )
    response = render_page(request, detail)
    audit.record(request, action=AuditEvent.Action.VIEW, kind="company", object_id=company_id)
    return response


def form_error(form, exc: ValidationError):
    """Attach a service's refusal to the form, by field when the form has that field."""
    if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields):
        form.add_error(None, exc)
    else:
        form.add_error(None, " ".join(exc.messages))
