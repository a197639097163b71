"""Declare a JSON API operation once: the Flask route, its auth, its schemas and its docs.

`operation()` registers the view on the API blueprint behind `require_shop(min_role)`, loads
the query string and JSON body with marshmallow (400 with field messages when they do not
fit), dumps the result with the response schema, and records all of it in OPERATIONS so
`web.openapi` can describe every route from the code itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, Response, jsonify, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from web.auth import require_shop
from web.bad_input import DB_INT_MAX, DB_INT_MIN

DATABASE_INT = validate.Range(
    DB_INT_MIN, DB_INT_MAX, error="must be a whole number between {min} and {max}"
)

bp = Blueprint("api", __name__, url_prefix="/api")


@dataclass
class Operation:
    """What the OpenAPI document says about one view."""

    rule: str
    method: str
    summary: str
    tag: str
    min_role: str
    query: Schema | None = None
    body: Schema | None = None
    response: Schema | None = None
    status: int = 200
    produces: str = "application/json"
    extra: dict = field(default_factory=dict)


OPERATIONS: dict[str, Operation] = {}  # endpoint name ("api.list_products") -> Operation


def _instance(schema: type[Schema] | Schema | None, many: bool = False) -> Schema | None:
    if schema is None:
        return None
    if isinstance(schema, Schema):
        return schema
    return schema(many=many, unknown=EXCLUDE)


def _bound_integers(schema: Schema | None) -> Schema | None:
    """Every integer a request may carry must fit the database's integer columns: an id or
    count beyond them names nothing stored and would overflow the query (a 500), so each
    Integer field of a loaded schema, nested ones too, also gets that range."""
    if schema is not None:
        for field in schema.fields.values():
            _bound_field(field)
    return schema


def _bound_field(field: fields.Field) -> None:
    if isinstance(field, fields.Integer):
        field.validators.append(DATABASE_INT)
    elif isinstance(field, fields.List):
        _bound_field(field.inner)
    elif isinstance(field, fields.Tuple):
        for inner in field.tuple_fields:
            _bound_field(inner)
    elif isinstance(field, fields.Dict) and field.value_field is not None:
        _bound_field(field.value_field)
    elif isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        _bound_integers(field.schema)


def operation(
    rule: str,
    method: str = "GET",
    *,
    summary: str,
    tag: str,
    min_role: str = "viewer",
    query: type[Schema] | None = None,
    body: type[Schema] | None = None,
    response: type[Schema] | Schema | None = None,
    many: bool = False,
    status: int = 200,
    produces: str = "application/json",
) -> Callable:
    """Register `view(**path_args, query=..., body=...)` as a tenant-scoped JSON operation."""
    query_schema = _bound_integers(_instance(query))
    body_schema = _bound_integers(_instance(body))
    response_schema = _instance(response, many=many)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def handler(**kwargs):
            try:
                if query_schema is not None:
                    kwargs["query"] = query_schema.load(request.args.to_dict())
                if body_schema is not None:
                    kwargs["body"] = body_schema.load(request.get_json(silent=True) or {})
            except ValidationError as exc:
                return jsonify({"error": "invalid", "fields": exc.messages}), 400
            result = view(**kwargs)
            if isinstance(result, Response | tuple):
                return result
            payload = response_schema.dump(result) if response_schema is not None else result
            return jsonify(payload), status

        guarded = require_shop(min_role)(handler)
        endpoint = view.__name__
        bp.add_url_rule(rule, endpoint=endpoint, view_func=guarded, methods=[method])
        OPERATIONS[f"{bp.name}.{endpoint}"] = Operation(
            rule=rule,
            method=method.lower(),
            summary=summary,
            tag=tag,
            min_role=min_role,
            query=query_schema,
            body=body_schema,
            response=response_schema,
            status=status,
            produces=produces,
        )
        return guarded

    return decorate


def not_found(what: str = "not found"):
    return jsonify({"error": "not_found", "message": what}), 404


def conflict(code: str, message: str):
    return jsonify({"error": code, "message": message}), 409
