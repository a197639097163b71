"""The emulator keeps the SP-API contract: static sandbox examples, usage plans, validation."""

from __future__ import annotations

import json
import re

import pytest
import requests

from integrations.amazon.ratelimit import USAGE_PLANS as CLIENT_PLANS
from sandbox.amazon import routes
from sandbox.amazon.contracts import Contracts
from sandbox.amazon.throttle import USAGE_PLANS as EMULATOR_PLANS


def _access_token(emulator, seller, region="NA") -> str:
    answer = requests.post(f"{emulator.url}/auth/o2/token", timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": seller["refresh_tokens"][region],
        "client_id": "test-client", "client_secret": "test-secret"}).json()  # fmt: skip
    return answer["access_token"]


def _models(specs_dir) -> Contracts:
    return Contracts(specs_dir / "sp-api" / "models")


def _static_cases(specs_dir):
    contracts = _models(specs_dir)
    for route in routes.ROUTES:
        for status, params, response in contracts.static_examples(route.operation):
            if all("value" in p for p in params.values()) and params:
                yield route, status, params, response


def test_usage_plans_match_the_models(specs_dir):
    documented = {}
    for model in routes.MODEL_FILES.values():
        doc = json.loads((specs_dir / "sp-api" / "models" / model).read_text())
        for item in doc["paths"].values():
            for op in item.values():
                if isinstance(op, dict) and "operationId" in op:
                    found = re.search(r"\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|", op.get("description", ""))
                    if found:
                        documented[op["operationId"]] = (float(found[1]), int(found[2]))
    for name, plan in {**EMULATOR_PLANS, **CLIENT_PLANS}.items():
        assert documented[name] == (float(plan[0]), plan[1]), name


def test_every_static_sandbox_example_is_replayed(emulator, seller, specs_dir):
    # given the models' static examples (request values and response)
    token = _access_token(emulator, seller)
    cases = list(_static_cases(specs_dir))
    assert len(cases) > 30
    for route, status, params, expected in cases:
        # when the request is sent to the sandbox endpoint with exactly those values
        path = route.template
        query, body = {}, None
        for name, spec in params.items():
            value = spec["value"]
            if "{" + name + "}" in path:
                path = path.replace("{" + name + "}", requests.utils.quote(str(value), safe=""))
            elif name == "body":
                body = value
            else:
                query[name] = ",".join(map(str, value)) if isinstance(value, list) else value
        if "{" in path or "//" in path or path.endswith("/"):
            continue  # an example with an empty or missing path segment has no URL to call
        response = requests.request(route.method, f"{emulator.url}/sandbox/na{path}",
                                    params=query, json=body, timeout=10,
                                    headers={"x-amz-access-token": token})  # fmt: skip
        # then the documented answer comes back
        assert response.status_code == status, (route.operation, params, response.text)
        if status == 204 or expected is None:
            assert response.content == b"", route.operation  # 204 examples show {}
        else:
            assert response.json() == expected, route.operation
        assert response.headers["x-amzn-RequestId"]
        assert response.headers["x-amzn-RateLimit-Limit"]


def test_a_wrong_response_type_is_caught(specs_dir):
    contracts = _models(specs_dir)
    good = {
        "payload": {
            "Orders": [
                {
                    "AmazonOrderId": "1",
                    "PurchaseDate": "x",
                    "LastUpdateDate": "x",
                    "OrderStatus": "Pending",
                }
            ]
        }
    }
    bad = {"payload": {"Orders": [{**good["payload"]["Orders"][0], "OrderStatus": 5}]}}
    assert contracts.check_response("getOrders", 200, good) == []
    assert contracts.check_response("getOrders", 200, bad)


def test_a_request_breaking_the_model_is_refused_and_recorded(emulator, seller, specs_dir):
    token = _access_token(emulator, seller, "EU")
    url = f"{emulator.url}/eu/listings/2021-08-01/items/{seller['seller_id']}/SKU-1"
    response = requests.put(url, params={"marketplaceIds": "A1PA6795UKMFR9"},
                            json={"attributes": {}}, timeout=10,
                            headers={"x-amz-access-token": token})  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidInput"
    kinds = [v["kind"] for v in emulator.violations()]
    assert kinds == ["request"]
    emulator.control("DELETE", "violations")  # expected: keep the fixture's check meaningful


def test_every_response_carries_request_id_and_rate_limit(emulator, seller):
    token = _access_token(emulator, seller, "EU")
    response = requests.get(
        f"{emulator.url}/eu/sellers/v1/marketplaceParticipations",
        headers={"x-amz-access-token": token},
        timeout=10,
    )
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.8"  # 0.016 x speed-up 50
    assert len(response.headers["x-amzn-RequestId"]) == 36


@pytest.mark.parametrize("token", ["", "Atza|forged"])
def test_a_missing_or_forged_token_gets_403(emulator, token):
    response = requests.get(
        f"{emulator.url}/eu/sellers/v1/marketplaceParticipations",
        headers={"x-amz-access-token": token},
        timeout=10,
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "Unauthorized"
