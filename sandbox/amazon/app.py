"""The SP-API + LWA emulator as a Flask app: `create_emulator(**options)`.

One process serves every region: `/na/...`, `/eu/...`, `/fe/...` (and `/...` for all regions).
`/sandbox/<region>/...` answers only the models' static sandbox examples, as Amazon's sandbox
endpoints do. LWA is at `/auth/o2/token`, the consent page at `/<region>/apps/authorize/consent`,
test controls under `/_sandbox/`.
"""

from __future__ import annotations

import dataclasses
import time

from flask import Flask

from ..server import specs_dir
from . import (
    api_account,
    api_catalog,
    api_definitions,
    api_feeds,
    api_listings,
    api_notifications,
    api_orders,
    api_reports,
    control,
    documents,
    lwa,
    routes,
    seed,
)
from .contracts import Contracts
from .dispatch import ApiError, Call, dispatch, stamp_arrival
from .notifier import Courier
from .product_schemas import SchemaStore
from .state import Options, State
from .throttle import Throttle

# Operations that reveal personal data need a Restricted Data Token.
RESTRICTED = {"getOrderAddress", "getOrderBuyerInfo"}
_UNAUTHORIZED = "Access to requested resource is denied."


class Emulator:
    """State, contracts, schemas, throttle and handlers of one emulator instance."""

    def __init__(self, options: Options) -> None:
        self.initial = dataclasses.replace(options)
        self.state = State(options)
        seed.populate(self.state)
        specs = specs_dir() / "sp-api"
        self.contracts = Contracts(specs / "models" if specs.is_dir() else None)
        self.schemas = SchemaStore(specs / "schemas" / "definitions" if specs.is_dir() else None)
        self.throttle = Throttle(options.speedup, options.rate_limits)
        self.handlers = {}
        for module in (api_account, api_catalog, api_definitions, api_feeds, api_listings,
                       api_notifications, api_orders, api_reports):  # fmt: skip
            self.handlers.update(module.HANDLERS)
        self.courier = Courier(self.state)  # delivers notifications to SQS

    def reset(self) -> None:
        """Forget everything and go back to the options the emulator was created with."""
        self.state.reset()
        seed.populate(self.state)
        for option in dataclasses.fields(self.initial):
            setattr(self.state.options, option.name, getattr(self.initial, option.name))
        self.throttle.speedup = self.initial.speedup
        self.throttle.enabled = self.initial.rate_limits
        self.throttle.reset()

    def record_violation(self, kind: str, operation: str, problems: list[str]) -> None:
        with self.state.lock:
            self.state.violations.append(
                {"kind": kind, "operation": operation, "problems": problems, "at": time.time()}
            )

    def authenticate(
        self, token: str | None, op: str, region: str | None, path: str, sandbox: bool = False
    ) -> dict:
        """The seller (or grantless app) behind an access token; ApiError 403 otherwise."""
        state = self.state
        if not token:
            raise ApiError(403, "Unauthorized", _UNAUTHORIZED, "The request has no access token.")
        now = time.time()
        with state.lock:
            rdt = state.rdts.get(token)
            grant = state.access_tokens.get(token)
        if rdt is not None:
            if rdt["exp"] < now:
                raise ApiError(403, "Unauthorized", _UNAUTHORIZED, "The RDT has expired.")
            covering = [r for r in rdt["resources"] if _covers(r, path)]
            if not covering:
                raise ApiError(403, "Unauthorized", _UNAUTHORIZED, "The RDT does not cover this.")
            # getOrders/getOrder with an RDT return the restricted data elements it names
            elements = {e for r in covering for e in r.get("dataElements") or []}
            return {"seller": rdt["seller"], "region": rdt["region"], "rdt": True,
                    "data_elements": sorted(elements)}  # fmt: skip
        if grant is None or grant.get("refresh") in state.revoked:
            raise ApiError(
                403,
                "Unauthorized",
                _UNAUTHORIZED,
                "The access token you provided is revoked, malformed or invalid.",
            )
        if grant["exp"] < now:
            raise ApiError(
                403, "Unauthorized", _UNAUTHORIZED, "The access token you provided has expired."
            )
        if region and grant.get("region") and grant["region"] != region:
            raise ApiError(
                403,
                "Unauthorized",
                _UNAUTHORIZED,
                f"The access token is for region {grant['region']}, not {region}.",
            )
        if op in routes.GRANTLESS:
            # live calls need the grantless token; the static sandbox also takes a seller's
            grantless = "notifications" in (grant.get("scope") or "")
            if not grantless and (sandbox is False or not grant.get("seller")):
                raise ApiError(403, "Unauthorized", _UNAUTHORIZED,
                               "A grantless operation needs a token of scope "
                               "sellingpartnerapi::notifications.")  # fmt: skip
        elif not grant.get("seller") and op not in routes.GRANTLESS_OR_SELLER:
            raise ApiError(403, "Unauthorized", _UNAUTHORIZED, "This operation needs a seller.")
        if op in RESTRICTED and not sandbox:  # Amazon's static sandbox does not ask for RDTs
            raise ApiError(
                403,
                "Unauthorized",
                _UNAUTHORIZED,
                "This operation returns restricted data: use a Restricted Data Token.",
            )
        return {"seller": grant.get("seller"), "region": grant.get("region"), "rdt": False}

    def static_answer(self, op: str, call: Call) -> tuple[int, object]:
        """The model's static sandbox example whose parameters match the request."""
        for status, params, response in self.contracts.static_examples(op):
            if all(_param_matches(call, name, spec) for name, spec in params.items()):
                return status, (None if status == 204 else response)  # 204 has no body
        raise ApiError(400, "InvalidInput", "No sandbox example matches these request values.")


