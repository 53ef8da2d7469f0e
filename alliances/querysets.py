"""The one visibility rule, as QuerySet methods. `Alliance.objects.visible_to(user)` is the root;
every model that belongs to an alliance takes its `visible_to` from AllianceOwnedQuerySet, so a
list, a detail, a filter, a count, an admin page and a workbook sheet can only show what the
alliance's own visibility allows. Role checks live in access.py."""

from django.db import models

from .access import is_head, sees_portfolio


class AllianceQuerySet(models.QuerySet):
    def involving(self, user) -> "AllianceQuerySet":
        """Alliances the user is on: lead, executive sponsor, member, or as higher apps say
        (resourcing: assigned to it)."""
        return self.filter(involvement_q(user))

    def visible_to(self, user) -> "AllianceQuerySet":
        """The head sees everything; leads and executives every alliance that is not
        confidential and those they are on; anyone else only those they are on."""
        if not user.is_authenticated:
            return self.none()
        if is_head(user):
            return self
        if sees_portfolio(user):
            return self.filter(models.Q(confidential=False) | involvement_q(user))
        return self.filter(involvement_q(user))


class AllianceOwnedQuerySet(models.QuerySet):
    """For every model that belongs to an alliance: a row is seen by whoever sees its alliance.
    `alliance_path` names the path to the alliance; `also_visible(user)` may widen the rule
    with a Q that never reaches into a confidential alliance the user is not on."""

    alliance_path = "alliance"

    def _alliances(self):
        model = self.model
        for part in self.alliance_path.split("__"):
            model = model._meta.get_field(part).related_model
        return model.objects

    def also_visible(self, user) -> models.Q | None:
        return None

    def visible_to(self, user):
        """The alliance's own rule (AllianceQuerySet.visible_to), said on this model's rows:
        through the row's alliance and indexed id lists (the alliances the user is a member
        of, assigned to, ...), never a scan of every alliance."""
        if not user.is_authenticated:
            return self.none()
        if is_head(user):
            return self
        path = self.alliance_path
        rule = models.Q(**{f"{path}__lead": user}) | models.Q(
            **{f"{path}__executive_sponsor": user}
        )
        for ids in involvement_ids(user):
            rule |= models.Q(**{f"{path}__in": ids})
        if sees_portfolio(user):
            rule = models.Q(**{f"{path}__confidential": False}) | rule
        extra = self.also_visible(user)
        # The cheap condition first: SQLite evaluates the rest only for rows it leaves out.
        return self.filter(extra | rule if extra is not None else rule)

    def on_alliance(self, alliance) -> "AllianceOwnedQuerySet":
        return self.filter(**{self.alliance_path: alliance})


class MembershipQuerySet(AllianceOwnedQuerySet):
    pass


class TransitionQuerySet(AllianceOwnedQuerySet):
    pass


class ActivityLogQuerySet(AllianceOwnedQuerySet):
    """Entries about an alliance follow it; entries about nothing in particular (reference
    data, intake requests, specialists) are the head's (they have other readers' views)."""


# Who is "on" an alliance: higher apps add ways (resourcing: being assigned to it) through
# register_involvement, from their AppConfig.ready(); each gives a Q over Alliance.
_involvement: list = []


def register_involvement(condition) -> None:
    """`condition(user) -> Q` on Alliance: one more way of being on an alliance."""
    if condition not in _involvement:
        _involvement.append(condition)


# The same ways of being on an alliance, as id lists (`source(user) -> QuerySet of alliance
# ids`), for rows that belong to an alliance: an indexed lookup instead of a scan of alliances.
_involvement_ids: list = []


def register_involvement_ids(source) -> None:
    if source not in _involvement_ids:
        _involvement_ids.append(source)


def involvement_ids(user) -> list:
    from .models import AllianceMembership

    members = AllianceMembership.objects.filter(user=user).values("alliance_id")
    return [members, *(source(user) for source in _involvement_ids)]


def involvement_q(user) -> models.Q:
    from .models import AllianceMembership

    member = AllianceMembership.objects.filter(alliance=models.OuterRef("pk"), user=user)
    q = models.Q(lead=user) | models.Q(executive_sponsor=user) | models.Exists(member)
    for condition in _involvement:
        q |= condition(user)
    return q


# What refers to a partner with a confidential flag: alliances here, intake requests from
# resourcing (registered at ready()). Each is a model with `partner`, `confidential` and
# `objects.visible_to(user)`.
_partner_references: list = []


def register_partner_reference(get_model) -> None:
    """`get_model() -> Model`: one more kind of row that refers to a partner."""
    if get_model not in _partner_references:
        _partner_references.append(get_model)


class PartnerQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PartnerQuerySet":
        """A partner is everyone's, unless everything that refers to it is confidential: then
        only those who may see one of those see it (its name would tell of the deal)."""
        if not user.is_authenticated:
            return self.none()
        if is_head(user):
            return self
        from .models import Alliance

        public = models.Q()
        secret = models.Q()
        for model in (Alliance, *(get() for get in _partner_references)):
            refs = model.objects.filter(partner=models.OuterRef("pk"))
            secret &= ~models.Exists(refs.filter(confidential=True))
            public |= models.Exists(refs.filter(confidential=False))
            public |= models.Exists(
                model.objects.visible_to(user).filter(partner=models.OuterRef("pk"))
            )
        return self.filter(secret | public)
