"""My work: a researcher's claims and the companies waiting on outreach."""

from django.shortcuts import render

from prospects import selectors
from prospects.roles import REP, RESEARCHER, role_required


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
