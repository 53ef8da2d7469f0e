import datetime

import factory
from django.utils import timezone

from governance.choices import ActionStatus, BodyKind, CourseKind, MeetingStatus, MemberRole
from governance.models import (
    ActionItem,
    Agreement,
    BodyMember,
    Decision,
    GovernanceBody,
    Meeting,
    Minutes,
    Obligation,
    PartnerContact,
    TrainingCompletion,
    TrainingCourse,
)
from tests.alliances.factories import AllianceFactory, PartnerFactory, UserFactory


class PartnerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerContact

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@partner.example")
    title = "Head of alliances"


class GovernanceBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GovernanceBody

    alliance = factory.SubFactory(AllianceFactory)
    kind = BodyKind.JSC
    name = factory.Sequence(lambda n: f"Joint steering committee {n}")
    min_meetings_per_year = 2


class BodyMemberFactory(factory.django.DjangoModelFactory):
    """An internal member by default; pass contact=... (and user=None) for the partner's side."""

    class Meta:
        model = BodyMember

    body = factory.SubFactory(GovernanceBodyFactory)
    user = factory.SubFactory(UserFactory)
    contact = None
    role = MemberRole.MEMBER


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    body = factory.SubFactory(GovernanceBodyFactory)
    alliance = factory.SelfAttribute("body.alliance")
    title = factory.Sequence(lambda n: f"Meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=60))
    time_zone = "Europe/London"
    duration_minutes = 90
    status = MeetingStatus.SCHEDULED
    created_by = factory.SubFactory(UserFactory)


class MinutesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Minutes

    meeting = factory.SubFactory(MeetingFactory, status=MeetingStatus.HELD)
    text = "Draft minutes."
    drafted_by = factory.SubFactory(UserFactory)
    drafted_at = factory.LazyFunction(timezone.now)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory, status=MeetingStatus.HELD)
    text = factory.Sequence(lambda n: f"Decision {n}")
    outcome = "approved"
    created_by = factory.SubFactory(UserFactory)


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory, status=MeetingStatus.HELD)
    alliance = factory.SelfAttribute("meeting.alliance")
    title = factory.Sequence(lambda n: f"Action {n}")
    owner_user = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    status = ActionStatus.OPEN
    created_by = factory.SubFactory(UserFactory)


class TrainingCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingCourse

    name = factory.Sequence(lambda n: f"Co-chair essentials {n}")
    kind = CourseKind.GOVERNANCE_ROLE
    validity_months = 24


class TrainingCompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingCompletion

    course = factory.SubFactory(TrainingCourseFactory)
    user = factory.SubFactory(UserFactory)
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    expires_on = factory.LazyAttribute(
        lambda o: (
            (o.completed_on + datetime.timedelta(days=30 * o.course.validity_months))
            if o.course.validity_months
            else None
        )
    )
    recorded_by = factory.SubFactory(UserFactory)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    alliance = factory.SubFactory(AllianceFactory)
    kind = "collaboration"
    title = factory.Sequence(lambda n: f"Collaboration and licence agreement {n}")
    status = "executed"
    effective_date = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=400)
    )
    created_by = factory.SubFactory(UserFactory)


class ObligationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Obligation

    agreement = factory.SubFactory(AgreementFactory)
    alliance = factory.SelfAttribute("agreement.alliance")
    kind = "milestone"
    direction = "incoming"
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    amount = "5000000.00"
    currency = "USD"
    status = "due"
    created_by = factory.SubFactory(UserFactory)
