"""Erase this person: by IP, visitor or contact, with a record of what went and who asked.

After an erasure the person is in no table: every model's text, JSON and address fields are
searched for their values, and every foreign key for their rows.
"""

import datetime as dt
import io
import os

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from prospects.models import (
    Company,
    Contact,
    Delivery,
    Erasure,
    IdentificationOverride,
    IPResolution,
    LogImport,
    Note,
    PageView,
    Task,
    Touchpoint,
    Visitor,
)
from prospects.privacy import erasure
from prospects.tracking import beacons, buffer, queue, services
from prospects.visits.ingest.importer import ingest_file
from scoring.models import CompanyScore, VisitorScore
from tests.crm_fixtures import model_version
from tests.ingest_lines import FIREFOX, line, write_log
from tests.privacy_traces import traces
from tests.tracker_fixtures import queued

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tracker")]
PERSON = "203.0.113.77"
OTHER = "198.51.100.23"
needs_redis = pytest.mark.skipif(
    not os.environ.get("LEADGEN_TRACKER_REDIS_URL", os.environ.get("CELERY_BROKER_URL")),
    reason="needs a Redis queue (LEADGEN_TRACKER_REDIS_URL or a redis:// broker)",
)


@pytest.fixture
def traffic(tmp_path):
    """Two visitors on PERSON's address (two browsers), one elsewhere, and all that hangs on."""
    lines = [line("/", ip=PERSON), line("/pricing", ip=PERSON, minutes=2)]
    lines += [line("/docs", ip=PERSON, agent=FIREFOX, minutes=1), line("/", ip=OTHER)]
    lines.append(f"{PERSON} this line is not a log line at all")
    ingest_file(write_log(tmp_path, lines))
    company = Company.objects.create(name="Acme", domain="acme.example")
    Visitor.objects.update(company=company)
    for ip in (PERSON, OTHER):
        IPResolution.objects.create(ip=ip, outcome="ok", domain="acme.example", company=company)
    IdentificationOverride.objects.create(kind="ip", value=PERSON, classification="isp")
    version = model_version()
    person = Visitor.objects.filter(ip=PERSON).first()
    for visitor in Visitor.objects.all():
        VisitorScore.objects.create(
            visitor=visitor, model_version=version, probability=0.3, scored_at=timezone.now()
        )
    CompanyScore.objects.create(
        company=company,
        model_version=version,
        probability=0.3,
        visitor_count=3,
        top_visitor=person,
        scored_at=timezone.now(),
    )
    page = beacons.Beacon("/later", "", "", "", "", "q1w2e3r4t5y6u7i8")
    for ip in (PERSON, OTHER):
        services.accept_beacon(
            beacon=page, ip=ip, user_agent=person.user_agent, visitor_id=ip, now=timezone.now()
        )
    return company


def test_erasing_an_ip_leaves_no_trace_and_keeps_everyone_else(traffic, admin_user):
    erased_ids = set(Visitor.objects.filter(ip=PERSON).values_list("pk", flat=True))
    assert len(erased_ids) == 2
    assert traces([PERSON], {Visitor: erased_ids})  # the check sees them before
    done = erasure.erase_ip(ip=PERSON, by=admin_user, note=f"request 17 about {PERSON}")
    assert traces([PERSON], {Visitor: erased_ids}) == []
    assert done.counts == {
        "visitors": 2,
        "page views": 3,
        "sessions": 2,
        "IP resolutions": 1,
        "overrides": 1,
        "malformed-line samples": 1,
        "queued beacons": 1,
    }
    assert (done.erased_by, done.erased_by_name, done.label) == (admin_user, "ada", "an IP address")
    assert done.note == "request 17 about [erased]"
    other = Visitor.objects.get()
    assert (other.ip, other.pageviews.count()) == (OTHER, 1)
    assert IPResolution.objects.filter(ip=OTHER).exists()
    assert queued() == 1
    assert LogImport.objects.get().malformed_samples == []


def test_erasing_one_visitor_keeps_the_address_of_a_colleague(traffic, admin_user):
    person, colleague = Visitor.objects.filter(ip=PERSON).order_by("pk")
    done = erasure.erase_visitor(visitor_id=person.pk, by=admin_user)
    assert traces([person.user_agent + "x"], {Visitor: {person.pk}}) == []
    assert not Visitor.objects.filter(pk=person.pk).exists()
    assert not PageView.objects.filter(visitor_id=person.pk).exists()
    assert done.counts["visitors"] == 1 and done.counts["queued beacons"] == 1
    # The colleague on the same address keeps it, and its resolution.
    assert Visitor.objects.filter(pk=colleague.pk).exists()
    assert IPResolution.objects.filter(ip=PERSON).exists()
    done = erasure.erase_visitor(visitor_id=colleague.pk, by=admin_user)
    assert traces([PERSON], {Visitor: {person.pk, colleague.pk}}) == []
    assert done.counts["IP resolutions"] == 1


def another_worker_holding(*senders: tuple[str, str]) -> buffer.AcceptBuffer:
    """A buffer like another gunicorn worker's, holding one unsent beacon per (ip, agent)."""
    held = buffer.AcceptBuffer(queue.redis_queue())
    for n, (ip, agent) in enumerate(senders):
        page = beacons.Beacon(f"/held/{n}", "", "", "", "", f"held{n:012d}")
        held.accept(ip, 600, services.hit_payload(page, ip, agent, f"v{n}", timezone.now()))
    return held


