"""Check constraints decided in Python (config.constraints) answer as the database would: every
check constraint of every model, on values that pass and values that break it, gives the same
verdict as Django's own check (a query), and a violation is the same 400-ready error."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from config.constraints import PythonCheckedConstraints, _python_check
from resourcing.models import IntakeRequest
from tests.resourcing.factories import IntakeFactory

pytestmark = pytest.mark.django_db

# Values to try in each field, beside the instance's own: the awkward ones.
TRIES = {
    models.CharField: ["", "accepted", "escalated", "met", "waived", "USD", "not-a-choice"],
    models.TextField: ["", "because"],
    models.DecimalField: [None, Decimal("-1"), Decimal("0"), Decimal("5")],
    models.DateField: [None, datetime.date(2026, 1, 1), datetime.date(2026, 2, 15)],
    models.DateTimeField: [None, datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)],
    models.PositiveIntegerField: [None, 0, 3],
    models.IntegerField: [None, 0, 3],
    models.BooleanField: [True, False],
}


def checked_models():
    return [m for m in apps.get_models() if issubclass(m, PythonCheckedConstraints)]


def verdict(check) -> str:
    try:
        check()
    except ValidationError as error:
        return f"violated: {error.messages}"
    return "ok"


def test_every_model_with_check_constraints_is_checked_in_python():
    unchecked = [
        model.__name__
        for model in apps.get_models()
        if model.__module__.split(".")[0] in ("alliances", "resourcing", "governance", "reports")
        and any(isinstance(c, models.CheckConstraint) for c in model._meta.constraints)
        and not issubclass(model, PythonCheckedConstraints)
    ]
    assert unchecked == []


@pytest.mark.parametrize("model", checked_models(), ids=lambda m: m.__name__)
def test_python_and_the_database_agree_on_every_check_constraint(model):
    decided = 0
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        names = {f.name for f in model._meta.local_concrete_fields if not f.primary_key}
        for name in sorted(names):
            field = model._meta.get_field(name)
            tries = next((v for t, v in TRIES.items() if isinstance(field, t)), [None])
            if field.is_relation:
                tries = [None, 1]
            for value in tries:
                instance = model()
                setattr(instance, field.attname, value)
                in_python = verdict(lambda i=instance, c=constraint: _python_check(c, i, set()))
                in_database = verdict(
                    lambda i=instance, c=constraint: c.validate(model, i, exclude=set())
                )
                assert in_python == in_database, (constraint.name, name, value)
                decided += 1
    assert decided or not any(
        isinstance(c, models.CheckConstraint) for c in model._meta.constraints
    )


def test_submitting_a_request_checks_its_constraints_without_a_query(
    django_assert_max_num_queries,
):
    intake = IntakeFactory.build(partner=None, partner_name="", estimated_value=Decimal("5"))
    intake.currency = ""
    with django_assert_max_num_queries(0), pytest.raises(ValidationError) as raised:
        intake.validate_constraints()
    messages = raised.value.message_dict["__all__"]
    assert any("intake_partner_or_name" in m for m in messages)
    assert any("intake_value_has_currency" in m for m in messages)


def test_a_field_left_out_of_validation_skips_its_constraints_as_django_does():
    intake = IntakeRequest(partner=None, partner_name="", status="submitted", complexity="low")
    intake.validate_constraints(exclude={"partner", "partner_name"})
