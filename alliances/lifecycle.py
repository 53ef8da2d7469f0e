"""Explicit hooks through which higher apps take part in an alliance's lifecycle, without this
app importing them. Handlers are registered in the higher app's AppConfig.ready()."""

from collections.abc import Callable

# (alliance, field, to) -> None; may raise DomainError to refuse the move. Runs inside the
# transition's transaction, with the alliance row locked, before anything is written.
_checks: list[Callable] = []
# (alliance, field, from_value, to, actor) -> None; runs in the same transaction, after the move.
_handlers: list[Callable] = []


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
