"""Schemathesis against the app's own OpenAPI document (web.openapi builds it from the registered
operations, the one /api/openapi.json serves): for every documented operation it generates
bodies, query strings and path ids from the schemas and from their negation (wrong types,
values out of range, missing fields), sent with a valid owner token, and no answer may be a
5xx. A new operation is in the document, so it is fuzzed without editing this file.

The cases go through Flask's test client: schemathesis's own pytest fixture loader does not run
under pytest 9, and the document is the same one the app serves.
"""

from __future__ import annotations

import json

import schemathesis
from hypothesis import HealthCheck, settings

from tests.security.routes import bare_app
from tests.security.test_malformed_input import owner  # noqa: F401  (the fixture)
from web.openapi import build_spec

_app = bare_app()
with _app.app_context():
    schema = schemathesis.openapi.from_dict(build_spec(_app))


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_documented_operation_answers_5xx(client, owner, case):  # noqa: F811
    request = case.as_transport_kwargs(base_url="http://localhost", headers=owner)
    body = request.get("json")
    response = client.open(
        case.formatted_path,
        method=case.method,
        query_string=request.get("params"),
        headers=request.get("headers"),
        data=json.dumps(body) if "json" in request else request.get("data"),
        content_type="application/json" if "json" in request else None,
    )
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} gave {response.status_code}: "
        f"{response.get_data(as_text=True)[:300]}\n{request}"
    )
