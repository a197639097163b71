"""Checks requests and responses against the SP-API Swagger models, and finds static examples.

The models are Swagger 2.0; bodies are checked with jsonschema's Draft4Validator against a
`referencing` registry that holds each model document under `urn:<model>` (see PLATFORMS.md).
When the specs folder is absent every check is skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from .routes import BY_OPERATION, MODEL_FILES

# Keys python-amazon-sp-api adds on its own (PLATFORMS.md, "traps"); dropped when the operation
# does not declare them, so that a real contract error is still reported.
CLIENT_QUIRK_KEYS = frozenset(
    {"MarketplaceId", "MarketplaceIds", "marketplace_ids", "marketplaceIds", "path"}
)
_PARAM_SCHEMA_KEYS = (
    "type", "items", "enum", "maxItems", "minItems", "maximum", "minimum", "maxLength",
    "minLength", "pattern",
)  # fmt: skip


@dataclass
class Operation:
    """What a model says about one operation."""

    model: str
    spec: dict
    params: dict[str, dict] = field(default_factory=dict)  # name -> swagger parameter

    def body_param(self) -> dict | None:
        return next((p for p in self.params.values() if p.get("in") == "body"), None)


class Contracts:
    """The loaded models; `available` is False when the specs folder is missing."""

    def __init__(self, models_dir: Path | None) -> None:
        self.operations: dict[str, Operation] = {}
        resources = []
        for key, rel in MODEL_FILES.items():
            path = models_dir / rel if models_dir else None
            if path is None or not path.is_file():
                continue
            doc = json.loads(path.read_text(encoding="utf-8"))
            resources.append((f"urn:{key}", Resource(contents=doc, specification=DRAFT4)))
            for method_map in doc["paths"].values():
                common = [p for p in method_map.get("parameters", []) if isinstance(p, dict)]
                for op in method_map.values():
                    if isinstance(op, dict) and op.get("operationId") in BY_OPERATION:
                        if BY_OPERATION[op["operationId"]].model != key:
                            continue
                        params = {p["name"]: p for p in common + op.get("parameters", [])}
                        self.operations[op["operationId"]] = Operation(key, op, params)
        self.registry = Registry().with_resources(resources)
        self.available = bool(self.operations)

    def _errors(self, model: str, schema: dict, instance) -> list[str]:
        ref = schema.get("$ref", "")
        root = {"$ref": f"urn:{model}{ref}"} if ref.startswith("#") else _inline(model, schema)
        validator = Draft4Validator(root, registry=self.registry)
        return [
            f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
            for e in validator.iter_errors(instance)
        ]

    def check_request(
        self, operation: str, path_params: dict, query: dict[str, list[str]], body
    ) -> tuple[list[str], dict, object]:
        """Violations of the request, the typed query, and the body with client quirks removed."""
        op = self.operations.get(operation)
        typed: dict = {}
        if op is None:  # no model at hand: type the parameters the handlers rely on
            return [], _fallback_types(query), body
        problems: list[str] = []
        for name, values in query.items():
            param = op.params.get(name)
            if param is None or param.get("in") != "query":
                if name not in CLIENT_QUIRK_KEYS:
                    problems.append(f"query parameter {name!r} is not in the model")
                continue
            typed[name] = _coerce(param, values)
        for name, param in op.params.items():
            where = param.get("in")
            if where == "query" and name in typed:
                schema = {k: param[k] for k in _PARAM_SCHEMA_KEYS if k in param}
                for err in Draft4Validator(schema).iter_errors(typed[name]):
                    problems.append(f"query parameter {name}: {err.message}")
            elif param.get("required") and where == "query":
                problems.append(f"query parameter {name!r} is required")
            elif param.get("required") and where == "path" and not path_params.get(name):
                problems.append(f"path parameter {name!r} is required")
        body_param = op.body_param()
        if body_param is not None:
            body = _strip_quirks(body, body_param.get("schema", {}), self, op.model)
            if body is None:
                if body_param.get("required"):
                    problems.append("a JSON body is required")
            else:
                problems += [
                    f"body {e}" for e in self._errors(op.model, body_param["schema"], body)
                ]
        return problems, typed, body

    def check_response(self, operation: str, status: int, body) -> list[str]:
        """Violations of a response body against the model's schema for that status."""
        op = self.operations.get(operation)
        if op is None:
            return []
        responses = op.spec.get("responses", {})
        resp = responses.get(str(status)) or responses.get("default")
        if resp is None:
            return [f"status {status} is not documented for {operation}"]
        schema = resp.get("schema")
        if schema is None:
            return [] if body in (None, b"", "") else [f"status {status} must have no body"]
        return self._errors(op.model, schema, body)

    def static_examples(self, operation: str) -> list[tuple[int, dict, object]]:
        """(status, request parameters, response) of every x-amzn-api-sandbox static example."""
        op = self.operations.get(operation)
        found = []
        for code, resp in (op.spec.get("responses", {}) if op else {}).items():
            for ex in resp.get("x-amzn-api-sandbox", {}).get("static", []):
                params = ex.get("request", {}).get("parameters", {})
                found.append((int(code), params, ex.get("response")))
        # specific examples first: those with more parameters that carry a value
        found.sort(key=lambda e: -sum(1 for p in e[1].values() if "value" in p))
        return found


# Without the models, these query parameters are still csv arrays and integers.
_ARRAYS = {
    "marketplaceIds",
    "MarketplaceIds",
    "includedData",
    "identifiers",
    "OrderStatuses",
    "FulfillmentChannels",
    "feedTypes",
    "reportTypes",
    "processingStatuses",
    "sellerSkus",
    "keywords",
}
_INTEGERS = {"pageSize", "MaxResultsPerPage"}  # fmt: skip


def _fallback_types(query: dict[str, list[str]]) -> dict:
    typed: dict = {}
    for name, values in query.items():
        if name in _ARRAYS:
            typed[name] = _coerce({"type": "array", "items": {"type": "string"}}, values)
        else:
            typed[name] = _scalar("integer" if name in _INTEGERS else None, values[-1])
    return typed


def _inline(model: str, schema: dict) -> dict:
    """Wrap an inline schema so its '#/definitions/..' refs resolve in the model document."""
    text = json.dumps(schema).replace('"#/definitions/', f'"urn:{model}#/definitions/')
    return json.loads(text)


def _coerce(param: dict, values: list[str]):
    """Typed value of a query parameter (csv arrays, integers, booleans, numbers)."""
    kind = param.get("type")
    if kind == "array":
        items: list = [part for v in values for part in v.split(",")]
        inner = param.get("items", {}).get("type")
        return [_scalar(inner, i) for i in items]
    return _scalar(kind, values[-1])


def _scalar(kind: str | None, value: str):
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value.lower(), value)
    return value


def _strip_quirks(body, schema: dict, contracts: Contracts, model: str):
    if not isinstance(body, dict):
        return body
    declared = set(schema.get("properties", {}))
    ref = schema.get("$ref", "")
    if ref.startswith("#/definitions/"):
        name = ref.rsplit("/", 1)[1]
        doc = contracts.registry.contents(f"urn:{model}")
        declared = set(doc.get("definitions", {}).get(name, {}).get("properties", {}))
    return {k: v for k, v in body.items() if k in declared or k not in CLIENT_QUIRK_KEYS}
