from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """Land on the admin until the research queue pages exist."""
    return redirect("admin:index")
