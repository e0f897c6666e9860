"""The tracking endpoint as a Django view: `POST /t/` (the snippet's beacon), `GET /t/` (a GIF).

gunicorn's requests for `/t/` are answered in front of Django (`tracking.wsgi`); this face
serves the same answers (`endpoint.answer`) to whatever goes through Django's stack: the
test client, an ASGI server, a plain-HTTP beacon redirected to HTTPS, a host Django refuses.
"""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import endpoint, services


class TrackResponse(HttpResponse):
    """A response that asks for the queue to be written once it has been sent."""

    def close(self):
        super().close()
        services.request_write()


@csrf_exempt
def track(request):
    """Accept one beacon (see `endpoint.answer`); the body is read through the request."""
    found = endpoint.answer({**request.META, "wsgi.input": request})
    response_class = TrackResponse if found.write_due else HttpResponse
    response = response_class(found.body, status=found.status)
    for name, value in found.headers:
        if name == "Set-Cookie":
            response.cookies.load(value)
        else:
            response[name] = value
    return response
