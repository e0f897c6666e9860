"""`manage.py erase_person (--ip IP | --visitor N | --contact N) --by USERNAME [--note TEXT]`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from prospects.privacy import erasure


class Command(BaseCommand):
    help = (
        "Erase a person (by IP address, visitor or contact) from every table, and record "
        "what was erased and by whom."
    )

    def add_arguments(self, parser):
        subject = parser.add_mutually_exclusive_group(required=True)
        subject.add_argument("--ip", help="Erase every visitor with this IP address.")
        subject.add_argument("--visitor", type=int, help="Erase this visitor (by number).")
        subject.add_argument("--contact", type=int, help="Erase this contact (by number).")
        parser.add_argument("--by", required=True, help="The username of who asked for it.")
        parser.add_argument("--note", default="", help="Why (a request's reference).")

    def handle(self, *args, **options):
        by = get_user_model().objects.filter(username=options["by"]).first()
        if by is None:
            raise CommandError(f"There is no user {options['by']!r}.")
        kw = {"by": by, "note": options["note"]}
        try:
            if options["ip"] is not None:
                done = erasure.erase_ip(ip=options["ip"], **kw)
            elif options["visitor"] is not None:
                done = erasure.erase_visitor(visitor_id=options["visitor"], **kw)
            else:
                done = erasure.erase_contact(contact_id=options["contact"], **kw)
        except erasure.NothingToErase as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{count} {table}" for table, count in done.counts.items())
        self.stdout.write(f"Erased {done.label}: {summary or 'nothing else was stored'}.")
