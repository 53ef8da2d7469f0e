import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from alliances.choices import AllianceType, Direction, ManagementModel, PartnerKind, Stage, Status
from alliances.models import Alliance, AllianceMembership, Partner, TherapeuticArea


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests")


class TherapeuticAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TherapeuticArea
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"area-{n}")
    name = factory.LazyAttribute(lambda a: a.code.replace("-", " ").title())


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n} Bio")
    kind = PartnerKind.BIOTECH
    country = "GB"


class AllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alliance

    code = factory.Sequence(lambda n: f"ALL-{n + 9000:04d}")
    name = factory.Sequence(lambda n: f"AURORA-{n}")
    partner = factory.SubFactory(PartnerFactory)
    therapeutic_area = factory.SubFactory(TherapeuticAreaFactory, code="oncology")
    alliance_type = AllianceType.LICENSING
    direction = Direction.IN
    stage = Stage.PRE_POC
    status = Status.ACTIVE
    management_model = ManagementModel.DEDICATED
    lead = factory.SubFactory(UserFactory)
    start_date = datetime.date(2025, 1, 1)
    upfront_payment = Decimal("1000000.00")
    potential_milestones = Decimal("9000000.00")
    currency = "USD"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllianceMembership

    alliance = factory.SubFactory(AllianceFactory)
    user = factory.SubFactory(UserFactory)