@needs_redis
def test_beacons_another_worker_holds_at_an_erasure_are_never_written(traffic, admin_user):
    held = another_worker_holding((PERSON, FIREFOX), (OTHER, FIREFOX))
    erasure.erase_ip(ip=PERSON, by=admin_user)
    held.close()  # the other worker pushes what it held, after the erasure
    services.write_queued_hits()
    assert not Visitor.objects.filter(ip=PERSON).exists()
    assert not PageView.objects.filter(page__path__startswith="/held", visitor__ip=PERSON).exists()
    assert PageView.objects.filter(page__path="/held/1", visitor__ip=OTHER).exists()
    # The person coming back later is a new visit, written as usual.
    later = beacons.Beacon("/back", "", "", "", "", "back000000000001")
    services.accept_beacon(
        beacon=later,
        ip=PERSON,
        user_agent=FIREFOX,
        visitor_id="back",
        now=timezone.now() + dt.timedelta(seconds=2),
    )
    services.write_queued_hits()
    assert PageView.objects.filter(page__path="/back", visitor__ip=PERSON).count() == 1


@needs_redis
def test_an_erased_visitors_held_beacons_go_and_a_colleagues_stay(traffic, admin_user):
    person, colleague = Visitor.objects.filter(ip=PERSON).order_by("pk")
    held = another_worker_holding((PERSON, person.user_agent), (PERSON, colleague.user_agent))
    erasure.erase_visitor(visitor_id=person.pk, by=admin_user)
    held.close()
    services.write_queued_hits()
    assert not Visitor.objects.filter(ip=PERSON, user_agent=person.user_agent).exists()
    written = PageView.objects.filter(page__path__startswith="/held", visitor__ip=PERSON)
    assert list(written.values_list("page__path", "visitor__user_agent")) == [
        ("/held/1", colleague.user_agent)
    ]


def test_erasing_a_contact_scrubs_them_from_notes_touchpoints_tasks_and_alerts(
    traffic, admin_user, rep
):
    contact = Contact.objects.create(
        company=traffic, name="Jane Roe", email="jane.roe@acme.example", phone="+1 555 0100"
    )
    keep = Contact.objects.create(company=traffic, name="Sam Poe", email="sam@acme.example")
    Note.objects.create(company=traffic, author=rep, body="Called Jane Roe about pricing.")
    Touchpoint.objects.create(
        company=traffic,
        contact=contact,
        channel="call",
        outcome="replied",
        happened_on=dt.date(2026, 3, 2),
        summary="jane roe asked for a call back; Sam Poe too",
    )
    Task.objects.create(
        company=traffic,
        contact=contact,
        title="Email jane.roe@acme.example",
        due_on=dt.date(2026, 3, 9),
    )
    Delivery.objects.create(
        channel="webhook",
        user=rep,
        msg_id="msg_1",
        event_type="new_company",
        target="x",
        payload={
            "data": {
                "company": {
                    "contacts": [
                        {
                            "name": "Jane Roe",
                            "email": "jane.roe@acme.example",
                            "phone": "+1 555 0100",
                        },
                        {"name": "Sam Poe", "email": "sam@acme.example", "phone": ""},
                    ]
                }
            }
        },
    )
    delivery = Delivery.objects.get()
    delivery.alerts.create(
        user=rep, kind="new_company", company=traffic, key="k", happened_at=timezone.now()
    )
    values = ["Jane Roe", "jane.roe@acme.example", "+1 555 0100"]
    done = erasure.erase_contact(contact_id=contact.pk, by=admin_user)
    assert traces(values, {Contact: {contact.pk}}) == []
    assert done.counts == {
        "contacts": 1,
        "notes": 1,
        "touchpoints": 1,
        "tasks": 1,
        "alert deliveries": 1,
    }
    assert Note.objects.get().body == "Called [erased] about pricing."
    assert Touchpoint.objects.get().summary == "[erased] asked for a call back; Sam Poe too"
    assert Contact.objects.get() == keep
    assert "sam@acme.example" in str(Delivery.objects.get().payload)


def test_nothing_to_erase_says_so_and_records_nothing(db, admin_user):
    for call, message in (
        (lambda: erasure.erase_ip(ip="not an ip", by=admin_user), "is not an IP address"),
        (lambda: erasure.erase_ip(ip="192.0.2.1", by=admin_user), "Nothing is stored about"),
        (lambda: erasure.erase_visitor(visitor_id=999, by=admin_user), "no visitor 999"),
        (lambda: erasure.erase_contact(contact_id=999, by=admin_user), "no contact 999"),
    ):
        with pytest.raises(erasure.NothingToErase, match=message):
            call()
    assert not Erasure.objects.exists()


def test_the_command_erases_and_names_who_asked(traffic, admin_user):
    out = io.StringIO()
    call_command("erase_person", ip=PERSON, by="ada", stdout=out)
    assert out.getvalue().startswith("Erased an IP address: 2 visitors, 3 page views")
    assert Erasure.objects.get().erased_by_name == "ada"
    with pytest.raises(CommandError, match="no user 'nobody-here'"):
        call_command("erase_person", ip=OTHER, by="nobody-here")


def test_the_admin_page_erases_and_lists_erasures(client, traffic, admin_user):
    client.force_login(admin_user)
    visitor = Visitor.objects.get(ip=OTHER)
    response = client.post(
        reverse("privacy_erase"),
        {"subject": "visitor", "value": str(visitor.pk), "note": "r-9"},
        follow=True,
    )
    page = response.content.decode()
    assert f"Erased visitor {visitor.pk}: 1 visitors" in page
    assert "r-9" in page and "ada" in page
    refused = client.post(reverse("privacy_erase"), {"subject": "visitor", "value": "abc"})
    assert refused.status_code == 400
    assert "A visitor is given by its number." in refused.content.decode()
    missing = client.post(reverse("privacy_erase"), {"subject": "contact", "value": "4242"})
    assert "There is no contact 4242." in missing.content.decode()
