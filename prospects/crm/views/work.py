"""Each person's home: My work (research) and My outreach (reps), and where login lands."""

from django.shortcuts import redirect, render

from prospects.crm import selectors
from prospects.roles import REP, RESEARCHER, has_role, role_required


@role_required(RESEARCHER, REP)
def home(request):
    """Where signing in lands: reps on My outreach, everyone else on the queue."""
    if has_role(request.user, REP) and not has_role(request.user, RESEARCHER):
        return redirect("my_outreach")
    return redirect("queue")


@role_required(RESEARCHER, REP)
def my_work(request):
    """The researcher's claimed companies and their tasks: overdue, today, upcoming."""
    work = selectors.my_work(user=request.user)
    context = {
        "claimed": work["claimed"],
        "agenda": work["agenda"],
        "is_researcher": has_role(request.user, RESEARCHER),
    }
    return render(request, "prospects/my_work.html", context)


@role_required(RESEARCHER, REP)
def my_outreach(request):
    """The rep's companies (next task first), their tasks, and ready companies to take."""
    work = selectors.my_outreach(user=request.user)
    context = {**work, "is_rep": has_role(request.user, REP)}
    return render(request, "prospects/my_outreach.html", context)
