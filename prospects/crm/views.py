"""The company page and its POST-only actions (each calls one service), and My work."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from prospects.crm import selectors, services
from prospects.crm.forms import (
    CompanyEditForm,
    ContactForm,
    MarkWrongForm,
    NoteForm,
    ReassignForm,
    StatusForm,
    TouchpointForm,
)
from prospects.errors import ServiceError
from prospects.models import Company
from prospects.roles import ADMIN, REP, RESEARCHER, role_required


def _detail(company_id):
    try:
        return selectors.company_detail(company_id=company_id)
    except Company.DoesNotExist as exc:
        raise Http404("No such company.") from exc


def _page(request, detail, *, status=200, **forms):
    """Render the company page, with any bound forms the caller passes to show errors."""
    company = detail.company
    forms.setdefault("note_form", NoteForm())
    forms.setdefault("contact_form", ContactForm())
    forms.setdefault("status_form", StatusForm())
    forms.setdefault(
        "touchpoint_form",
        TouchpointForm(company=company, initial={"contact": None}),
    )
    forms.setdefault("edit_form", CompanyEditForm(instance=company))
    forms.setdefault("reassign_form", ReassignForm(initial={"to_user": company.assignee_id}))
    forms.setdefault("wrong_form", MarkWrongForm(ips=_company_ips(detail)))
    context = {
        "detail": detail,
        "company": company,
        "next_statuses": services.allowed_statuses(user=request.user, company=company),
        **forms,
    }
    return render(request, "prospects/company.html", context, status=status)


def _company_ips(detail) -> list[str]:
    """The addresses that tie visitors to this company, for "mark identification wrong"."""
    ips = {v.ip for v in detail.visitors if v.company_id == detail.company.pk}
    ips.update(r.ip for r in detail.ips if r.company_id == detail.company.pk)
    return sorted(ips)


def _form_error(form, exc: ValidationError):
    """Attach a service's refusal to the form, by field when the form has that field."""
    if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields):
        form.add_error(None, exc)
    else:
        form.add_error(None, " ".join(exc.messages))


@role_required(RESEARCHER, REP)
def company(request, company_id):
    """Evidence, visit timeline, score and reasons, contacts, notes, touchpoints, history."""
    return _page(request, _detail(company_id))


def _back(company):
    return redirect("company", company_id=company.pk)


def _claim_box(request, company):
    """The claim box alone, with this action's message, for HTMX to swap in."""
    context = {
        "company": Company.objects.select_related("assignee").get(pk=company.pk),
        "compact": request.POST.get("compact") == "1",
        "flash": True,
    }
    return render(request, "prospects/_partials/claim.html", context)


def _claim_action(request, company_id, service, success: str):
    """Run a claim service; HTMX requests get the refreshed claim box, others a redirect."""
    target = get_object_or_404(Company, pk=company_id)
    try:
        service(company=target, user=request.user)
        messages.success(request, success.format(target.name))
    except ServiceError as exc:
        messages.error(request, str(exc))
    if request.htmx:
        return _claim_box(request, target)
    return _back(target)


@require_POST
@role_required(RESEARCHER)
def claim(request, company_id):
    """Claim the company; HTMX requests get the refreshed claim box back."""
    return _claim_action(request, company_id, services.claim_company, "You have claimed {}.")


@require_POST
@role_required(RESEARCHER, REP)
def release(request, company_id):
    """Release the claim (its holder or an admin)."""
    return _claim_action(
        request, company_id, services.release_claim, "{} is free for others to claim."
    )


def _submit(request, company_id, *, form_name: str, form, run):
    """Validate a POSTed form and run its service: `run(cleaned_data)` returns the success message.

    A success flashes the message and goes back to the company page; a bad value or a
    service's refusal shows the page again with the form's errors (400).
    """
    if form.is_valid():
        try:
            message = run(form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, message)
            return redirect("company", company_id=company_id)
    return _page(request, _detail(company_id), status=400, **{form_name: form})


