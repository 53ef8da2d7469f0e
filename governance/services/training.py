"""Training for governance roles: courses (the head's reference data) and completions per
user, each expiring `validity_months` after it was completed; keyword-only, atomic, logged."""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from alliances.activity import activity_record, apply_changes, initial_changes
from alliances.calendar import today

from ..models import TrainingCompletion, TrainingCourse


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day where it is shorter (31 Jan + 1 month
    is 28 or 29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def expiry(*, completed_on: datetime.date, validity_months: int | None) -> datetime.date | None:
    return add_months(completed_on, validity_months) if validity_months else None


@transaction.atomic
def course_create(*, actor, data: dict) -> TrainingCourse:
    course = TrainingCourse(**data)
    course.full_clean()
    course.save()
    activity_record(actor=actor, verb="created", target=course, changes=initial_changes(data))
    return course


@transaction.atomic
def course_update(*, actor, course: TrainingCourse, data: dict) -> TrainingCourse:
    """A change of validity moves the expiry of every completion of the course with it."""
    locked = TrainingCourse.objects.select_for_update().get(pk=course.pk)
    changes = apply_changes(locked, data)
    if not changes:
        return locked
    locked.full_clean()
    locked.save()
    note = ""
    if "validity_months" in changes:
        completions = list(TrainingCompletion.objects.filter(course=locked))
        for completion in completions:
            completion.expires_on = expiry(
                completed_on=completion.completed_on, validity_months=locked.validity_months
            )
        TrainingCompletion.objects.bulk_update(completions, ["expires_on"], batch_size=500)
        note = f"Expiry recomputed for {len(completions)} completion(s)."
    activity_record(actor=actor, verb="updated", target=locked, changes=changes, note=note)
    return locked


@transaction.atomic
def course_delete(*, actor, course: TrainingCourse) -> None:
    """Only a course nobody has completed (a completion protects it: 409 in_use)."""
    activity_record(actor=actor, verb="deleted", target=course)
    course.delete()


@transaction.atomic
def completion_record(*, actor, data: dict) -> TrainingCompletion:
    """`data`: course, user, completed_on (not after today); the expiry follows the course."""
    course, user, completed_on = data["course"], data["user"], data["completed_on"]
    errors = {}
    if completed_on > today():
        errors["completed_on"] = ["A course is recorded once completed: give today or earlier."]
    elif TrainingCompletion.objects.filter(
        course=course, user=user, completed_on=completed_on
    ).exists():
        errors["completed_on"] = [
            f"{user.get_username()} already has {course.name} recorded on {completed_on}."
        ]
    if errors:
        raise ValidationError(errors)
    completion = TrainingCompletion(
        course=course,
        user=user,
        completed_on=completed_on,
        expires_on=expiry(completed_on=completed_on, validity_months=course.validity_months),
        recorded_by=actor,
    )
    completion.full_clean()
    completion.save()
    activity_record(
        actor=actor,
        verb="training_recorded",
        target=completion,
        changes=initial_changes({**data, "expires_on": completion.expires_on}),
    )
    return completion


@transaction.atomic
def completion_delete(*, actor, completion: TrainingCompletion) -> None:
    """A completion recorded in error."""
    activity_record(
        actor=actor,
        verb="training_deleted",
        target=completion,
        changes={
            "course": [completion.course_id, None],
            "user": [completion.user_id, None],
            "completed_on": [completion.completed_on.isoformat(), None],
        },
    )
    completion.delete()
