"""Erase a person: by IP address, by visitor or by contact, with a record of what went.

Each erasure is one transaction. It deletes the rows that are the person (visitors and
everything hanging from them, the IP's resolution and single-IP override, queued tracker
beacons; the contact) and scrubs the places where their data was copied as text (samples of
malformed log lines, notes, touchpoint summaries, task titles, alert payloads). The
`Erasure` row keeps counts only, never the erased values.
"""

import datetime as dt
import ipaddress
import json

import redis
from django.db import transaction
from django.db.models import Q

from prospects.alerts.models import Delivery
from prospects.crm.models import Contact, Note, StatusChange, Task, Touchpoint
from prospects.identify.models import IdentificationOverride, IPResolution
from prospects.tracking import queue
from prospects.tracking.models import QueuedHit
from prospects.visits import ipkeys
from prospects.visits.models import LogImport, PageView, Session, Visitor

from .models import Erasure

ERASED = "[erased]"


class NothingToErase(ValueError):
    """The subject is not in the data (or not valid); the message says which."""


def erase_ip(*, ip: str, by, note: str = "") -> Erasure:
    """Erase every visitor with this IP address and every trace of the address."""
    try:
        ip = str(ipaddress.ip_address(ip.strip()))
    except ValueError as exc:
        raise NothingToErase(f"{ip!r} is not an IP address.") from exc
    with transaction.atomic():
        # Masked visitors of the address are found by its keyed hash (privacy.masking); an
        # unmasked address equal to someone's masked prefix names only its own visitors.
        counts = _erase_visitors(
            Visitor.objects.filter(Q(ip=ip, ip_key=ipkeys.RAW) | Q(ip_key=ipkeys.key(ip)))
        )
        _add(counts, _erase_address(ip))
        if not any(counts.values()):
            raise NothingToErase(f"Nothing is stored about {ip}.")
        return _record(Erasure.Subject.IP, "an IP address", counts, by, note, [ip])


def erase_visitor(*, visitor_id: int, by, note: str = "") -> Erasure:
    """Erase one visitor, and their IP's traces when no other visitor shares the address."""
    with transaction.atomic():
        visitor = Visitor.objects.filter(pk=visitor_id).first()
        if visitor is None:
            raise NothingToErase(f"There is no visitor {visitor_id}.")
        ip, agent, ip_key = visitor.ip, visitor.user_agent, visitor.ip_key
        counts = _erase_visitors(Visitor.objects.filter(pk=visitor_id))
        # A masked visitor left only a prefix: its resolution was dropped, its samples masked;
        # an override of its address, keyed like it, goes when no other visitor has the key.
        if ip_key != ipkeys.RAW and not Visitor.objects.filter(ip_key=ip_key).exists():
            counts["overrides"] = IdentificationOverride.objects.filter(ip_key=ip_key).delete()[0]
        elif ip_key == ipkeys.RAW and Visitor.objects.filter(ip=ip, ip_key=ipkeys.RAW).exists():
            counts["queued beacons"] = _erase_queued(ip, agent)
        elif ip_key == ipkeys.RAW:
            _add(counts, _erase_address(ip))
        return _record(Erasure.Subject.VISITOR, f"visitor {visitor_id}", counts, by, note, [ip])


def erase_contact(*, contact_id: int, by, note: str = "") -> Erasure:
    """Erase a contact and scrub their name, email, phone and profile from the company's text."""
    with transaction.atomic():
        contact = Contact.objects.filter(pk=contact_id).first()
        if contact is None:
            raise NothingToErase(f"There is no contact {contact_id}.")
        needles = [
            value
            for value in (contact.name, contact.email, contact.phone, contact.linkedin_url)
            if len(value.strip()) >= 3
        ]
        company = contact.company_id
        contact.delete()
        counts = {"contacts": 1}
        for label, rows, fields in (
            ("notes", Note.objects.filter(company=company), ["body"]),
            ("touchpoints", Touchpoint.objects.filter(company=company), ["summary"]),
            ("tasks", Task.objects.filter(company=company), ["title"]),
            ("status changes", StatusChange.objects.filter(company=company), ["reason"]),
        ):
            counts[label] = _scrub_rows(rows, fields, needles)
        counts["alert deliveries"] = _scrub_rows(
            Delivery.objects.filter(alerts__company=company).distinct(), ["payload"], needles
        )
        return _record(Erasure.Subject.CONTACT, f"contact {contact_id}", counts, by, note, needles)


