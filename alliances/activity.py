"""The activity log's one writer. Services call it inside their transaction, so a change and
its trail are written together or not at all."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from config.request_id import get_request_id

from .models import ActivityLog, Alliance


def plain(value):
    """A JSON-friendly form of a field value: objects by id, decimals and dates as strings."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)  # e.g. a Country


def apply_changes(instance: models.Model, data: dict) -> dict:
    """Set `data` on `instance`; return {field: [before, after]} for the fields that changed."""
    changes = {}
    for name, value in data.items():
        field = instance._meta.get_field(name)
        before = getattr(instance, field.attname if field.is_relation else name)
        after = plain(value)
        if plain(before) != after:
            changes[name] = [plain(before), after]
        setattr(instance, name, value)
    return changes


def initial_changes(data: dict) -> dict:
    return {name: [None, plain(value)] for name, value in data.items()}


def activity_entry(
    *,
    actor,
    verb: str,
    target: models.Model,
    alliance: Alliance | None = None,
    changes: dict | None = None,
    note: str = "",
) -> ActivityLog:
    """An unsaved activity row, for activity_record_many."""
    return ActivityLog(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        object_repr=str(target)[:200],
        alliance=alliance,
        changes=changes or {},
        note=note,
        request_id=get_request_id(),
    )


def activity_record(
    *,
    actor,
    verb: str,
    target: models.Model,
    alliance: Alliance | None = None,
    changes: dict | None = None,
    note: str = "",
) -> ActivityLog:
    entry = activity_entry(
        actor=actor, verb=verb, target=target, alliance=alliance, changes=changes, note=note
    )
    entry.save(force_insert=True)
    return entry


def activity_record_many(entries: list[ActivityLog]) -> list[ActivityLog]:
    """Several activity_entry rows in one insert, kept in the order given."""
    return ActivityLog.objects.bulk_create(entries)


def update_and_record(*, actor, instance, data: dict, verb: str = "updated", alliance=None):
    """Apply `data` to a (locked) instance; if anything changed, validate, save and log it."""
    changes = apply_changes(instance, data)
    if changes:
        instance.full_clean()
        instance.save()
        activity_record(actor=actor, verb=verb, target=instance, alliance=alliance, changes=changes)
    return instance
