"""Committees, their members from both sides, and the people at the partner who sit on them."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from alliances.activity import activity_record, apply_changes, initial_changes
from alliances.choices import Status as AllianceStatus
from config.errors import DomainError

from ..choices import MemberRole, Side
from ..models import BodyMember, GovernanceBody, PartnerContact

# Partner contacts ----------------------------------------------------------------------------


def _save(instance, *, field: str, message: str) -> None:
    """Save; a unique constraint the check before missed (a race, or a database that folds
    case differently) is a 400 on `field`, not a 500."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ValidationError({field: [message]}) from error


def _refuse_duplicate_email(*, partner, email: str, exclude=None) -> None:
    if not email:
        return
    clash = PartnerContact.objects.filter(partner=partner, email__iexact=email)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"email": [f"{partner} already has a contact with this email."]})


@transaction.atomic
def partner_contact_create(*, actor, data: dict) -> PartnerContact:
    _refuse_duplicate_email(partner=data["partner"], email=data.get("email", ""))
    contact = PartnerContact(**data)
    contact.full_clean(validate_constraints=False)
    _save(contact, field="email", message="This partner already has a contact with this email.")
    activity_record(actor=actor, verb="created", target=contact, changes=initial_changes(data))
    return contact


@transaction.atomic
def partner_contact_update(*, actor, contact: PartnerContact, data: dict) -> PartnerContact:
    locked = PartnerContact.objects.select_for_update().get(pk=contact.pk)
    if "email" in data:
        _refuse_duplicate_email(partner=locked.partner, email=data["email"], exclude=locked)
    changes = apply_changes(locked, data)
    if changes:
        locked.full_clean(validate_constraints=False)
        _save(locked, field="email", message="This partner already has a contact with this email.")
        activity_record(actor=actor, verb="updated", target=locked, changes=changes)
    return locked


# Bodies --------------------------------------------------------------------------------------


def _refuse_closed(alliance) -> None:
    if alliance.status == AllianceStatus.CLOSED:
        raise DomainError(
            "alliance_closed", f"{alliance.code} is closed: it takes no new committees or meetings."
        )


def _check_name(*, alliance, name: str, exclude=None) -> None:
    clash = GovernanceBody.objects.filter(alliance=alliance, name__iexact=name.strip())
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"name": [f"{alliance.code} already has a body named “{name}”."]})


def _check_parent(*, body: GovernanceBody, parent: GovernanceBody | None) -> None:
    """The parent is on the same alliance and its escalation path never comes back to `body`."""
    if parent is None:
        return
    if parent.alliance_id != body.alliance_id:
        raise ValidationError(
            {"parent": [f"“{parent.name}” belongs to another alliance; escalate within this one."]}
        )
    if body.pk is None:
        return
    if parent.pk == body.pk:
        raise ValidationError({"parent": ["A body cannot escalate to itself."]})
    # The whole alliance's escalation tree in one query; walk it from the new parent upwards.
    parents = dict(
        GovernanceBody.objects.filter(alliance_id=body.alliance_id).values_list("pk", "parent_id")
    )
    names = dict(
        GovernanceBody.objects.filter(alliance_id=body.alliance_id).values_list("pk", "name")
    )
    step, seen = parent.pk, set()
    while step is not None and step not in seen:
        seen.add(step)
        following = parents.get(step)
        if following == body.pk:
            path = "" if step == parent.pk else f" through “{names[step]}”"
            raise ValidationError(
                {
                    "parent": [
                        f"“{parent.name}” already escalates to “{body.name}”{path}: "
                        "this parent would make a loop."
                    ]
                }
            )
        step = following


def _check_dates(data: dict) -> None:
    chartered, dissolved = data.get("chartered_on"), data.get("dissolved_on")
    if chartered and dissolved and dissolved < chartered:
        raise ValidationError({"dissolved_on": ["A body is dissolved on or after its charter."]})


@transaction.atomic
def body_create(*, actor, data: dict) -> GovernanceBody:
    alliance = data["alliance"]
    _refuse_closed(alliance)
    _check_name(alliance=alliance, name=data["name"])
    _check_dates(data)
    body = GovernanceBody(**data)
    _check_parent(body=body, parent=data.get("parent"))
    body.full_clean(validate_constraints=False)
    _save(body, field="name", message="The alliance already has a body with this name.")
    activity_record(
        actor=actor, verb="created", target=body, alliance=alliance, changes=initial_changes(data)
    )
    return body


@transaction.atomic
def body_update(*, actor, body: GovernanceBody, data: dict) -> GovernanceBody:
    locked = GovernanceBody.objects.select_for_update().select_related("alliance").get(pk=body.pk)
    if "name" in data:
        _check_name(alliance=locked.alliance, name=data["name"], exclude=locked)
    if "parent" in data:
        _check_parent(body=locked, parent=data["parent"])
    _check_dates(
        {
            "chartered_on": data.get("chartered_on", locked.chartered_on),
            "dissolved_on": data.get("dissolved_on", locked.dissolved_on),
        }
    )
    changes = apply_changes(locked, data)
    if changes:
        locked.full_clean(validate_constraints=False)
        _save(locked, field="name", message="The alliance already has a body with this name.")
        activity_record(
            actor=actor, verb="updated", target=locked, alliance=locked.alliance, changes=changes
        )
    return locked


