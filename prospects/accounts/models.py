"""A person's own settings: the time zone their pages show times in."""

import zoneinfo
from functools import cache

from django.conf import settings
from django.db import models


@cache
def time_zone_names() -> list[str]:
    """The IANA zone names a person may choose, sorted (read once per process)."""
    return sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


class Profile(models.Model):
    """Per-person settings; a person without one sees the site's time zone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # An IANA name such as "Europe/Berlin"; blank means the site's TIME_ZONE.
    time_zone = models.CharField(max_length=64, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user}: {self.time_zone or 'site time zone'}"
