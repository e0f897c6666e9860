"""Shared pieces of the API: role permissions, services' refusals as 400s, user names."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from scoring.meaning import chance_text

from .permissions import RoleForAction


@extend_schema_field(OpenApiTypes.STR)
class UserName(serializers.RelatedField):
    """A user shown by username (null when unset)."""

    def to_representation(self, value):
        return value.get_username()


@extend_schema_field(OpenApiTypes.STR)
class Chance(serializers.Field):
    """A probability in words ("31% chance of a trial or contact request within 30 days")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "probability")
        super().__init__(**kwargs)

    def to_representation(self, value):
        return chance_text(value)


class ServiceAPIMixin:
    """Role permissions for every view, and services' refusals turned into 400 answers."""

    permission_classes = [RoleForAction]
    action_roles: dict = {}
    # Ids are 64-bit integers: anything else is no route (404), never an overflow in the database.
    lookup_value_regex = "[0-9]{1,18}"

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = exceptions.ValidationError(detail=serializers.as_serializer_error(exc))
        return super().handle_exception(exc)

    def parse(self, input_class):
        """The request body parsed by an input serializer, or a 400 answer."""
        parser = input_class(data=self.request.data)
        parser.is_valid(raise_exception=True)
        return parser.validated_data
