"""The refusal every service raises when an action cannot be done as asked."""

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """An action refused for a reason the user can fix or should know about."""

    def __init__(self, message):
        super().__init__(message)

    def __str__(self):
        return self.messages[0]
