"""Explicit hooks through which higher apps (governance) take part in the front door's work,
without this app importing them. Handlers are registered in the higher app's
AppConfig.ready()."""

from collections.abc import Callable

# (task, from_status, to, actor, reason) -> None: a task moved through task_move (complete,
# cancel, reopen...). Runs inside the move's transaction, after the task and its activity row
# are written, so what a handler writes stands or falls with the move.
_task_moved: list[Callable] = []
# (intake, management_model) -> dict: more factors shown beside the recommended management
# model ({name: JSON-ready value}); a factor informs, it never changes the recommendation.
_model_factors: list[Callable] = []


def register_task_moved_handler(handler: Callable) -> None:
    if handler not in _task_moved:
        _task_moved.append(handler)


def after_task_moved(*, task, from_status: str, to: str, actor, reason: str = "") -> None:
    for handler in _task_moved:
        handler(task=task, from_status=from_status, to=to, actor=actor, reason=reason)


def register_management_model_factor(source: Callable) -> None:
    if source not in _model_factors:
        _model_factors.append(source)


def management_model_factors(*, intake, management_model: str) -> dict:
    factors: dict = {}
    for source in _model_factors:
        factors.update(source(intake=intake, management_model=management_model))
    return factors