def _erase_visitors(visitors) -> dict[str, int]:
    ids = list(visitors.values_list("pk", flat=True))
    counts = {
        "visitors": len(ids),
        "page views": PageView.objects.filter(visitor_id__in=ids).count(),
        "sessions": Session.objects.filter(visitor_id__in=ids).count(),
    }
    # Page views, sessions and scores go with their visitor (on_delete=CASCADE).
    Visitor.objects.filter(pk__in=ids).delete()
    return counts


def _erase_address(ip: str) -> dict[str, int]:
    """Everything kept about an address itself once no visitor has it."""
    resolutions, _ = IPResolution.objects.filter(ip=ip).delete()
    # Its override, the full address's or, once masked, the one keyed by it.
    overrides, _ = (
        IdentificationOverride.objects.filter(kind=IdentificationOverride.Kind.IP)
        .filter(Q(value=ip, ip_key=ipkeys.RAW) | Q(ip_key=ipkeys.key(ip)))
        .delete()
    )
    samples = 0
    for log_import in LogImport.objects.filter(malformed_samples__icontains=ip):
        kept = [s for s in log_import.malformed_samples if ip not in json.dumps(s)]
        samples += len(log_import.malformed_samples) - len(kept)
        log_import.malformed_samples = kept
        log_import.save(update_fields=["malformed_samples"])
    return {
        "IP resolutions": resolutions,
        "overrides": overrides,
        "malformed-line samples": samples,
        "queued beacons": _erase_queued(ip, None),
    }


def _erase_queued(ip: str, agent: str | None) -> int:
    """Tracker beacons still waiting to be written, from `ip` (and `agent` when given)."""

    def theirs(payload: str) -> bool:
        fields = json.loads(payload)
        return fields[0] == ip and (agent is None or fields[7] == agent)

    prefix = json.dumps([ip])[:-1]
    rows = QueuedHit.objects.filter(payload__startswith=prefix)
    ids = [pk for pk, payload in rows.values_list("pk", "payload") if theirs(payload)]
    erased = QueuedHit.objects.filter(pk__in=ids).delete()[0]
    found = queue.redis_queue()
    if found is not None:
        # Beacons this process accepted but has not pushed yet are erased too; those other
        # processes hold are refused by the writer (the mark).
        found.buffer.flush()
        try:
            found.mark_erased(ip, agent, dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"))
            for payload in found.redis.lrange(queue.LIST, 0, -1):
                if theirs(payload.decode()):
                    erased += found.redis.lrem(queue.LIST, 0, payload)
        except redis.RedisError:
            pass
    return erased


def _scrub_rows(rows, fields: list[str], needles: list[str]) -> int:
    """Replace the needles in these text or JSON fields; how many rows changed."""
    if not needles:
        return 0
    match = Q()
    for field in fields:
        for needle in needles:
            match |= Q(**{f"{field}__icontains": needle})
    changed = 0
    for row in rows.filter(match):
        for field in fields:
            setattr(row, field, _scrub(getattr(row, field), needles))
        row.save(update_fields=fields)
        changed += 1
    return changed


def _scrub(value, needles: list[str]):
    if isinstance(value, str):
        for needle in needles:
            if needle.lower() in value.lower():
                value = ERASED if len(value) < len(needle) * 2 else _replace(value, needle)
        return value
    if isinstance(value, list):
        return [_scrub(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, needles) for key, item in value.items()}
    return value


def _replace(text: str, needle: str) -> str:
    lowered, low_needle, out, start = text.lower(), needle.lower(), [], 0
    while (found := lowered.find(low_needle, start)) >= 0:
        out += [text[start:found], ERASED]
        start = found + len(needle)
    return "".join([*out, text[start:]])


def _add(counts: dict, more: dict) -> None:
    for key, value in more.items():
        counts[key] = counts.get(key, 0) + value


def _record(subject: str, label: str, counts: dict, by, note: str, needles: list[str]) -> Erasure:
    """The record of an erasure; a note that repeats the erased values loses them too."""
    name = by.get_username() if by is not None else "command line"
    return Erasure.objects.create(
        subject=subject,
        label=label,
        erased_by=by,
        erased_by_name=name,
        counts={key: value for key, value in counts.items() if value},
        note=_scrub(note, needles)[:500],
    )
