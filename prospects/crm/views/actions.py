"""The company page's POST-only actions: each calls one service and goes back to the page.

On the page they are sent by HTMX, which follows the redirect and swaps the page's main part
in place (the reader keeps their place); without JavaScript they are plain form posts.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from prospects.crm import outreach, services
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
from prospects.crm.views.page import company_ips, detail_or_404, form_error, render_page
from prospects.errors import ServiceError
from prospects.models import Company, Task
from prospects.queue.display import chosen_columns
from prospects.queue.selectors import queue_rows
from prospects.roles import ADMIN, REP, RESEARCHER, role_required


def _back(company_id):
    return redirect("company", company_id=company_id)


def _queue_row(request, company):
    """The company's whole queue row (status, assignee, claim box) with this action's message."""
    context = {
        "row": queue_rows(user=request.user, ids=[company.pk])[0],
        "columns": chosen_columns(request.POST),
        "flash": True,
    }
    return render(request, "prospects/_partials/queue_row.html", context)


def _one_step(request, company_id, service, success: str):
    """Run a service that needs no form; from a queue row, the row comes back refreshed."""
    target = get_object_or_404(Company.objects.visible_to(request.user), pk=company_id)
    try:
        service(company=target, user=request.user)
        messages.success(request, success.format(target.name))
    except ServiceError as exc:
        messages.error(request, str(exc))
    if request.htmx and request.POST.get("compact") == "1":
        return _queue_row(request, target)
    return _back(company_id)


@require_POST
@role_required(RESEARCHER)
def claim(request, company_id):
    """Claim the company to research it."""
    return _one_step(request, company_id, services.claim_company, "You have claimed {}.")


@require_POST
@role_required(RESEARCHER, REP)
def release(request, company_id):
    """Release the research claim (its holder or an admin); it goes back to new."""
    return _one_step(request, company_id, services.release_claim, "{} is free for others to claim.")


@require_POST
@role_required(REP)
def take(request, company_id):
    """A rep takes a company that is ready for outreach."""
    return _one_step(request, company_id, outreach.take_for_outreach, "{} is yours for outreach.")


@require_POST
@role_required(REP)
def release_outreach(request, company_id):
    """The rep gives the company back: ready for another rep."""
    return _one_step(
        request,
        company_id,
        outreach.release_outreach,
        "{} is ready for outreach again, for any rep to take.",
    )


def _submit(request, company_id, *, form_name: str, form, run):
    """Validate a POSTed form and run its service: `run(form)` returns the success message.

    A success flashes the message and goes back to the company page; a bad value, a move
    waiting for confirmation or a service's refusal shows the page again with the form.
    """
    if form.is_valid():
        try:
            message = run(form)
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, message)
            return _back(company_id)
    return render_page(
        request, detail_or_404(company_id, user=request.user), status=400, **{form_name: form}
    )


def _hand_over(request, company_id, *, form_class, form_name: str, service, done: str):
    """Hand a company's research or outreach to someone else; `done` names the new holder."""
    target = get_object_or_404(Company.objects.visible_to(request.user), pk=company_id)

    def run(form):
        to_user = form.cleaned_data["to_user"]
        service(company=target, to_user=to_user, by=request.user)
        return done.format(name=target.name, holder=to_user or "nobody")

    form = form_class(request.POST)
    return _submit(request, company_id, form_name=form_name, form=form, run=run)


@require_POST
@role_required(ADMIN)
def reassign(request, company_id):
    """Hand the research claim to someone else (admins)."""
    return _hand_over(
        request,
        company_id,
        form_class=ReassignForm,
        form_name="reassign_form",
        service=services.reassign_company,
        done="{name} is now with {holder}.",
    )


@require_POST
@role_required(ADMIN)
def reassign_rep(request, company_id):
    """Hand the outreach to another rep (admins)."""
    return _hand_over(
        request,
        company_id,
        form_class=ReassignRepForm,
        form_name="reassign_rep_form",
        service=outreach.reassign_outreach,
        done="{name}'s outreach is now with {holder}.",
    )


@require_POST
@role_required(RESEARCHER, REP)
def change_status(request, company_id):
    """Move the company along the workflow; final moves ask for confirmation first."""
    target = get_object_or_404(Company.objects.visible_to(request.user), pk=company_id)

    def run(form):
        services.change_status(company=target, user=request.user, **form.move_data())
        return f"{target.name} is now {target.get_status_display()}."

    form = StatusForm(request.POST)
    return _submit(request, company_id, form_name="status_form", form=form, run=run)


