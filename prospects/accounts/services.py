"""Writes of a person's own settings."""

from django.db import transaction

from prospects.accounts.models import Profile, time_zone_names
from prospects.errors import ServiceError


@transaction.atomic
def set_time_zone(*, user, time_zone: str) -> Profile:
    """Set the zone the person's pages show times in; blank means the site's zone."""
    time_zone = (time_zone or "").strip()
    if time_zone and time_zone not in time_zone_names():
        raise ServiceError({"time_zone": f"Unknown time zone {time_zone!r}."})
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    profile.time_zone = time_zone
    profile.save(update_fields=["time_zone", "updated_at"])
    return profile
