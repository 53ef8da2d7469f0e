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
