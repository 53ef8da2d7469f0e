"""Demo users and, into an empty portfolio only, the demo portfolio. Safe to run again: it never
changes, resets or duplicates anything that exists."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from alliances.choices import Role
from alliances.models import Alliance, CodeSequence, Partner, TherapeuticArea
from alliances.services import ALLIANCE_CODE_SEQUENCE

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo_portfolio.json"

# username, first name, last name, role, staff, superuser
DEMO_USERS = [
    ("head", "Helena", "Marsh", Role.ALLIANCE_HEAD, True, False),
    ("lead", "Leo", "Adeyemi", Role.ALLIANCE_LEAD, True, False),
    ("lead2", "Lina", "Berg", Role.ALLIANCE_LEAD, True, False),
    ("specialist", "Sam", "Okafor", Role.SPECIALIST, True, False),
    ("executive", "Evelyn", "Tran", Role.EXECUTIVE, True, False),
    ("requester", "Ravi", "Iyer", None, False, False),
    ("admin", "Ada", "Admin", None, True, True),
]


def demo_password(username: str) -> str:
    return f"{username}-demo-2026"


class Command(BaseCommand):
    help = "Create the demo users and load the demo portfolio into an empty database."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = self._users()
            loaded = self._portfolio()
        self.stdout.write("")
        if loaded:
            self.stdout.write(self.style.SUCCESS(f"Loaded the demo portfolio from {FIXTURE.name}."))
        else:
            self.stdout.write("The portfolio already has data: demo portfolio not loaded.")
        self.stdout.write("Demo sign-ins (username / password):")
        for username, _, _, role, _, superuser in DEMO_USERS:
            what = "superuser" if superuser else (role.label if role else "requester (no group)")
            note = "" if username in created else "  (existing user: password left as it was)"
            self.stdout.write(f"  {username:<11} {demo_password(username):<22} {what}{note}")
        self.stdout.write("")

    def _users(self) -> set[str]:
        User = get_user_model()
        created = set()
        for username, first, last, role, staff, superuser in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                continue
            user = User.objects.create_user(
                username=username,
                password=demo_password(username),
                first_name=first,
                last_name=last,
                email=f"{username}@example.com",
                is_staff=staff,
                is_superuser=superuser,
            )
            if role:
                user.groups.add(Group.objects.get(name=role))
            created.add(username)
        return created

    def _portfolio(self) -> bool:
        if (
            Alliance.objects.exists()
            or Partner.objects.exists()
            or TherapeuticArea.objects.exists()
        ):
            return False
        call_command("loaddata", str(FIXTURE), verbosity=0)
        codes = Alliance.objects.values_list("code", flat=True)
        number = max((int(re.sub(r"\D", "", code)) for code in codes), default=0)
        CodeSequence.objects.filter(name=ALLIANCE_CODE_SEQUENCE, last_value__lt=number).update(
            last_value=number
        )
        return True
