"""What the OpenAPI schema says beyond what drf-spectacular infers, in one postprocessing hook
rather than on every view: the error responses each operation can give, with their shapes as
components; the limits the API enforces (page, page_size, weeks, ids from 1); and request
bodies that refuse unknown fields (the strict serializers answer 400 to them)."""

from config.api.pagination import MAX_PAGE_SIZE

# Every `code` a 409 carries: the domain's DomainError codes, the API's `in_use`, and the
# Idempotency-Key still being processed. tests/test_schema.py checks the source raises no other.
CONFLICT_CODES = [
    "already_accepted",
    "already_approved",
    "already_member",
    "already_specialist",
    "alliance_closed",
    "body_dissolved",
    "body_in_use",
    "co_chair_taken",
    "duplicate_report",
    "effective_date_missing",
    "idempotency_key_in_flight",
    "illegal_transition",
    "in_use",
    "meeting_cancelled",
    "meeting_not_held",
    "meeting_not_started",
    "member_has_work",
    "minutes_final",
    "minutes_missing",
    "month_closed",
    "no_change",
    "obligation_closed",
    "open_work",
    "work_outside_team",
]

_MESSAGES = {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}}

ERROR_SCHEMAS = {
    "ValidationError": {
        "type": "object",
        "description": "Bad input: each field named with its messages; `non_field_errors` for "
        "the body as a whole; a nested object for a nested field.",
        "additionalProperties": {"anyOf": [_MESSAGES, {"type": "object"}]},
    },
    "Detail": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "Conflict": {
        "type": "object",
        "description": "A domain rule refused the change; nothing was written.",
        "properties": {
            "code": {"type": "string", "enum": CONFLICT_CODES},
            "detail": {"type": "string"},
        },
        "required": ["code", "detail"],
    },
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


BAD_REQUEST = _response(
    "Bad input: {field: [messages]}, or {detail} for a body that cannot be read.",
    {"anyOf": [_ref("ValidationError"), _ref("Detail")]},
)
UNAUTHORIZED = _response("Not signed in.", _ref("Detail"))
FORBIDDEN = _response("Visible, but not yours to do.", _ref("Detail"))
NOT_FOUND = _response("Does not exist, or is not visible to you.", _ref("Detail"))
CONFLICT = _response("A domain rule refused the change.", _ref("Conflict"))
TOO_LARGE = _response("The request body is over DATA_UPLOAD_MAX_MEMORY_SIZE.", _ref("Detail"))
# gunicorn answers an over-long request line itself (--limit-request-line), before the application.
URI_TOO_LONG = {"description": "The address is longer than the server accepts."}
THROTTLED = _response("Too many attempts; retry after Retry-After seconds.", _ref("Detail"))

# Ids in addresses: config.api.viewsets.ID takes at most 18 digits.
ID = {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}
EMPTY = {"type": "string", "maxLength": 0}
QUERY_LIMITS = {
    "page": {"type": "integer", "minimum": 1},
    "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    "weeks": {"type": "integer", "minimum": 1, "maximum": 52, "default": 12},
}
ID_PATH_PARAMETERS = {"id", "user_id", "member_id"}
# No credentials: signing in, and a calendar feed (its address holds the secret); both throttled.
PUBLIC = {("/api/v1/auth/token/", "post"), ("/api/v1/calendar/{secret}.ics", "get")}
WRITES = {"post", "put", "patch", "delete"}


def postprocess(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(ERROR_SCHEMAS)
    for name, schema in schemas.items():
        # COMPONENT_SPLIT_REQUEST names every request body component "...Request".
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            _json_bodies_only(operation)
            _limit_parameters(operation)
            _add_error_responses(path, method, operation)
    return result


def _json_bodies_only(operation: dict) -> None:
    """Bodies are documented as JSON. The API also reads forms (the browsable API posts them,
    checked as strictly), but a form cannot carry the schema's types: every value is text, and
    a one-item list looks like a single value, so a schema for it would promise what no form
    can keep."""
    content = operation.get("requestBody", {}).get("content")
    if content and "application/json" in content:
        operation["requestBody"]["content"] = {"application/json": content["application/json"]}


def _limit_parameters(operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        name, where = parameter["name"], parameter["in"]
        if where == "path" and name in ID_PATH_PARAMETERS:
            parameter["schema"] = dict(ID)
        elif where == "query" and name in QUERY_LIMITS:
            parameter["schema"] = {**parameter.get("schema", {}), **QUERY_LIMITS[name]}
        elif where == "query" and (
            parameter.get("schema", {}).get("format") == "date" or "enum" in parameter["schema"]
        ):
            # An empty parameter (`?since=`) means none given, as for every query parameter.
            parameter["schema"] = {"anyOf": [parameter["schema"], EMPTY]}


def _is_list(operation: dict) -> bool:
    ok = operation.get("responses", {}).get("200", {})
    schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref", "").startswith("#/components/schemas/Paginated")


def _add_error_responses(path: str, method: str, operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    parameters = operation.get("parameters", [])
    has_path = any(p["in"] == "path" for p in parameters)
    has_query = any(p["in"] == "query" for p in parameters)
    has_body = "requestBody" in operation
    is_list = _is_list(operation)
    errors = {}
    if has_body or has_query or method in {"post", "put", "patch"}:
        errors["400"] = BAD_REQUEST
    if (path, method) in PUBLIC:
        errors["429"] = THROTTLED
    else:
        errors["401"] = UNAUTHORIZED
        # A list never answers 403 (it holds what you may see); nor does reading one object
        # (what you may not see is a 404).
        if method in WRITES or not (is_list or has_path or path.endswith("/me/")):
            errors["403"] = FORBIDDEN
        elif has_path and not is_list and not path.endswith("}/"):
            errors["403"] = FORBIDDEN  # reads under an object: workload, recommendation
    if has_path or is_list:  # a list's page past the last is a 404 too
        errors["404"] = NOT_FOUND
    if method in WRITES and not path.endswith("/auth/token/"):
        errors["409"] = CONFLICT
    if has_body:
        errors["413"] = TOO_LARGE
    if has_query:
        errors["414"] = URI_TOO_LONG
    for status_code, response in errors.items():
        existing = responses.get(status_code)
        if existing is None:
            responses[status_code] = response
        elif "content" not in existing:
            # A view named the case (e.g. "illegal_transition"); keep its words, add the shape.
            responses[status_code] = {**response, "description": existing["description"]}
