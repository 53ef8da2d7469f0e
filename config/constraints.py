"""Check constraints validated in Python where they can be.

`full_clean()` checks every CheckConstraint with a query of its own, each inside a savepoint:
three round trips per constraint, eighteen of the thirty-six statements of submitting an intake
request. The conditions here are simple (a choice among values, a value present or absent, one
date not before another), so `PythonCheckedConstraints.validate_constraints` decides them from
the instance, with SQL's three-valued logic (a comparison with NULL is unknown, and an unknown
condition passes, as Django's `Coalesce(condition, True)` does). Anything else (another lookup,
a transform, an expression, a related field's column) goes to Django's own check, as do unique
constraints. The database keeps every constraint either way: this only decides how quickly a
bad value becomes a 400 naming it.
"""

import operator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import router
from django.db.models import CheckConstraint, F, Q

_COMPARE = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
_LOOKUPS = {"exact", "isnull", "in", *_COMPARE}
_TRANSFORMS = {"day", "month", "year"}


class _Unsupported(Exception):
    """The condition needs the database."""


class _Excluded(Exception):
    """The condition names a field left out of validation: Django skips the constraint."""


def check_in_python(condition: Q, instance, exclude) -> bool | None:
    """True, False or None (unknown) for `condition` on the instance's own values; raises
    _Unsupported for a condition it cannot decide, _Excluded as Django's check would skip."""
    results = [
        check_in_python(child, instance, exclude)
        if isinstance(child, Q)
        else _lookup(child[0], child[1], instance, exclude)
        for child in condition.children
    ]
    if condition.connector == Q.AND:
        result = False if False in results else None if None in results else True
    elif condition.connector == Q.OR:
        result = True if True in results else None if None in results else False
    else:
        raise _Unsupported
    if condition.negated:
        return None if result is None else not result
    return result


def _value(name: str, instance, exclude):
    meta = instance._meta
    if name == "pk":
        if "pk" in exclude:
            raise _Excluded
        return instance.pk
    try:
        field = meta.get_field(name)
    except FieldDoesNotExist:
        raise _Unsupported from None
    if field.name != name or not field.concrete or field.generated:
        raise _Unsupported
    if field not in meta.local_concrete_fields:
        raise _Unsupported
    if field.name in exclude:
        raise _Excluded
    value = getattr(instance, field.attname)
    if hasattr(value, "resolve_expression"):
        raise _Unsupported
    return value


def _lookup(path: str, wanted, instance, exclude) -> bool | None:
    name, *rest = path.split("__")
    transform = rest.pop(0) if rest and rest[0] in _TRANSFORMS else None
    lookup = rest.pop(0) if rest else "exact"
    if rest or lookup not in _LOOKUPS:
        raise _Unsupported
    value = _value(name, instance, exclude)
    # `field=None` means IS NULL; a column that holds NULL compares as unknown.
    literal_none = wanted is None
    if isinstance(wanted, F):
        wanted = _value(wanted.name, instance, exclude)
    elif hasattr(wanted, "resolve_expression"):
        raise _Unsupported
    elif hasattr(wanted, "_meta"):  # a model instance stands for its primary key
        wanted = wanted.pk
    if transform is not None and value is not None:
        value = getattr(value, transform)
    if lookup == "isnull":
        return (value is None) == bool(wanted)
    if lookup == "exact" and literal_none:
        return value is None
    if value is None:
        return None
    if lookup == "in":
        return value in [item for item in wanted if item is not None]
    if wanted is None:
        return None
    try:
        return value == wanted if lookup == "exact" else _COMPARE[lookup](value, wanted)
    except TypeError:
        raise _Unsupported from None


class PythonCheckedConstraints:
    """For models: Django's validate_constraints, with check constraints decided in Python
    where they can be (see the module's docstring)."""

    def validate_constraints(self, exclude=None):
        exclude = set(exclude or ())
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    if not _python_check(constraint, self, exclude):
                        constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


def _python_check(constraint, instance, exclude) -> bool:
    """True if the constraint was decided here (raising ValidationError if violated); False
    if Django must check it."""
    if type(constraint) is not CheckConstraint:
        return False
    try:
        result = check_in_python(Q(constraint.condition), instance, exclude)
    except _Unsupported:
        return False
    except _Excluded:
        return True
    if result is False:
        raise ValidationError(
            constraint.get_violation_error_message(), code=constraint.violation_error_code
        )
    return True
