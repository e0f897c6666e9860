"""Real receivers on loopback for the alert tests: an SMTP server (aiosmtpd) and an HTTP server
that checks each webhook's Standard Webhooks signature with the standardwebhooks library."""

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1; Django's SMTP backend points at it. Yields its inbox."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


@dataclass
class Call:
    path: str
    headers: dict
    body: bytes
    verified: bool
    payload: dict | None


@dataclass
class Receiver:
    """What the webhook receiver saw; `fail_first` answers 500 to that many calls first."""

    url: str
    secrets: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)
    fail_first: int = 0

    def expect(self, path: str, secret: str) -> str:
        """Accept calls to `path` signed with `secret`; returns the full address."""
        self.secrets[path] = secret
        return self.url + path


@pytest.fixture
def webhook_receiver(settings):
    """A real HTTP server on 127.0.0.1 verifying signatures; webhooks may reach loopback."""
    settings.LEADGEN_WEBHOOK_ALLOW_HTTP = True
    settings.LEADGEN_WEBHOOK_ALLOW_PRIVATE = True
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            payload, verified = None, False
            secret = state.secrets.get(self.path)
            if secret:
                try:
                    payload = Webhook(secret).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    payload = json.loads(body)
            state.calls.append(Call(self.path, headers, body, verified, payload))
            failing = len(state.calls) <= state.fail_first
            self.send_response(500 if failing or not verified else 200)
            self.end_headers()
            self.wfile.write(b"no" if failing or not verified else b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
