"""The request pipeline every SP-API call goes through: route, authenticate, throttle, inject
faults, check the contract, answer (live handler or static sandbox example), check the answer."""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field

from flask import Response, request

from . import routes
from .state import CallRecord

log = logging.getLogger(__name__)
ARRIVAL_KEY = "sandbox.amazon.arrived"  # set by the WSGI wrapper in app.py, before routing


def stamp_arrival(wsgi_app):
    """WSGI middleware noting when a request arrived, before Flask does any work on it."""

    def app(environ, start_response):
        environ[ARRIVAL_KEY] = time.time()
        return wsgi_app(environ, start_response)

    return app


class ApiError(Exception):
    """An SP-API error answer: HTTP status and one entry of the `errors` list."""

    def __init__(self, status: int, code: str, message: str, details: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return {"errors": [error]}


@dataclass
class Call:
    """One parsed SP-API request, as handlers see it."""

    operation: str
    region: str | None
    seller: str | None
    path: dict
    query: dict
    body: object
    base_url: str
    token: dict = field(default_factory=dict)

    def marketplace_ids(self, name: str = "marketplaceIds") -> list[str]:
        value = self.query.get(name) or []
        return value if isinstance(value, list) else [value]


def base_url(options) -> str:
    """Where this emulator is reached (the client's Host header is wrong, see PLATFORMS.md)."""
    if options.public_url:
        return options.public_url.rstrip("/")
    env = request.environ
    return f"http://{env.get('SERVER_NAME', '127.0.0.1')}:{env.get('SERVER_PORT', '80')}"


def dispatch(emulator, region: str | None, sandbox: bool, path: str) -> Response:
    """Answer one SP-API request."""
    state, options = emulator.state, emulator.state.options
    arrived = request.environ.get(ARRIVAL_KEY) or time.time()
    request_id = str(uuid.uuid4())
    found = routes.match(request.method, path)
    if found is None:
        err = ApiError(404, "NotFound", f"Resource {path} is not found on this server.")
        return _respond(err.status, err.body(), request_id, None)
    route, path_params = found
    op = route.operation
    try:
        token = emulator.authenticate(
            request.headers.get("x-amz-access-token"), op, region, path, sandbox
        )
    except ApiError as err:
        return _finish(emulator, arrived, op, None, region, err.status, err.body(), request_id)
    caller = token.get("seller") or "grantless"
    if not sandbox and not emulator.throttle.allow(caller, op, arrived):
        body = ApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
        return _finish(emulator, arrived, op, caller, region, 429, body.body(), request_id)
    fault = state.take_fault(op, token.get("seller"))
    if fault is not None:
        answer = _apply_fault(fault)
        if answer is not None:
            return _finish(emulator, arrived, op, caller, region, answer[0], answer[1], request_id)
    raw_body = request.get_data()
    try:
        body = json.loads(raw_body) if raw_body else None
    except ValueError:
        err = ApiError(400, "InvalidInput", "The request body is not valid JSON.")
        return _finish(emulator, arrived, op, caller, region, 400, err.body(), request_id)
    query = {k: request.args.getlist(k) for k in request.args}
    problems, typed, body = emulator.contracts.check_request(op, path_params, query, body)
    # Amazon's sandbox matches its static examples before any validation (its 400 examples
    # omit required parameters on purpose), so only live requests are refused here.
    if problems and options.validate_contracts and not sandbox:
        emulator.record_violation("request", op, problems)
        err = ApiError(400, "InvalidInput", "; ".join(problems)[:500])
        return _finish(emulator, arrived, op, caller, region, 400, err.body(), request_id)
    call = Call(op, region, token.get("seller"), path_params, typed, body, base_url(options), token)
    try:
        if sandbox:
            status, payload = emulator.static_answer(op, call)
        else:
            with state.lock:
                status, payload = emulator.handlers[op](emulator, call)
    except ApiError as err:
        status, payload = err.status, err.body()
    except Exception:  # a handler bug must show as a 500 with a body, and in the log
        log.exception("emulator handler %s failed", op)
        status = 500
        payload = ApiError(500, "InternalFailure", "We encountered an internal error.").body()
    return _finish(emulator, arrived, op, caller, region, status, payload, request_id)


def _apply_fault(fault) -> tuple[int, object] | None:
    if fault.kind in ("slow", "timeout"):
        time.sleep(fault.delay)
        return None
    if fault.kind == "429-empty":
        return 429, None
    if fault.kind == "429":
        return 429, ApiError(429, "QuotaExceeded", "You exceeded your quota.").body()
    if fault.kind == "500":
        return 500, ApiError(500, "InternalFailure", "We encountered an internal error.").body()
    return 503, ApiError(503, "ServiceUnavailable", "Service temporarily unavailable.").body()


def _finish(emulator, arrived, op, caller, region, status, payload, request_id) -> Response:
    state = emulator.state
    with state.lock:
        state.calls.append(CallRecord(op, caller or "", region, status, arrived, request_id,
                                      request.args.get("marketplaceIds", "")))  # fmt: skip
    if state.options.validate_contracts and emulator.contracts.available and payload is not None:
        problems = emulator.contracts.check_response(op, status, payload)
        if problems:
            log.error("emulator response for %s breaks the model: %s", op, problems)
            emulator.record_violation("response", op, problems)
    rate, _ = emulator.throttle.plan(op)
    return _respond(status, payload, request_id, rate)


def _respond(status: int, payload, request_id: str, rate: float | None) -> Response:
    text = "" if payload is None else json.dumps(payload, ensure_ascii=False)
    response = Response(text, status=status, content_type="application/json; charset=utf-8")
    response.headers["x-amzn-RequestId"] = request_id
    if rate is not None:
        response.headers["x-amzn-RateLimit-Limit"] = f"{rate:g}"
    return response
