"""Role checks for the API: the same roles as the pages, decided per viewset action."""

from rest_framework.permissions import BasePermission

from prospects.roles import ALL_ROLES, has_role


class RoleForAction(BasePermission):
    """Allow an action to users holding one of the roles the view lists for it.

    A view declares ``action_roles = {"claim": (RESEARCHER,), ...}``; actions it does not list
    (reads) need any of the three roles, so a logged-in user without a role reads nothing.
    Admins pass every check (``has_role`` treats admin as holding every role).
    """

    message = "Your role does not allow this action."

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        roles = getattr(view, "action_roles", {}).get(getattr(view, "action", None), ALL_ROLES)
        return has_role(request.user, *roles)
