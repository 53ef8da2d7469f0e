"""The private calendar address: made on first use, made anew (retiring the old one) or revoked
by its owner. The secret is never written to the activity log."""

import secrets

from django.db import transaction

from alliances.activity import activity_record

from ..models import CalendarFeed


def new_secret() -> str:
    """256 random bits, URL-safe: 43 characters."""
    return secrets.token_urlsafe(32)


@transaction.atomic
def calendar_feed_get_or_create(*, actor) -> CalendarFeed:
    """The actor's address; the first call makes it."""
    feed, created = CalendarFeed.objects.get_or_create(
        user=actor, defaults={"secret": new_secret()}
    )
    if created:
        activity_record(actor=actor, verb="created", target=feed)
    return feed


@transaction.atomic
def calendar_feed_renew(*, actor) -> CalendarFeed:
    """A new address for the actor; the old one answers 404 from now on."""
    old = CalendarFeed.objects.select_for_update().filter(user=actor).first()
    if old is not None:
        old.delete()
    feed = CalendarFeed.objects.create(user=actor, secret=new_secret())
    activity_record(
        actor=actor,
        verb="renewed" if old is not None else "created",
        target=feed,
        note="The previous address was retired." if old is not None else "",
    )
    return feed


@transaction.atomic
def calendar_feed_revoke(*, actor) -> bool:
    """No address for the actor until they ask for one again; False if there was none."""
    feed = CalendarFeed.objects.select_for_update().filter(user=actor).first()
    if feed is None:
        return False
    activity_record(actor=actor, verb="revoked", target=feed)
    feed.delete()
    return True