def _covers(resource: dict, path: str) -> bool:
    template = resource.get("path", "")
    if "{" in template:  # a generic path such as /orders/v0/orders/{orderId}/address
        return routes.compile_template(template).match(path) is not None
    return template == path


def _param_matches(call: Call, name: str, spec: dict) -> bool:
    if "value" not in spec:
        return True
    want = spec["value"]
    if name == "body":
        return call.body == want
    have = call.path.get(name, call.query.get(name))
    if have is None:
        return False
    if isinstance(want, list) or isinstance(have, list):
        want_list = want if isinstance(want, list) else [want]
        have_list = have if isinstance(have, list) else [have]
        return [str(x) for x in want_list] == [str(x) for x in have_list]
    return str(want) == str(have)


def create_emulator(speedup: float = 1.0, validate_contracts: bool = True, **options) -> Flask:
    """A Flask app emulating SP-API and LWA; see Options for the other switches."""
    emulator = Emulator(Options(speedup=speedup, validate_contracts=validate_contracts, **options))
    app = Flask(__name__)
    app.config["EMULATOR"] = emulator
    app.register_blueprint(lwa.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(documents.bp)
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    @app.route("/<any(na,eu,fe):region>/<path:rest>", methods=methods)
    def regional(region: str, rest: str):
        return dispatch(emulator, region.upper(), False, _raw_path(f"/{region}/"))

    @app.route("/sandbox/<any(na,eu,fe):region>/<path:rest>", methods=methods)
    def sandbox(region: str, rest: str):
        return dispatch(emulator, region.upper(), True, _raw_path(f"/sandbox/{region}/"))

    @app.route("/<any(sellers,definitions,listings,feeds,catalog,orders,tokens,fba,"
               "notifications,reports):api>/<path:rest>", methods=methods)  # fmt: skip
    def global_(api: str, rest: str):
        return dispatch(emulator, None, False, _raw_path("/"))

    app.wsgi_app = stamp_arrival(app.wsgi_app)
    return app


def _raw_path(prefix: str) -> str:
    """The request path without its prefix, still percent-encoded (SKUs may contain '/')."""
    from flask import request

    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
    raw = raw.split("?", 1)[0]
    return "/" + raw[len(prefix) :] if raw.startswith(prefix) else raw
