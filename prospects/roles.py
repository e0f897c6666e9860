"""The three roles (Django groups) and the checks every page and API call goes through."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

RESEARCHER = "researcher"
REP = "outreach rep"
ADMIN = "admin"
ALL_ROLES = (RESEARCHER, REP, ADMIN)


def user_roles(user) -> set[str]:
    """The role names a user holds, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_leadgen_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMIN)
        user._leadgen_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    """Whether the user holds any of the given roles (admins hold every permission)."""
    held = user_roles(user)
    return ADMIN in held or bool(held.intersection(roles))


def require_role(user, *roles: str) -> None:
    """Service guard: PermissionDenied unless the user holds one of the roles."""
    if not has_role(user, *roles):
        raise PermissionDenied("Your role does not allow this.")


def role_required(*roles: str):
    """View decorator: login required, then one of the roles, else 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
