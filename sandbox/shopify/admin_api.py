"""POST /store/{shop}/admin/api/{version}/graphql.json: version, token check, validation, cost
throttling (requested taken, the unused part refunded), execution against the shop's in-memory
data; every answer carries X-Shopify-API-Version and X-Request-Id, and a query using a
deprecated field or argument X-Shopify-API-Deprecated-Reason."""

from __future__ import annotations

import time
import uuid

from flask import Blueprint, g, jsonify, request
from graphql import GraphQLError, OperationDefinitionNode, execute

from sandbox.shopify.api_versions import served_version
from sandbox.shopify.cost import MAX_QUERY_COST, query_cost
from sandbox.shopify.deprecations import deprecations
from sandbox.shopify.resolvers import Resolvers
from sandbox.shopify.schema import document_errors, load_schema, parse_document
from sandbox.shopify.state import EmulatorState


def build_admin_api(
    state: EmulatorState, changes, bulk_runner, faults: dict, validate: bool = True
) -> Blueprint:
    bp = Blueprint("shopify_admin_api", __name__)

    @bp.after_request
    def _shopify_headers(response):
        # Every Admin API answer names the version that ran it and the request's id, as Shopify's
        # do (seen through @shopify/shopify-api, which reads both: X-Shopify-API-Version is
        # the version actually served, https://shopify.dev/docs/api/usage/versioning;
        # X-Request-Id is what Shopify support asks for).
        response.headers["X-Request-Id"] = g.get("shopify_request_id") or str(uuid.uuid4())
        if g.get("shopify_version"):
            response.headers["X-Shopify-API-Version"] = g.shopify_version
        if g.get("shopify_deprecations"):
            response.headers["X-Shopify-API-Deprecated-Reason"] = ", ".join(g.shopify_deprecations)
        return response

    @bp.post("/store/<shop>/admin/api/<version>/graphql.json")
    def graphql_endpoint(shop: str, version: str):
        g.shopify_request_id = str(uuid.uuid4())
        body = request.get_json(silent=True) or {}
        token = request.headers.get("X-Shopify-Access-Token", "")
        query = body.get("query") or ""
        state.record_call(
            kind="graphql",
            shop=shop,
            method="POST",
            path=request.path,
            token=token[-6:],
            operation=_operation_name(query, body),
            request_id=g.shopify_request_id,
        )
        g.shopify_version = served_version(version)
        if g.shopify_version is None:
            return jsonify(errors="Not Found"), 404
        grant = state.grants.get(token)
        if grant is None or grant.kind != "access" or grant.shop != shop or not grant.valid():
            return jsonify(
                errors="[API] Invalid API key or access token (unrecognized login or "
                "wrong password)"
            ), 401
        if faults.get("server_errors", 0) > 0:
            faults["server_errors"] -= 1
            return jsonify(errors="Internal Server Error"), 503
        schema = load_schema()  # admin_schema.graphql, in this repository
        errors = document_errors(query) if validate else []
        if errors:
            return jsonify(errors=errors)
        document = parse_document(query)
        g.shopify_deprecations = deprecations(query)
        variables = body.get("variables") or {}
        op_name = body.get("operationName")
        st = state.shop(shop)
        cost = query_cost(schema, document, variables, op_name)
        if cost > MAX_QUERY_COST:
            return jsonify(
                errors=[
                    {
                        "message": f"Query cost is {cost}, which exceeds the single query max cost "
                        "limit "
                        f"({MAX_QUERY_COST}).",
                        "extensions": {
                            "code": "MAX_COST_EXCEEDED",
                            "cost": cost,
                            "maxCost": MAX_QUERY_COST,
                        },
                    }
                ]
            )
        stormed = False
        with state.lock:
            if st.storm > 0:  # another app draining the shop's bucket meanwhile
                st.storm -= 1
                st.bucket.drain(0)
                stormed = True
        if stormed or not st.bucket.try_take(cost):
            state.record_call(kind="throttled", shop=shop, method="POST", path=request.path)
            return jsonify(
                errors=[
                    {
                        "message": "Throttled",
                        "extensions": {
                            "code": "THROTTLED",
                            "documentation": "https://shopify.dev/api/usage/rate-limits",
                        },
                    }
                ],
                extensions={
                    "cost": {
                        "requestedQueryCost": cost,
                        "actualQueryCost": None,
                        "throttleStatus": st.bucket.status(),
                    }
                },
            )
        resolvers = Resolvers(st, changes, bulk_runner)
        is_mutation = _is_mutation(document, op_name)
        started = time.monotonic()
        with state.lock:
            result = execute(
                schema,
                document,
                root_value=resolvers.mutation_root() if is_mutation else resolvers.query_root(),
                variable_values=variables,
                operation_name=op_name,
                context_value={"bulk": False},
            )
        payload: dict = {}
        if result.errors:
            payload["errors"] = [_error(e) for e in result.errors]
        payload["data"] = result.data
        actual = min(cost, query_cost(schema, document, variables, op_name, result.data or {}))
        st.bucket.refund(cost - actual)  # the unused part of the requested cost goes back
        payload["extensions"] = {
            "cost": {
                "requestedQueryCost": cost,
                "actualQueryCost": actual,
                "throttleStatus": st.bucket.status(),
            }
        }
        state.record_call(
            kind="graphql_done",
            shop=shop,
            method="POST",
            path=request.path,
            ms=int((time.monotonic() - started) * 1000),
        )
        return jsonify(payload)

    return bp


def _operation_name(query: str, body: dict) -> str:
    if body.get("operationName"):
        return body["operationName"]
    head = query.strip().split("{", 1)[0].split("(", 1)[0].split()
    return head[1] if len(head) > 1 else (head[0] if head else "")


def _is_mutation(document, op_name: str | None) -> bool:
    for d in document.definitions:
        if isinstance(d, OperationDefinitionNode) and (
            op_name is None or (d.name and d.name.value == op_name)
        ):
            return d.operation.value == "mutation"
    return False


def _error(error: GraphQLError) -> dict:
    shaped = {"message": error.message}
    if error.locations:
        shaped["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        shaped["path"] = list(error.path)
    return shaped
