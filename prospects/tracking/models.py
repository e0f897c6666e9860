"""The tracker's own rows: the database queue of the embedded default and the daily salts."""

from django.db import models


class QueuedHit(models.Model):
    """One accepted beacon waiting to be written (the queue when no Redis is configured)."""

    # The hit's fields as a JSON array (tracking.beacons.QUEUED_FIELDS).
    payload = models.TextField()

    def __str__(self):
        return f"queued hit {self.pk}"


class TrackerSalt(models.Model):
    """The random salt of one UTC day for cookieless visitor ids; deleted after two days."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self):
        return f"salt of {self.day}"