@transaction.atomic
def body_delete(*, actor, body: GovernanceBody) -> None:
    """Only a body that never met, has no body below it and took no escalation goes; anything
    else is part of the record and is dissolved instead (set `dissolved_on`)."""
    locked = GovernanceBody.objects.select_for_update().select_related("alliance").get(pk=body.pk)
    uses = [
        (locked.meetings.exists(), "has meetings"),
        (locked.children.exists(), "has bodies escalating to it"),
        (locked.escalations.exists(), "received escalated decisions"),
    ]
    reasons = [reason for used, reason in uses if used]
    if reasons:
        raise DomainError(
            "body_in_use",
            f"“{locked.name}” {' and '.join(reasons)}: dissolve it (set dissolved_on) instead.",
        )
    activity_record(
        actor=actor,
        verb="deleted",
        target=locked,
        alliance=locked.alliance,
        changes={"name": [locked.name, None]},
    )
    locked.delete()


# Members -------------------------------------------------------------------------------------


def _person(member: BodyMember) -> str:
    if member.user_id:
        return member.user.get_full_name() or member.user.get_username()
    return f"{member.contact.name} ({member.contact.partner})"


def _refuse_second_co_chair(*, body: GovernanceBody, side: str, exclude=None) -> None:
    holders = body.members.filter(role=MemberRole.CO_CHAIR).select_related("user", "contact")
    holders = holders.filter(user__isnull=side == Side.PARTNER)
    if exclude is not None:
        holders = holders.exclude(pk=exclude.pk)
    holder = holders.first()
    if holder is not None:
        whose = "the partner's" if side == Side.PARTNER else "our"
        raise DomainError(
            "co_chair_taken",
            f"“{body.name}” already has {whose} co-chair: {_person(holder)}. "
            "Change their role first; each side has one co-chair.",
            member=holder.pk,
            side=side,
        )


def _check_person(*, body: GovernanceBody, user, contact) -> None:
    if (user is None) == (contact is None):
        raise ValidationError(
            {"user": ["Give either user (one of ours) or contact (at the partner), not both."]}
        )
    if user is not None:
        if not user.is_active:
            raise ValidationError({"user": [f"{user.get_username()} is not active."]})
        if body.members.filter(user=user).exists():
            raise ValidationError({"user": [f"{user.get_username()} is already on this body."]})
        return
    if contact.partner_id != body.alliance.partner_id:
        raise ValidationError(
            {
                "contact": [
                    f"{contact.name} works at {contact.partner}, not at this alliance's partner "
                    f"({body.alliance.partner})."
                ]
            }
        )
    if body.members.filter(contact=contact).exists():
        raise ValidationError({"contact": [f"{contact.name} is already on this body."]})


def _locked_body(body: GovernanceBody) -> GovernanceBody:
    return (
        GovernanceBody.objects.select_for_update(of=("self",))
        .select_related("alliance__partner")
        .get(pk=body.pk)
    )


@transaction.atomic
def body_member_add(
    *, actor, body: GovernanceBody, role: str, user=None, contact=None
) -> BodyMember:
    locked = _locked_body(body)
    _check_person(body=locked, user=user, contact=contact)
    side = Side.INTERNAL if user is not None else Side.PARTNER
    if role == MemberRole.CO_CHAIR:
        _refuse_second_co_chair(body=locked, side=side)
    member = BodyMember.objects.create(body=locked, user=user, contact=contact, role=role)
    activity_record(
        actor=actor,
        verb="member_added",
        target=locked,
        alliance=locked.alliance,
        changes={
            "member": [None, member.pk],
            "user" if user is not None else "contact": [None, (user or contact).pk],
            "role": [None, role],
        },
    )
    return member


@transaction.atomic
def body_member_update(*, actor, member: BodyMember, role: str) -> BodyMember:
    body = _locked_body(member.body)
    locked = BodyMember.objects.select_related("user", "contact").get(pk=member.pk)
    if role == MemberRole.CO_CHAIR and locked.role != role:
        _refuse_second_co_chair(body=body, side=locked.side, exclude=locked)
    changes = apply_changes(locked, {"role": role})
    if changes:
        locked.save()
        activity_record(
            actor=actor,
            verb="member_updated",
            target=body,
            alliance=body.alliance,
            changes={"member": [locked.pk, locked.pk], **changes},
        )
    return locked


@transaction.atomic
def body_member_remove(*, actor, member: BodyMember) -> None:
    body = _locked_body(member.body)
    activity_record(
        actor=actor,
        verb="member_removed",
        target=body,
        alliance=body.alliance,
        changes={
            "member": [member.pk, None],
            "user" if member.user_id else "contact": [member.user_id or member.contact_id, None],
            "role": [member.role, None],
        },
    )
    member.delete()