@require_POST
@role_required(ADMIN)
def reassign(request, company_id):
    """Hand the company to someone else (admins)."""
    target = get_object_or_404(Company, pk=company_id)

    def run(data):
        services.reassign_company(company=target, to_user=data["to_user"], by=request.user)
        return f"{target.name} is now with {data['to_user'] or 'nobody'}."

    return _submit(
        request, company_id, form_name="reassign_form", form=ReassignForm(request.POST), run=run
    )


@require_POST
@role_required(RESEARCHER, REP)
def change_status(request, company_id):
    """Move the company along the workflow."""
    target = get_object_or_404(Company, pk=company_id)

    def run(data):
        services.change_status(company=target, user=request.user, **data)
        return f"{target.name} is now {target.get_status_display()}."

    return _submit(
        request, company_id, form_name="status_form", form=StatusForm(request.POST), run=run
    )


@require_POST
@role_required(RESEARCHER, REP)
def add_note(request, company_id):
    """Add a note; HTMX requests get the refreshed notes panel back."""
    target = get_object_or_404(Company, pk=company_id)
    form = NoteForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            services.add_note(company=target, author=request.user, **form.cleaned_data)
            saved = True
        except ServiceError as exc:
            _form_error(form, exc)
    if request.htmx:
        context = {
            "company": target,
            "notes": target.notes.select_related("author"),
            "note_form": NoteForm() if saved else form,
        }
        return render(request, "prospects/_partials/notes.html", context)
    if saved:
        messages.success(request, "Note added.")
        return _back(target)
    return _page(request, _detail(company_id), status=400, note_form=form)


@require_POST
@role_required(RESEARCHER)
def add_contact(request, company_id):
    """Add a contact with a buyer persona."""
    target = get_object_or_404(Company, pk=company_id)

    def run(data):
        contact = services.add_contact(company=target, user=request.user, **data)
        return f"Added {contact.name}."

    return _submit(
        request, company_id, form_name="contact_form", form=ContactForm(request.POST), run=run
    )


@require_POST
@role_required(REP)
def log_touchpoint(request, company_id):
    """Log an outreach touchpoint and its outcome."""
    target = get_object_or_404(Company, pk=company_id)

    def run(data):
        services.log_touchpoint(company=target, user=request.user, **data)
        return "Touchpoint logged."

    form = TouchpointForm(request.POST, company=target)
    return _submit(request, company_id, form_name="touchpoint_form", form=form, run=run)


@require_POST
@role_required(RESEARCHER)
def edit(request, company_id):
    """Edit the name, industry, size and relationship."""
    target = get_object_or_404(Company, pk=company_id)
    form = CompanyEditForm(request.POST, instance=Company.objects.get(pk=company_id))

    def run(data):
        fields = {name: data[name] for name in form.changed_data}
        if not fields:
            return "Nothing changed."
        services.update_company(company=target, user=request.user, **fields)
        return "Company details saved."

    return _submit(request, company_id, form_name="edit_form", form=form, run=run)


@require_POST
@role_required(RESEARCHER)
def mark_wrong(request, company_id):
    """Say one of the company's IPs is not the company; it becomes a hand override."""
    detail = _detail(company_id)

    def run(data):
        services.mark_identification_wrong(company=detail.company, user=request.user, **data)
        return f"{data['ip']} no longer counts for {detail.company.name}."

    form = MarkWrongForm(request.POST, ips=_company_ips(detail))
    return _submit(request, company_id, form_name="wrong_form", form=form, run=run)


@role_required(RESEARCHER, REP)
def my_work(request):
    """The signed-in person's claimed companies and the outreach pipeline with what is due."""
    work = selectors.my_work(user=request.user)
    return render(
        request,
        "prospects/my_work.html",
        {
            "claimed": work["claimed"],
            "outreach": work["outreach"],
            "follow_up_days": selectors.FOLLOW_UP_DAYS,
        },
    )
