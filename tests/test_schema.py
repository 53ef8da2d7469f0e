"""The OpenAPI schema says what the API does (issue 9, section 3): error responses and their
shapes, limits, nullable fields, enums for conflict codes, no unknown fields in bodies. What
schemathesis (`make fuzz`) found is pinned here too."""

import ast
from pathlib import Path

import pytest
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator

from config.api.schema import PUBLIC

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def schema():
    with override_settings(ROOT_URLCONF="config.urls"):
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def parameter(operation, name):
    return next(p for p in operation["parameters"] if p["name"] == name)


def test_every_operation_but_signing_in_documents_401(schema):
    for path, method, operation in operations(schema):
        if (path, method) in PUBLIC:
            assert "429" in operation["responses"]
            continue
        assert "401" in operation["responses"], (method, path)


def test_writes_document_400_403_and_409_with_their_shapes(schema):
    op = schema["paths"]["/api/v1/tasks/{id}/reassign/"]["post"]
    responses = op["responses"]
    assert {"200", "400", "401", "403", "404", "409", "413"} <= set(responses)
    shape = lambda code: responses[code]["content"]["application/json"]["schema"]  # noqa: E731
    assert shape("409") == {"$ref": "#/components/schemas/Conflict"}
    assert shape("404") == {"$ref": "#/components/schemas/Detail"}
    assert {"$ref": "#/components/schemas/ValidationError"} in shape("400")["anyOf"]


def test_a_view_that_named_its_409_keeps_its_words_and_gains_the_shape(schema):
    response = schema["paths"]["/api/v1/alliances/{id}/transition/"]["post"]["responses"]["409"]
    assert response["description"] == "illegal_transition"
    assert response["content"]["application/json"]["schema"]["$ref"].endswith("/Conflict")


def test_lists_never_document_403_and_pages_past_the_last_are_404(schema):
    op = schema["paths"]["/api/v1/alliances/"]["get"]
    assert "403" not in op["responses"]
    assert "404" in op["responses"]


def test_limits(schema):
    tasks = schema["paths"]["/api/v1/tasks/"]["get"]
    assert parameter(tasks, "page_size")["schema"]["minimum"] == 1
    assert parameter(tasks, "page_size")["schema"]["maximum"] == 500
    assert parameter(tasks, "page")["schema"]["minimum"] == 1
    assert parameter(tasks, "alliance")["schema"]["anyOf"] == [
        {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
        {"type": "string", "maxLength": 0},  # `?alliance=`: no filter (found by schemathesis)
    ]
    capacity = schema["paths"]["/api/v1/capacity/"]["get"]
    weeks = parameter(capacity, "weeks")["schema"]
    assert (weeks["minimum"], weeks["maximum"]) == (1, 52)
    detail = schema["paths"]["/api/v1/tasks/{id}/"]["get"]
    assert parameter(detail, "id")["schema"]["type"] == "integer"
    assert parameter(detail, "id")["schema"]["minimum"] == 1


def test_ids_in_bodies_are_integers_from_1(schema):
    reassign = schema["components"]["schemas"]["ReassignRequest"]["properties"]["assignee"]
    assert reassign["type"] == "integer"
    assert reassign["minimum"] == 1


def test_request_bodies_forbid_unknown_fields(schema):
    requests = {n: s for n, s in schema["components"]["schemas"].items() if n.endswith("Request")}
    assert "TaskCreateRequest" in requests
    for name, component in requests.items():
        assert component["additionalProperties"] is False, name


def test_latest_report_columns_are_nullable(schema):
    # An alliance without a status report has none: found by schemathesis (response schema).
    alliance = schema["components"]["schemas"]["Alliance"]["properties"]
    for name in ("latest_rag", "latest_trend", "latest_headline", "latest_report_month"):
        assert alliance[name].get("nullable") is True or "NullEnum" in str(alliance[name]), name


def test_an_empty_date_filter_is_allowed_as_the_api_allows_it(schema):
    # `?due_date_before=` means no filter: found by schemathesis (negative data accepted).
    tasks = schema["paths"]["/api/v1/tasks/"]["get"]
    assert {"type": "string", "maxLength": 0} in parameter(tasks, "due_date_before")["schema"][
        "anyOf"
    ]


def _raised_codes() -> set[str]:
    """Every literal code passed to DomainError(...) in the application's source."""
    codes = set()
    for folder in ("alliances", "resourcing", "reports", "config"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) == "DomainError"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    codes.add(node.args[0].value)
    return codes


def test_the_conflict_code_enum_names_every_code_the_domain_raises(schema):
    enum = set(schema["components"]["schemas"]["Conflict"]["properties"]["code"]["enum"])
    raised = _raised_codes()
    assert raised, "no DomainError found: the scan is broken"
    assert raised <= enum, raised - enum
    assert {"in_use", "idempotency_key_in_flight"} <= enum


def test_an_address_too_long_for_the_server_is_documented(schema):
    # gunicorn answers 414 to an over-long query before the application: found by schemathesis.
    assert "414" in schema["paths"]["/api/v1/services/"]["get"]["responses"]
    assert "414" not in schema["paths"]["/api/v1/me/"]["get"]["responses"]


def test_empty_query_parameters_are_documented_as_no_filter(schema):
    # `?assignee=` and the workbook's `?since=` mean none given: found by schemathesis.
    tasks = schema["paths"]["/api/v1/tasks/"]["get"]
    assert parameter(tasks, "assignee")["schema"]["pattern"] == "^(me|[1-9][0-9]{0,17})?$"
    workbook = schema["paths"]["/api/v1/reports/portfolio.xlsx"]["get"]
    assert {"type": "string", "maxLength": 0} in parameter(workbook, "since")["schema"]["anyOf"]


def test_bodies_are_documented_as_json(schema):
    # A form cannot keep the schema's types (found by schemathesis: a one-item list in a form).
    for path, _method, operation in operations(schema):
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], path


def test_an_empty_single_choice_filter_is_documented_as_no_filter(schema):
    # `?country=` lists every partner: found by schemathesis.
    partners = schema["paths"]["/api/v1/partners/"]["get"]
    assert {"type": "string", "maxLength": 0} in parameter(partners, "country")["schema"]["anyOf"]
