"""The OAuth callback's query HMAC is checked exactly as Shopify computes it, against vectors
produced the way Shopify's libraries produce them:

- `shopify_api_js_hmac` mirrors @shopify/shopify-api 13.1 (Shopify/shopify-app-js,
  packages/apps/shopify-api/lib/utils/hmac-validator.ts `generateLocalHmac` →
  `stringifyQueryForAdmin`, and lib/utils/processed-query.ts): drop `hmac` and `signature`,
  sort the keys with `localeCompare`, append each pair to a URLSearchParams, serialize it and
  turn '+' into %20, hex HMAC-SHA256 with the app secret. Its OAuth callback reads the query
  with `Object.fromEntries(searchParams.entries())` (lib/auth/oauth/oauth.ts), so a repeated
  key signs its last value.
- `shopify_python_api_hmac` mirrors shopify_python_api (Shopify/shopify_python_api,
  shopify/session.py `Session.calculate_hmac` / `__encoded_params_for_signature`), the library
  that signs the admin's `ids[]` arrays as the admin does: `ids=["1", "2"]`.

When Node is installed, the JavaScript vectors are also computed by Node's own URLSearchParams,
localeCompare and crypto, running the library's algorithm, so the Python mirror cannot drift.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import time
from urllib.parse import quote

import pytest

from integrations.shopify.oauth import CALLBACK_MAX_AGE, callback_params, verify_callback

SECRET = "hush-the-app-secret"
SHOP = "hmac-test.myshopify.com"
# The admin's host parameter: base64 of admin.shopify.com/store/<shop>, padding kept.
HOST = "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvaG1hYy10ZXN0"  # no padding
PADDED_HOST = "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvaG1hYy10ZXN0eA=="  # ".../hmac-testx"

# Node's `[...ascii].sort((a, b) => a.localeCompare(b))` (ICU root collation): whitespace and
# punctuation, digits, then letters, lower case before upper case.
NODE_ASCII_ORDER = (
    "\t _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789"
    "aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ"
)


def _locale_compare_key(key: str):
    """localeCompare's order for ASCII keys: case-blind first, then lower before upper."""
    rank = {ch: i for i, ch in enumerate(NODE_ASCII_ORDER)}
    primary = [rank[ch.lower()] if ch.isalpha() else rank[ch] for ch in key]
    return primary, [ch.isupper() for ch in key]


def _url_search_params_serialize(text: str) -> str:
    """The application/x-www-form-urlencoded serializer URLSearchParams uses (WHATWG URL):
    ASCII alphanumerics and *-._ as they are, a space as '+', every other UTF-8 byte %XX."""
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch.isascii() and (ch.isalnum() or ch in "*-._"):
            out.append(ch)
        elif ch == " ":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def shopify_api_js_hmac(params: dict[str, str], secret: str = SECRET) -> str:
    query = {k: v for k, v in params.items() if k not in ("hmac", "signature")}
    pairs = [
        f"{_url_search_params_serialize(k)}={_url_search_params_serialize(query[k])}"
        for k in sorted(query, key=_locale_compare_key)
    ]
    message = "&".join(pairs).replace("+", "%20")  # ProcessedQuery.stringify
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def shopify_python_api_hmac(params: dict, secret: str = SECRET) -> str:
    def encoded_pairs():
        for k, v in params.items():
            if k == "hmac":
                continue
            if k.endswith("[]"):
                k = k.rstrip("[]")
                v = json.dumps(list(map(str, v)))
            k = str(k).replace("%", "%25").replace("=", "%3D")
            v = str(v).replace("%", "%25")
            yield f"{k}={v}".replace("&", "%26")

    message = "&".join(sorted(encoded_pairs()))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _query(pairs: list[tuple[str, str]]) -> bytes:
    """The query string as a browser sends it (every reserved character escaped)."""
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs).encode()


def _fresh(**params) -> dict[str, str]:
    return {"code": "0907a61c0c8d55e99db179b68161bc00", "shop": SHOP, "state": "st4te",
            "timestamp": str(int(time.time())), **params}  # fmt: skip


def _accepts(query: bytes, **kwargs) -> bool:
    return verify_callback(callback_params(query), SECRET, **kwargs)


# Parameter sets whose signing differs between "decoded pairs" and Shopify's form-encoded query
# (each gets the usual code, shop, state and a fresh timestamp when its test runs).
VECTORS = {
    "plain": {},
    "padded base64 host": {"host": PADDED_HOST},
    "host without padding": {"host": HOST},
    "spaces, plus, ampersand, equals, slash": {"state": "a b+c&d=e/f"},
    "non-ASCII and ~*": {"state": "größe~*'!()"},
    "keys in localeCompare order": {"Zeta": "1", "alpha": "2", "a_b": "3", "a1": "4", "a-b": "5"},
    "embedded launch": {"embedded": "1", "id_token": "x.y.z", "locale": "de", "session": "s"},
}


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_a_callback_signed_as_shopify_signs_it_verifies(name):
    params = _fresh(**VECTORS[name])
    signed = [*params.items(), ("hmac", shopify_api_js_hmac(params))]
    assert _accepts(_query(signed))


