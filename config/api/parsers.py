"""Request bodies the API reads: at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (413 over it, whatever
the content type) and, for JSON, at most REQUEST_JSON_MAX_DEPTH levels of nesting (400, also
for a body deep enough to exhaust Python's recursion limit). Anything unreadable (bad JSON, an
unknown charset, a malformed multipart body) is a 400 {"detail"}, never a 500."""

import codecs
import json

from django.conf import settings
from django.http.multipartparser import MultiPartParserError
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(f"The request body is over the limit of {limit} bytes.")


def max_body_bytes() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def check_declared_length(parser_context) -> None:
    request = (parser_context or {}).get("request")
    if request is None:
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ParseError("Content-Length is not a number.") from None
    if length > max_body_bytes():
        raise RequestTooLarge()


def read_bounded(stream) -> bytes:
    limit = max_body_bytes()
    data = stream.read(limit + 1) if stream is not None else b""
    if len(data) > limit:
        raise RequestTooLarge()
    return data


def depth(value) -> int:
    """Nesting depth of parsed JSON, without recursion: a scalar is 0, [] and {} are 1."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        check_declared_length(parser_context)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = read_bounded(stream)
        try:
            text = codecs.decode(raw, encoding)
        except LookupError:
            raise ParseError(f"Unknown charset {encoding!r}; send UTF-8.") from None
        except ValueError:
            raise ParseError(f"The body is not valid {encoding}.") from None
        limit = settings.REQUEST_JSON_MAX_DEPTH
        try:
            data = json.loads(text, parse_constant=self._refuse_constant)
        except RecursionError:
            raise ParseError(f"JSON nested more than {limit} levels deep.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if depth(data) > limit:
            raise ParseError(f"JSON nested more than {limit} levels deep.")
        return data

    @staticmethod
    def _refuse_constant(name):
        raise ValueError(f"{name} is not valid JSON")


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        check_declared_length(parser_context)
        return super().parse(stream, media_type, parser_context)


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        check_declared_length(parser_context)
        try:
            return super().parse(stream, media_type, parser_context)
        except (MultiPartParserError, ValueError, UnicodeDecodeError, TypeError) as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from None
