"""With a broker and a worker, a failing webhook is retried by Celery after its backoff."""

import time

import pytest

from prospects.alerts import preferences, services
from prospects.models import Delivery
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory
from tests.worker_fixtures import needs_worker, worker_output

pytestmark = [
    *needs_worker,
    # Committed data, rolled back by restoring the serialized database: the browser and
    # threaded tests after this one restore that state too, and would collide with a flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_worker_retries_a_failing_webhook_until_it_is_delivered(webhook_receiver, start_worker):
    worker = start_worker(
        LEADGEN_WEBHOOK_ALLOW_HTTP="1",
        LEADGEN_WEBHOOK_ALLOW_PRIVATE="1",
        LEADGEN_WEBHOOK_RETRY_DELAYS="1",
    )
    user = UserFactory(username="rita", role="researcher")
    services.scan_alerts()
    hook = preferences.add_webhook(user=user, url=webhook_receiver.url + "/crm")
    webhook_receiver.expect("/crm", hook.secret)
    preferences.update_subscription(user=user, new_companies=True)
    webhook_receiver.fail_first = 1
    scored_company(0.9)

    services.scan_alerts()  # commits, then hands the delivery to the worker

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        delivery = Delivery.objects.filter(status="sent").first()
        if delivery:
            break
        time.sleep(0.3)
    else:
        pytest.fail(f"the webhook was never delivered; worker output:\n{worker_output(worker)}")
    attempts = list(delivery.attempt_log.all())
    assert [a.status_code for a in attempts] == [500, 200]
    assert (attempts[1].attempted_at - attempts[0].attempted_at).total_seconds() >= 1
    assert [c.verified for c in webhook_receiver.calls] == [True, True]
