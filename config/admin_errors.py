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


def dry_run_into_form(form, write) -> bool:
    """Like dry_run_refusal, but the refusal becomes `form`'s errors: each field error beside
    the field when the form has it (an end date before the start), the rest at the top.
    Returns whether the write would go through."""
    from django.db import transaction

    try:
        with transaction.atomic():
            write()
            raise _DryRun
    except _DryRun:
        return True
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            form.add_error(None, error.messages)
            return False
        for field, messages in error.message_dict.items():
            if field in form.fields:
                form.add_error(field, messages)
            else:
                form.add_error(None, refusal_message(ValidationError({field: messages})))
        return False
    except DomainError as error:
        form.add_error(None, error.detail)
        return False
