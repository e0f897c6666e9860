"""Authentication that loads the person's profile with the user, in the same query."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ProfileBackend(ModelBackend):
    """Django's model backend; the user of each request comes with its profile joined.

    Every page shows times in the person's time zone: joining the profile here keeps that
    from costing a query per request.
    """

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("profile")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
