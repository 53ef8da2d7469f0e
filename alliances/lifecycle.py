"""Explicit hooks through which higher apps take part in an alliance's lifecycle, without this
app importing them. Handlers are registered in the higher app's AppConfig.ready()."""

from collections.abc import Callable

# (alliance, field, to) -> None; may raise DomainError to refuse the move. Runs inside the
# transition's transaction, with the alliance row locked, before anything is written.
_checks: list[Callable] = []
# (alliance, field, from_value, to, actor) -> None; runs in the same transaction, after the move.
_handlers: list[Callable] = []
# (alliance, user, actor, hand_to) -> None: someone left the alliance's team (a member removed,
# a lead or sponsor replaced). Runs in the same transaction, after the change; hands their
# work to `hand_to`, or raises DomainError when the work would outlive their access.
_departures: list[Callable] = []
# (alliance, confidential, actor) -> None; may raise DomainError to refuse the change of flag.
_confidentiality_checks: list[Callable] = []


def register_transition_check(check: Callable) -> None:
    if check not in _checks:
        _checks.append(check)


def register_transition_handler(handler: Callable) -> None:
    if handler not in _handlers:
        _handlers.append(handler)


def check_transition(*, alliance, field: str, to: str) -> None:
    for check in _checks:
        check(alliance=alliance, field=field, to=to)


def after_transition(*, alliance, field: str, from_value: str, to: str, actor) -> None:
    for handler in _handlers:
        handler(alliance=alliance, field=field, from_value=from_value, to=to, actor=actor)


def register_departure_handler(handler: Callable) -> None:
    if handler not in _departures:
        _departures.append(handler)


def register_confidentiality_check(check: Callable) -> None:
    if check not in _confidentiality_checks:
        _confidentiality_checks.append(check)


def after_departure(*, alliance, user, actor, hand_to=None) -> None:
    for handler in _departures:
        handler(alliance=alliance, user=user, actor=actor, hand_to=hand_to)


def check_confidentiality(*, alliance, confidential: bool, actor) -> None:
    for check in _confidentiality_checks:
        check(alliance=alliance, confidential=confidential, actor=actor)
