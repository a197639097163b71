"""The emulator authenticates like WooCommerce, and Crossport's client passes its checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import requests
from woocommerce.oauth import OAuth

from integrations.woocommerce.client import WooApiError, WooClient


def _signed_url(store, key: dict, path: str, params: dict | None = None, **oauth) -> str:
    url = f"{store.url}/wp-json/wc/v3/{path}"
    if params:
        url += "?" + urlencode(params)
    return OAuth(
        url=url,
        consumer_key=key["consumer_key"],
        consumer_secret=key["consumer_secret"],
        version="wc/v3",
        method=oauth.pop("method", "GET"),
        **oauth,
    ).get_oauth_url()


def test_a_correctly_signed_request_passes(store):
    key = store.key()
    answer = requests.get(_signed_url(store, key, "products", {"per_page": 3}), timeout=5)
    assert answer.status_code == 200
    assert len(answer.json()) == 3
    assert answer.headers["X-WP-Total"] == "30"
    assert answer.headers["X-WP-TotalPages"] == "10"


def test_a_bad_signature_is_refused(store):
    key = store.key()
    url = _signed_url(store, key, "products")
    parts = dict(parse_qsl(urlsplit(url).query))
    parts["oauth_signature"] = "AAAA" + parts["oauth_signature"][4:]
    answer = requests.get(f"{store.url}/wp-json/wc/v3/products", params=parts, timeout=5)
    assert answer.status_code == 401
    assert "signature" in answer.json()["message"]


def test_a_signature_made_with_another_secret_is_refused(store):
    key = {**store.key(), "consumer_secret": "cs_wrong"}
    answer = requests.get(_signed_url(store, key, "products"), timeout=5)
    assert answer.status_code == 401


def test_a_stale_timestamp_is_refused(store):
    key = store.key()
    stale = int(time.time()) - 16 * 60
    answer = requests.get(_signed_url(store, key, "products", oauth_timestamp=stale), timeout=5)
    assert answer.status_code == 401
    assert answer.json()["message"] == "Invalid timestamp."


def test_a_reused_nonce_is_refused(store):
    key = store.key()
    url = _signed_url(store, key, "products")
    assert requests.get(url, timeout=5).status_code == 200
    again = requests.get(url, timeout=5)
    assert again.status_code == 401
    assert "nonce" in again.json()["message"]


def test_basic_auth_and_query_keys_are_refused_over_http(store):
    key = store.key()
    basic = requests.get(
        f"{store.url}/wp-json/wc/v3/products",
        auth=(key["consumer_key"], key["consumer_secret"]),
        timeout=5,
    )
    query = requests.get(
        f"{store.url}/wp-json/wc/v3/products",
        params={"consumer_key": key["consumer_key"], "consumer_secret": key["consumer_secret"]},
        timeout=5,
    )
    assert basic.status_code == 401
    assert query.status_code == 401


def test_a_read_key_cannot_write(store):
    key = store.key("read")
    reading = requests.get(_signed_url(store, key, "orders"), timeout=5)
    writing = requests.post(_signed_url(store, key, "orders", method="POST"), json={}, timeout=5)
    assert reading.status_code == 200
    assert writing.status_code == 401
    assert "write" in writing.json()["message"]


def test_crossports_client_passes_with_doubled_query_parameters(store):
    key = store.key()
    calls: list[dict] = []
    client = WooClient(
        store.url,
        key["consumer_key"],
        key["consumer_secret"],
        sandbox_hosts=(store.host,),
        recorder=lambda **f: calls.append(f),
    )
    items = list(client.paginate("products", per_page=7, modified_after="2000-01-01T00:00:00"))
    assert len(items) == 30
    assert [c["status_code"] for c in calls] == [200] * 5
    received = store.control("calls", method="GET")
    assert all(c["auth"] == "oauth1" for c in received)
    assert received[-1]["query"].count("per_page=7") == 2  # the library sends them twice


def test_the_client_reports_refusals_as_errors(store):
    key = store.key()
    client = WooClient(
        store.url,
        key["consumer_key"],
        "cs_wrong",
        sandbox_hosts=(store.host,),
        recorder=lambda **f: None,
    )
    try:
        client.get("products")
    except WooApiError as exc:
        assert exc.status == 401
        assert exc.code == "woocommerce_rest_authentication_error"
    else:
        raise AssertionError("a wrong secret must be refused")


def _sha1_header(method: str, url: str, key: dict, params: dict) -> str:
    """An independent HMAC-SHA1 signer following the docs, sending OAuth in the header."""
    oauth = {
        "oauth_consumer_key": key["consumer_key"],
        "oauth_nonce": uuid.uuid4().hex,
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(int(time.time())),
    }

    def enc(value: str) -> str:
        return quote(value, safe="-_.~")

    pairs = sorted((enc(k), enc(v)) for k, v in {**params, **oauth}.items())
    base = "&".join([method, enc(url), enc("&".join(f"{k}={v}" for k, v in pairs))])
    digest = hmac.new((key["consumer_secret"] + "&").encode(), base.encode(), hashlib.sha1)
    oauth["oauth_signature"] = base64.b64encode(digest.digest()).decode()
    return "OAuth " + ", ".join(f'{k}="{enc(v)}"' for k, v in oauth.items())


def test_hmac_sha1_in_the_authorization_header_passes(store):
    key = store.key()
    url = f"{store.url}/wp-json/wc/v3/orders"
    header = _sha1_header("GET", url, key, {"status": "any"})
    answer = requests.get(
        url, params={"status": "any"}, headers={"Authorization": header}, timeout=5
    )
    assert answer.status_code == 200, answer.text


def test_the_client_retries_server_errors_and_logs_every_attempt(store):
    key = store.key()
    calls: list[dict] = []
    client = WooClient(
        store.url,
        key["consumer_key"],
        key["consumer_secret"],
        sandbox_hosts=(store.host,),
        recorder=lambda **f: calls.append(f),
        backoff=0.01,
    )
    store.control("api/faults", {"fail": 2, "status": 503})
    assert len(client.get("products", per_page=2)) == 2
    assert [c["status_code"] for c in calls] == [503, 503, 200]
    assert calls[0]["operation"] == "GET products"


def test_the_client_retries_a_timeout_then_gives_up(store):
    key = store.key()
    calls: list[dict] = []
    client = WooClient(
        store.url,
        key["consumer_key"],
        key["consumer_secret"],
        sandbox_hosts=(store.host,),
        recorder=lambda **f: calls.append(f),
        timeout=0.3,
        retries=1,
        backoff=0.01,
    )
    store.control("api/faults", {"delay": 2, "delay_seconds": 0.6})
    try:
        client.get("orders")
    except WooApiError as exc:
        assert exc.status == 0 and exc.retryable
    else:
        raise AssertionError("two timeouts must fail the call")
    assert [c["status_code"] for c in calls] == [0, 0]