def test_an_escaped_ampersand_in_a_value_is_not_a_second_parameter():
    """Shopify signed code=X and host=H; `code=X%26host%3DH` is one value, refused by
    Shopify's library (it signs the form-encoded query), so refused here."""
    signed = _fresh(code="X", host="H")
    sig = shopify_api_js_hmac(signed)
    smuggled = [("code", "X&host=H"), ("shop", SHOP), ("state", signed["state"]),
                ("timestamp", signed["timestamp"]), ("hmac", sig)]  # fmt: skip
    assert not _accepts(_query(smuggled))


def test_a_repeated_key_counts_with_its_last_value_as_in_shopifys_library():
    params = _fresh(code="genuine")
    sig = shopify_api_js_hmac(params)
    last_genuine = [("code", "injected"), *params.items(), ("hmac", sig)]
    assert _accepts(_query(last_genuine))
    assert callback_params(_query(last_genuine))["code"] == "genuine"  # the value that is used
    first_genuine = [*params.items(), ("code", "injected"), ("hmac", sig)]
    assert not _accepts(_query(first_genuine))


def test_ids_arrays_are_signed_over_every_id():
    params = {"ids[]": ["2074861961283", "2074861830211"], "locale": "en", "shop": SHOP,
              "timestamp": str(int(time.time()))}  # fmt: skip
    sig = shopify_python_api_hmac(params)
    ids = [("ids[]", i) for i in params["ids[]"]]
    rest = [(k, v) for k, v in params.items() if k != "ids[]"]
    assert _accepts(_query([*ids, *rest, ("hmac", sig)]))
    tampered = [ids[0], ("ids[]", "9999999999999"), *rest, ("hmac", sig)]
    assert not _accepts(_query(tampered))
    extended = [*ids, ("ids[]", "9999999999999"), *rest, ("hmac", sig)]
    assert not _accepts(_query(extended))


def test_only_lower_case_hex_is_accepted():
    params = _fresh()
    sig = shopify_api_js_hmac(params)
    assert _accepts(_query([*params.items(), ("hmac", sig)]))
    assert not _accepts(_query([*params.items(), ("hmac", sig.upper())]))


@pytest.mark.parametrize("skew", [-CALLBACK_MAX_AGE + 1, CALLBACK_MAX_AGE - 1])
def test_a_timestamp_within_90_seconds_verifies(skew):
    assert CALLBACK_MAX_AGE == 90  # @shopify/shopify-api HMAC_TIMESTAMP_PERMITTED_CLOCK_TOLERANCE
    params = _fresh(timestamp=str(int(time.time()) + skew))
    assert _accepts(_query([*params.items(), ("hmac", shopify_api_js_hmac(params))]))


@pytest.mark.parametrize("skew", [-91, 91, -300, 300])
def test_a_timestamp_beyond_90_seconds_is_refused(skew):
    params = _fresh(timestamp=str(int(time.time()) + skew))
    assert not _accepts(_query([*params.items(), ("hmac", shopify_api_js_hmac(params))]))


@pytest.mark.parametrize("value", ["é" * 64, "ü", "\u2603" * 10, "0" * 64, "", "%ff"])
def test_a_bad_hmac_on_the_callback_route_is_a_4xx(client, value):
    params = _fresh()
    answer = client.get("/shopify/callback?" + _query([*params.items(), ("hmac", value)]).decode())
    assert answer.status_code == 401, answer.data
    assert b"signature" in answer.data


def test_a_query_that_is_not_utf8_is_a_400(client):
    # a raw byte 0xff (WSGI carries the query as latin-1 text)
    raw = {"QUERY_STRING": f"shop={SHOP}&code=\xff"}
    answer = client.get("/shopify/callback", environ_overrides=raw)
    assert answer.status_code == 400 and b"UTF-8" in answer.data, answer.data


# -- the same vectors computed by Node running the library's algorithm ------------------------

NODE_SIGNER = """
const crypto = require('crypto');
const [secret, json] = process.argv.slice(1);
const out = {};
for (const [name, params] of Object.entries(JSON.parse(json))) {
  // hmac-validator.ts generateLocalHmac + stringifyQueryForAdmin, processed-query.ts
  const {hmac: _h, signature: _s, ...query} = params;
  const processed = new URLSearchParams();
  Object.keys(query).sort((a, b) => a.localeCompare(b))
    .forEach((key) => processed.append(key, `${query[key]}`));
  const message = processed.toString().replace(/\\+/g, '%20');
  out[name] = crypto.createHmac('sha256', secret).update(message).digest('hex');
}
console.log(JSON.stringify(out));
"""


def test_the_python_mirror_matches_node_running_shopifys_algorithm():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    vectors = {name: _fresh(**extra) for name, extra in VECTORS.items()}
    answer = subprocess.run(
        [node, "-e", NODE_SIGNER, SECRET, json.dumps(vectors)],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    by_node = json.loads(answer.stdout)
    assert by_node == {name: shopify_api_js_hmac(params) for name, params in vectors.items()}
    for name, params in vectors.items():
        assert _accepts(_query([*params.items(), ("hmac", by_node[name])])), name
