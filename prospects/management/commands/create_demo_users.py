"""Create one demo user per role and print their logins (safe to run again)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from prospects.roles import ADMIN, REP, RESEARCHER

# (user name, role, full name, demo password): for the local demo only.
DEMO_USERS = [
    ("researcher", RESEARCHER, "Rita Researcher", "research-demo-2026"),
    ("rep", REP, "Oscar Outreach", "outreach-demo-2026"),
    ("admin", ADMIN, "Ada Admin", "admin-demo-2026"),
]


class Command(BaseCommand):
    help = "Create one demo user per role (researcher, outreach rep, admin) and print their logins."

    @transaction.atomic
    def handle(self, *args, **options):
        users = get_user_model()
        self.stdout.write("Demo logins (local demo only):")
        for username, role, full_name, password in DEMO_USERS:
            first, last = full_name.split(" ", 1)
            user, created = users.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                },
            )
            user.set_password(password)
            # Admins also get the Django admin; everyone else stays out of it.
            user.is_staff = user.is_superuser = role == ADMIN
            user.save()
            user.groups.add(Group.objects.get(name=role))
            state = "created" if created else "updated"
            self.stdout.write(f"  {role:<13} user: {username:<11} password: {password}  ({state})")
