"""POST /api/token/: a username and password for an API token, under the login lockout."""

from axes.helpers import get_lockout_message
from rest_framework import exceptions, status
from rest_framework.authtoken.views import ObtainAuthToken


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"


class ObtainToken(ObtainAuthToken):
    """DRF's token view; a locked account or address answers 429 with the lockout message.

    django-axes counts the failure and refuses the password check, but DRF's serializer turns
    every refusal into the same 400 "unable to log in"; the flag axes leaves on the request
    tells a lockout apart.
    """

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut(get_lockout_message()) from None
            raise
