"""Generated specialists, assignments and open work on the generated portfolio, for benchmarks.
Adds rows until there are as many as asked for; never touches rows it did not generate."""

import datetime
import random
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from alliances.choices import Role
from alliances.models import Alliance, TherapeuticArea
from resourcing.choices import OPEN_WORK, Priority
from resourcing.models import Assignment, IntakeRequest, Service, Specialist, Task, TaskTemplate

PREFIX = "seed-specialist"
BATCH = 5000


class Command(BaseCommand):
    help = "Generate specialists and open tasks on the generated portfolio (seed_portfolio first)."

    def add_arguments(self, parser):
        parser.add_argument("--specialists", type=int, default=500)
        parser.add_argument("--tasks", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=7)

    @transaction.atomic
    def handle(self, *args, specialists: int, tasks: int, seed: int, **options):
        rng = random.Random(seed)
        alliances = list(
            Alliance.objects.filter(name__startswith="SEED-").values_list("pk", "partner_id")
        )
        if not alliances:
            raise CommandError("No generated alliances: run seed_portfolio first.")
        if not TaskTemplate.objects.exists():
            call_command("loaddata", str(Path(settings.BASE_DIR) / "fixtures" / "playbooks.json"))
        services = list(Service.objects.all())
        areas = list(TherapeuticArea.objects.all())
        people = self._specialists(specialists, rng, services, areas)
        self._assignments(rng, people, alliances, services)
        self._tasks(tasks, rng, people, alliances, services)
        self._intake(rng, services, areas, alliances)
        open_count = Task.objects.filter(
            status__in=OPEN_WORK, title__startswith="Generated"
        ).count()
        self.stdout.write(f"Generated: {len(people)} specialists, {open_count} open tasks.")

    def _specialists(self, count, rng, services, areas) -> list[Specialist]:
        User = get_user_model()
        group = Group.objects.get(name=Role.SPECIALIST)
        have = Specialist.objects.filter(user__username__startswith=PREFIX).count()
        for n in range(have, count):
            user = User.objects.create(username=f"{PREFIX}-{n:04d}", first_name="Generated")
            user.groups.add(group)
            person = Specialist.objects.create(
                user=user,
                weekly_capacity_hours=Decimal(rng.choice([20, 30, 37.5])),
                wip_limit=rng.choice([150, 200, 300]),
                active=rng.random() > 0.05,
            )
            person.services.set(rng.sample(services, k=rng.randint(1, 3)))
            person.therapeutic_areas.set(rng.sample(areas, k=min(len(areas), 2)))
        return list(
            Specialist.objects.filter(user__username__startswith=PREFIX).prefetch_related(
                "services"
            )
        )

    def _assignments(self, rng, people, alliances, services) -> None:
        if Assignment.objects.filter(assignee__username__startswith=PREFIX).exists():
            return
        rows, seen = [], set()
        for _ in range(len(people) * 4):
            person = rng.choice(people)
            service = rng.choice(list(person.services.all()))
            alliance_id, _partner = rng.choice(alliances)
            if (alliance_id, service.pk) in seen:
                continue
            seen.add((alliance_id, service.pk))
            rows.append(
                Assignment(
                    alliance_id=alliance_id,
                    service=service,
                    specialist=person,
                    assignee_id=person.user_id,
                )
            )
        created = Assignment.objects.bulk_create(rows)
        start = timezone.now() - datetime.timedelta(days=400)
        for n, assignment in enumerate(created):
            assignment.created_at = start + datetime.timedelta(hours=n)
        Assignment.objects.bulk_update(created, ["created_at"], batch_size=BATCH)

    def _tasks(self, count, rng, people, alliances, services) -> None:
        have = Task.objects.filter(title__startswith="Generated").count()
        today = timezone.localdate()
        for start in range(have, count, BATCH):
            Task.objects.bulk_create(
                Task(
                    alliance_id=rng.choice(alliances)[0],
                    service=rng.choice(services),
                    title=f"Generated task {n}",
                    assignee_id=rng.choice(people).user_id,
                    status=rng.choice(OPEN_WORK),
                    blocked_reason="Waiting for legal",
                    due_date=today + datetime.timedelta(days=rng.randint(-30, 200)),
                    effort_hours=Decimal(rng.randint(1, 16)),
                    priority=rng.choice(Priority.values),
                )
                for n in range(start, min(start + BATCH, count))
            )
            self.stdout.write(f"  {min(start + BATCH, count)}/{count} tasks")

    def _intake(self, rng, services, areas, alliances) -> None:
        if IntakeRequest.objects.filter(title__startswith="Generated").exists():
            return
        requester = get_user_model().objects.filter(username__startswith="seed-lead").first()
        now = timezone.now()
        intake = IntakeRequest.objects.create(
            requester=requester,
            title="Generated intake for benchmarks",
            partner_id=alliances[0][1],
            therapeutic_area=areas[0],
            alliance_type="licensing",
            direction="in",
            description="Benchmark request.",
            differentiating=True,
            mission_critical=False,
            complexity="high",
            estimated_value=Decimal("60000000"),
            currency="USD",
            desired_start_date=timezone.localdate() + datetime.timedelta(days=14),
            submitted_at=now,
            sla_due=timezone.localdate() + datetime.timedelta(days=3),
        )
        intake.requested_services.set(services[:3])
