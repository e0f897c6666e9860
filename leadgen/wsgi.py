"""WSGI entry point for gunicorn: tracking beacons answered in front of Django, the rest by it."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadgen.settings")
django_application = get_wsgi_application()

from prospects.tracking.wsgi import serve_beacons  # noqa: E402 - needs Django set up

application = serve_beacons(django_application)
