"""Every page shows times in the signed-in person's time zone."""

import zoneinfo

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone


def user_time_zone(user) -> zoneinfo.ZoneInfo | None:
    """The zone the person chose, or None for the site's TIME_ZONE."""
    if not user.is_authenticated:
        return None
    try:
        name = user.profile.time_zone
    except ObjectDoesNotExist:
        return None
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class TimeZoneMiddleware:
    """Activate the person's time zone for the request (the profile comes with the user)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = user_time_zone(request.user)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
