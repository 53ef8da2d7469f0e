"""Generated alliances for benchmarks and load tests. Adds rows until the generated portfolio
has the size asked for; it never touches alliances it did not generate."""

import datetime
import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alliances.choices import (
    AllianceType,
    Direction,
    ManagementModel,
    PartnerKind,
    PurposeQuadrant,
    Role,
    Stage,
    Status,
)
from alliances.models import Alliance, AllianceMembership, CodeSequence, Partner, TherapeuticArea
from alliances.services import ALLIANCE_CODE_SEQUENCE

PREFIX = "seed"
BATCH = 2000


class Command(BaseCommand):
    help = "Generate a portfolio of the given size (benchmarks, load tests)."

    def add_arguments(self, parser):
        parser.add_argument("--alliances", type=int, default=1000)
        parser.add_argument("--partners", type=int, default=400)
        parser.add_argument("--seed", type=int, default=42)

    @transaction.atomic
    def handle(self, *args, alliances: int, partners: int, seed: int, **options):
        rng = random.Random(seed)
        areas = self._areas()
        partner_ids = self._partners(partners, rng)
        users = self._users()
        existing = Alliance.objects.filter(name__startswith=f"{PREFIX.upper()}-").count()
        missing = max(0, alliances - existing)
        if missing:
            self._alliances(missing, existing, rng, areas, partner_ids, users)
        self.stdout.write(
            f"Generated portfolio: {existing + missing} alliances ({missing} added), "
            f"{len(partner_ids)} partners, {len(areas)} areas."
        )

    def _areas(self) -> list[int]:
        for n in range(8):
            TherapeuticArea.objects.get_or_create(
                code=f"{PREFIX}-area-{n}", defaults={"name": f"Generated area {n}"}
            )
        return list(
            TherapeuticArea.objects.filter(code__startswith=f"{PREFIX}-").values_list(
                "pk", flat=True
            )
        )

    def _partners(self, count: int, rng: random.Random) -> list[int]:
        have = set(
            Partner.objects.filter(name__startswith=f"{PREFIX} ").values_list("name", flat=True)
        )
        kinds = PartnerKind.values
        Partner.objects.bulk_create(
            Partner(name=name, kind=rng.choice(kinds), country=rng.choice(["US", "GB", "DE", "JP"]))
            for name in (f"{PREFIX} partner {n:05d}" for n in range(count))
            if name not in have
        )
        return list(
            Partner.objects.filter(name__startswith=f"{PREFIX} ").values_list("pk", flat=True)
        )

    def _users(self) -> list:
        User = get_user_model()
        lead_group = Group.objects.get(name=Role.ALLIANCE_LEAD)
        users = []
        for n in range(40):
            user, created = User.objects.get_or_create(username=f"{PREFIX}-lead-{n:02d}")
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(lead_group)
            users.append(user.pk)
        return users

    def _alliances(self, count, offset, rng, areas, partner_ids, users) -> None:
        CodeSequence.objects.filter(name=ALLIANCE_CODE_SEQUENCE).update(
            last_value=F("last_value") + count
        )
        last = CodeSequence.objects.get(name=ALLIANCE_CODE_SEQUENCE).last_value
        first = last - count + 1
        for start in range(0, count, BATCH):
            batch = []
            for n in range(start, min(start + BATCH, count)):
                begun = date(2015, 1, 1) + timedelta(days=rng.randrange(4000))
                upfront = Decimal(rng.randrange(0, 200)) * 250_000
                batch.append(
                    Alliance(
                        code=f"ALL-{first + n:04d}",
                        name=f"{PREFIX.upper()}-{offset + n:06d}",
                        partner_id=rng.choice(partner_ids),
                        therapeutic_area_id=rng.choice(areas),
                        alliance_type=rng.choice(AllianceType.values),
                        direction=rng.choice(Direction.values),
                        stage=rng.choice(Stage.values),
                        status=rng.choice(Status.values),
                        management_model=rng.choice(ManagementModel.values),
                        purpose_quadrant=rng.choice(PurposeQuadrant.values),
                        lead_id=rng.choice(users),
                        executive_sponsor_id=rng.choice(users),
                        start_date=begun,
                        upfront_payment=upfront,
                        potential_milestones=upfront * 6,
                        currency=rng.choice(["USD", "EUR", "GBP"]),
                        confidential=rng.random() < 0.05,
                    )
                )
            created = Alliance.objects.bulk_create(batch)
            # Registered when they started, as migrated alliances would have been.
            for alliance in created:
                alliance.created_at = timezone.make_aware(
                    datetime.datetime.combine(alliance.start_date, datetime.time(9))
                )
            Alliance.objects.bulk_update(created, ["created_at"])
            AllianceMembership.objects.bulk_create(
                AllianceMembership(alliance=alliance, user_id=rng.choice(users))
                for alliance in created
                if alliance.confidential and alliance.pk
            )
            self.stdout.write(f"  {min(start + BATCH, count)}/{count} alliances")
