import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from resourcing.choices import Anchor, IntakeStatus, TaskStatus
from resourcing.models import (
    Assignment,
    IntakeRequest,
    LeavePeriod,
    Service,
    Specialist,
    Task,
    TaskTemplate,
)
from tests.alliances.factories import (
    AllianceFactory,
    PartnerFactory,
    TherapeuticAreaFactory,
    UserFactory,
)


def service(code: str) -> Service:
    """The services exist from a migration; tests refer to them by code."""
    return Service.objects.get_or_create(code=code, defaults={"name": code.title()})[0]


class TaskTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskTemplate

    service = factory.LazyFunction(lambda: service("startup"))
    title = factory.Sequence(lambda n: f"Step {n}")
    anchor = Anchor.START
    offset_days = 10
    effort_hours = Decimal("8.0")


class SpecialistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialist
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    weekly_capacity_hours = Decimal("30.0")
    wip_limit = 20

    @factory.post_generation
    def services(self, create, codes, **kwargs):
        if create:
            self.services.set([service(code) for code in (codes or ["startup"])])

    @factory.post_generation
    def areas(self, create, codes, **kwargs):
        if create and codes:
            self.therapeutic_areas.set([TherapeuticAreaFactory(code=code) for code in codes])


class LeaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeavePeriod

    specialist = factory.SubFactory(SpecialistFactory)
    start = datetime.date(2027, 1, 4)
    end = datetime.date(2027, 1, 8)


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeRequest
        skip_postgeneration_save = True

    requester = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Partnership {n}")
    partner = factory.SubFactory(PartnerFactory)
    partner_name = ""
    therapeutic_area = factory.SubFactory(TherapeuticAreaFactory, code="oncology")
    alliance_type = "licensing"
    direction = "in"
    description = "An antibody for a solid tumour."
    differentiating = True
    mission_critical = True
    complexity = "medium"
    estimated_value = Decimal("10000000.00")
    currency = "USD"
    desired_start_date = datetime.date(2027, 2, 1)
    status = IntakeStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    sla_due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=5))

    @factory.post_generation
    def services(self, create, codes, **kwargs):
        if create:
            self.requested_services.set([service(code) for code in (codes or ["startup"])])


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    alliance = factory.SubFactory(AllianceFactory)
    service = factory.LazyFunction(lambda: service("startup"))
    specialist = factory.SubFactory(SpecialistFactory)
    assignee = factory.LazyAttribute(lambda a: a.specialist.user)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    alliance = factory.SubFactory(AllianceFactory)
    service = factory.LazyFunction(lambda: service("startup"))
    title = factory.Sequence(lambda n: f"Task {n}")
    assignee = factory.SubFactory(UserFactory)
    status = TaskStatus.OPEN
    due_date = datetime.date(2027, 2, 10)
    effort_hours = Decimal("4.0")
