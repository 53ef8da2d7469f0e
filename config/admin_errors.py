"""The admin's one translation of a service's refusal into a message a person can act on."""

from django.core.exceptions import ValidationError

from config.errors import DomainError


def refusal_message(error: DomainError | ValidationError) -> str:
    if isinstance(error, DomainError):
        return error.detail
    if hasattr(error, "error_dict"):
        return "; ".join(
            message if field == "__all__" else f"{field.replace('_', ' ')}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        )
    return "; ".join(error.messages)


REFUSALS = (DomainError, ValidationError)


class _DryRun(Exception):
    pass


def dry_run_refusal(write) -> str:
    """What a service's refusal of `write()` would say, or "": the write runs in a savepoint
    that is always rolled back, so a form can show the refusal as its own error before
    anything is saved (an admin save cannot be refused half-way)."""
    from django.db import transaction

    try:
        with transaction.atomic():
            write()
            raise _DryRun
    except _DryRun:
        return ""
    except REFUSALS as error:
        return refusal_message(error)