@require_POST
@role_required(RESEARCHER, REP)
def undo(request, company_id, change_id):
    """Undo a conversion or disqualification (who made it, or an admin, within a day)."""
    target = get_object_or_404(Company.objects.visible_to(request.user), pk=company_id)
    try:
        services.undo_status_change(company=target, change_id=change_id, user=request.user)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"Undone: {target.name} is {target.get_status_display()} again.")
    return _back(company_id)


@require_POST
@role_required(RESEARCHER, REP)
def add_note(request, company_id):
    """Add a note."""
    target = get_object_or_404(Company.objects.visible_to(request.user), pk=company_id)

    def run(form):
        services.add_note(company=target, author=request.user, **form.cleaned_data)
        return "Note added."

    return _submit(request, company_id, form_name="note_form", form=NoteForm(request.POST), run=run)


@require_POST
@role_required(RESEARCHER)
def add_contact(request, company_id):
    """Add a contact with a buyer persona."""
    target = get_object_or_404(Company.objects.visible_to(request.user), pk=company_id)

    def run(form):
        contact = services.add_contact(company=target, user=request.user, **form.cleaned_data)
        return f"Added {contact.name}."

    return _submit(
        request, company_id, form_name="contact_form", form=ContactForm(request.POST), run=run
    )


@require_POST
@role_required(REP)
def log_touchpoint(request, company_id):
    """Log an outreach touchpoint, its outcome and the next step; converting is confirmed."""
    target = get_object_or_404(Company.objects.visible_to(request.user), pk=company_id)

    def run(form):
        outreach.log_touchpoint(company=target, user=request.user, **form.touchpoint_data())
        due = form.cleaned_data["next_step_on"]
        return (
            f"Touchpoint logged; next step on {due:%a %Y-%m-%d}." if due else "Touchpoint logged."
        )

    form = TouchpointForm(request.POST, contacts=target.contacts.all())
    return _submit(request, company_id, form_name="touchpoint_form", form=form, run=run)


@require_POST
@role_required(RESEARCHER, REP)
def add_task(request, company_id):
    """Add a task (a follow-up for oneself) on the company."""
    target = get_object_or_404(Company.objects.visible_to(request.user), pk=company_id)

    def run(form):
        task = outreach.add_task(company=target, user=request.user, **form.cleaned_data)
        return f"Task added: {task.label} on {task.due_on:%a %Y-%m-%d}."

    form = TaskForm(request.POST, contacts=target.contacts.all())
    return _submit(request, company_id, form_name="task_form", form=form, run=run)


@require_POST
@role_required(RESEARCHER, REP)
def complete_task(request, task_id):
    """Mark a task done; back to the page it was done from (company page or My work)."""
    task = get_object_or_404(Task, pk=task_id)
    outreach.complete_task(task=task, user=request.user)
    messages.success(request, f"Done: {task.label}.")
    if request.POST.get("back") in ("my_work", "my_outreach"):
        return redirect(request.POST["back"])
    return _back(task.company_id)


@require_POST
@role_required(RESEARCHER)
def edit(request, company_id):
    """Edit the name, industry, size, relationship and time zone."""
    target = get_object_or_404(Company.objects.visible_to(request.user), pk=company_id)
    form = CompanyEditForm(request.POST, instance=Company.objects.get(pk=company_id))

    def run(form):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if not fields:
            return "Nothing changed."
        services.update_company(company=target, user=request.user, **fields)
        return "Company details saved."

    return _submit(request, company_id, form_name="edit_form", form=form, run=run)


@require_POST
@role_required(RESEARCHER)
def mark_wrong(request, company_id):
    """Say one of the company's IPs is not the company; it becomes a hand override."""
    detail = detail_or_404(company_id, user=request.user)

    def run(form):
        data = form.cleaned_data
        services.mark_identification_wrong(company=detail.company, user=request.user, **data)
        return f"{data['ip']} no longer counts for {detail.company.name}."

    form = MarkWrongForm(request.POST, ips=company_ips(detail))
    return _submit(request, company_id, form_name="wrong_form", form=form, run=run)
