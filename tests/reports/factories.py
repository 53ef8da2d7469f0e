import datetime

import factory

from reports.models import StatusReport
from tests.alliances.factories import AllianceFactory, UserFactory


class StatusReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusReport

    alliance = factory.SubFactory(AllianceFactory)
    month = datetime.date(2026, 10, 1)
    rag = "green"
    trend = "stable"
    headline = factory.Sequence(lambda n: f"On track {n}")
    author = factory.SubFactory(UserFactory)
