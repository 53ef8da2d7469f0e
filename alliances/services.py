"""Writes. Keyword-only, atomic, given the acting user, and each writes the activity log.
Callers check permission (alliances.access); services enforce the domain's rules."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from config.errors import DomainError

from . import lifecycle, machines
from .activity import activity_record, initial_changes, update_and_record
from .choices import ManagementModel, Stage, Status, TransitionField
from .models import (
    Alliance,
    AllianceMembership,
    CodeSequence,
    StageTransition,
)
from .transitions import illegal_transition

ALLIANCE_CODE_SEQUENCE = "alliance"


def next_code(*, sequence: str, prefix: str) -> str:
    """The next value of a named counter; the UPDATE holds the row until commit."""
    if not CodeSequence.objects.filter(name=sequence).update(last_value=F("last_value") + 1):
        CodeSequence.objects.get_or_create(name=sequence)
        CodeSequence.objects.filter(name=sequence).update(last_value=F("last_value") + 1)
    value = CodeSequence.objects.values_list("last_value", flat=True).get(name=sequence)
    return f"{prefix}-{value:04d}"


# Reference data ------------------------------------------------------------------------------


@transaction.atomic
def reference_create(*, actor, model, data: dict):
    instance = model(**data)
    instance.full_clean()
    instance.save()
    activity_record(actor=actor, verb="created", target=instance, changes=initial_changes(data))
    return instance


@transaction.atomic
def reference_update(*, actor, instance, data: dict):
    # Compared with the stored row: a caller's copy may already carry the new values.
    stored = type(instance).objects.select_for_update().get(pk=instance.pk)
    return update_and_record(actor=actor, instance=stored, data=data)


@transaction.atomic
def reference_delete(*, actor, instance) -> None:
    """Referenced reference data is protected: the delete raises ProtectedError (409 in_use)."""
    activity_record(actor=actor, verb="deleted", target=instance)
    instance.delete()


# Alliances -----------------------------------------------------------------------------------


@transaction.atomic
def alliance_create(*, actor, data: dict, members: list[dict] | None = None) -> Alliance:
    """Register an existing alliance directly (new ones come through the front door)."""
    alliance = Alliance(**data)
    alliance.code = next_code(sequence=ALLIANCE_CODE_SEQUENCE, prefix="ALL")
    alliance.full_clean()
    alliance.save()
    activity_record(
        actor=actor,
        verb="created",
        target=alliance,
        alliance=alliance,
        changes=initial_changes(data),
    )
    for member in members or []:
        alliance_member_add(actor=actor, alliance=alliance, **member)
    return alliance


@transaction.atomic
def alliance_update(*, actor, alliance: Alliance, data: dict) -> Alliance:
    """Edit descriptive fields; stage, status and model move only through alliance_transition."""
    locked = Alliance.objects.select_for_update().get(pk=alliance.pk)
    before = {locked.lead, locked.executive_sponsor} - {None}
    updated = update_and_record(actor=actor, instance=locked, data=data, alliance=locked)
    # On a confidential alliance, a replaced lead or sponsor who is no longer on the team
    # hands their open work there to the (new) lead: it must not outlive their access.
    if updated.confidential:
        for person in before:
            if not still_on_team(alliance=updated, user=person):
                try:
                    lifecycle.after_departure(
                        alliance=updated, user=person, actor=actor, hand_to=updated.lead
                    )
                except ValidationError as error:
                    raise ValidationError(
                        {
                            "lead": [
                                f"Cannot take over {person.get_username()}'s work here: {m}"
                                for m in error.messages
                            ]
                        }
                    ) from None
    return updated


def _check_move(*, field: str, current: str, to: str, backwards_allowed: bool) -> bool:
    """Refuse an illegal move (409 illegal_transition); True for a stage moved back."""
    if field == TransitionField.STAGE and machines.STAGE_BACK.can(current, to):
        if not backwards_allowed:
            raise illegal_transition(
                machines.STAGE_FORWARD,
                current,
                to,
                detail="Only the head of alliance management can move a stage back.",
            )
        return True
    machine = machines.BY_FIELD[field]
    detail = ""
    if field == TransitionField.STAGE and current != to and not machine.can(current, to):
        following = ", ".join(machine.allowed_from(current)) or "nothing (it is the last)"
        detail = f"The stage moves one step at a time; after {current} comes {following}."
    machine.check(current, to, detail=detail)
    return False


TRANSITION_CHOICES = {
    TransitionField.STAGE: Stage,
    TransitionField.STATUS: Status,
    TransitionField.MANAGEMENT_MODEL: ManagementModel,
}


@transaction.atomic
def alliance_transition(
    *, actor, alliance: Alliance, field: str, to: str, note: str = "", backwards_allowed: bool
) -> Alliance:
    """Move stage, status or management model along its allowed edges, recording the move.

    `backwards_allowed` is whether the actor may move a stage back (the head may)."""
    if to not in TRANSITION_CHOICES[field].values:
        raise ValidationError({"to": [f"“{to}” is not a valid {field.replace('_', ' ')}."]})
    locked = Alliance.objects.select_for_update().get(pk=alliance.pk)
    current = getattr(locked, field)
    backwards = _check_move(
        field=field, current=current, to=to, backwards_allowed=backwards_allowed
    )
    note = note.strip()
    if (field == TransitionField.MANAGEMENT_MODEL or backwards) and not note:
        what = "a management-model change" if not backwards else "moving a stage back"
        raise ValidationError({"note": [f"Say why: a note is required for {what}."]})
    lifecycle.check_transition(alliance=locked, field=field, to=to)
    setattr(locked, field, to)
    locked.save(update_fields=[field, "updated_at"])
    StageTransition.objects.create(
        alliance=locked, field=field, from_value=current, to_value=to, actor=actor, note=note
    )
    activity_record(
        actor=actor,
        verb="transitioned",
        target=locked,
        alliance=locked,
        changes={field: [current, to]},
        note=note,
    )
    lifecycle.after_transition(alliance=locked, field=field, from_value=current, to=to, actor=actor)
    return locked


@transaction.atomic
def alliance_member_add(*, actor, alliance: Alliance, user, role: str) -> AllianceMembership:
    if AllianceMembership.objects.filter(alliance=alliance, user=user).exists():
        raise DomainError("already_member", f"{user.get_username()} is already on this alliance.")
    membership = AllianceMembership(alliance=alliance, user=user, role=role)
    membership.full_clean(validate_unique=False)
    membership.save()
    activity_record(
        actor=actor,
        verb="member_added",
        target=membership,
        alliance=alliance,
        changes={"member": [None, user.pk], "role": [None, role]},
    )
    return membership


@transaction.atomic
def alliance_member_remove(*, actor, membership: AllianceMembership, hand_to=None) -> None:
    """Take someone off the team. Their open work on the alliance goes to `hand_to` if given;
    on a confidential alliance they would no longer see, work they still hold refuses the
    removal (409 member_has_work): work never outlives access."""
    membership = (
        AllianceMembership.objects.select_for_update(of=("self",))
        .select_related("alliance", "user")
        .get(pk=membership.pk)
    )
    alliance, user = membership.alliance, membership.user
    activity_record(
        actor=actor,
        verb="member_removed",
        target=membership,
        alliance=alliance,
        changes={"member": [user.pk, None], "role": [membership.role, None]},
    )
    membership.delete()
    lifecycle.after_departure(alliance=alliance, user=user, actor=actor, hand_to=hand_to)


def still_on_team(*, alliance: Alliance, user) -> bool:
    """On the team by its own rows (lead, sponsor, member), whatever work they hold."""
    return (
        alliance.lead_id == user.pk
        or alliance.executive_sponsor_id == user.pk
        or AllianceMembership.objects.filter(alliance=alliance, user=user).exists()
    )


@transaction.atomic
def alliance_set_confidential(*, actor, alliance: Alliance, confidential: bool, note: str):
    """The head marks an alliance confidential or not, saying why; logged."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": ["Say why the confidentiality changes."]})
    locked = Alliance.objects.select_for_update().get(pk=alliance.pk)
    if locked.confidential == confidential:
        state = "confidential" if confidential else "not confidential"
        raise DomainError("no_change", f"{locked.code} is already {state}.")
    lifecycle.check_confidentiality(alliance=locked, confidential=confidential, actor=actor)
    locked.confidential = confidential
    locked.save(update_fields=["confidential", "updated_at"])
    activity_record(
        actor=actor,
        verb="confidentiality_changed",
        target=locked,
        alliance=locked,
        changes={"confidential": [not confidential, confidential]},
        note=note,
    )
    return locked
