"""Demo users and the demo data sets, each loaded only into empty tables. Safe to run again:
it never changes, resets or duplicates anything that exists."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from alliances.choices import Role

FIXTURES = Path(settings.BASE_DIR) / "fixtures"

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


def _empty(labels: list[str]) -> bool:
    return not any(apps.get_model(label).objects.exists() for label in labels)


class Command(BaseCommand):
    help = "Create the demo users and load each demo data set whose tables are empty."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "load_demo creates demo users with published passwords and is refused on these "
                "settings (DEMO_DATA_ALLOWED is off, as in config.settings.production). Load "
                "the playbooks with `manage.py loaddata fixtures/playbooks.json` instead."
            )
        with transaction.atomic():
            created = self._users()
        loaded = set()
        for data_set in settings.DEMO_DATA:
            name = data_set["name"]
            if not _empty(data_set["only_into_empty"]):
                self.stdout.write(f"{name}: already has data, not loaded.")
                continue
            if not set(data_set.get("needs", [])) <= loaded:
                self.stdout.write(f"{name}: not loaded (it builds on demo data not loaded now).")
                continue
            with transaction.atomic():
                if "fixture" in data_set:
                    call_command("loaddata", str(FIXTURES / data_set["fixture"]), verbosity=0)
                else:
                    import_string(data_set["build"])()
                if "after" in data_set:
                    import_string(data_set["after"])()
            loaded.add(name)
            source = data_set.get("fixture", "generated")
            self.stdout.write(self.style.SUCCESS(f"{name}: loaded ({source})."))
        self.stdout.write("")
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
