"""The emulator's wc-auth approve page against the real store's (issue 15, WooCommerce item 9):
captures/wc-auth/approve-callback-200.json. Skipped without ../shared, failed under CI."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests

from sandbox.server import serve_in_thread
from tests.support.specs import specs_path
from tests.woocommerce.test_captures import Receiver


@pytest.fixture
def capture() -> dict:
    return json.loads(
        (
            specs_path("woocommerce", "captures") / "wc-auth" / "approve-callback-200.json"
        ).read_text()
    )


@pytest.fixture
def receiver():
    receiver = Receiver()
    server = serve_in_thread(receiver)
    receiver.url = server.url
    yield receiver
    server.stop()


def _hrefs(page: str) -> dict[str, str]:
    """class -> href of the page's action links, as the real page writes them."""
    return {
        css.split()[-1]: html.unescape(href)
        for href, css in re.findall(r'<a href="([^"]+)" class="([^"]+)"', page)
    }


def test_the_approve_page_links_and_the_approve_hop_are_the_real_stores(capture, store, receiver):
    real_page = capture["hops"][0]["response"]["body_excerpt"]
    real = _hrefs(real_page)
    assert real["wc-auth-approve"] == capture["approve_href"]
    assert real["wc-auth-deny"] == capture["deny_href"]
    store.control("config", {"auto_approve": False})
    query = {
        "app_name": capture["app_name"],
        "scope": "read_write",
        "user_id": "capture-user-42",
        "return_url": f"{receiver.url}/return",
        "callback_url": f"{receiver.url}/cb/200",
    }
    page = requests.get(f"{store.url}/wc-auth/v1/authorize?{urlencode(query)}", timeout=30)
    assert page.status_code == 200
    ours = _hrefs(page.text)
    # Approve: a GET link to access_granted/ with the parameters in the real order and a nonce
    real_link, our_link = urlsplit(real["wc-auth-approve"]), urlsplit(ours["wc-auth-approve"])
    assert our_link.path == real_link.path == "/wc-auth/v1/access_granted/"
    real_params, our_params = parse_qsl(real_link.query), parse_qsl(our_link.query)
    assert [k for k, _ in our_params] == [k for k, _ in real_params]
    assert dict(our_params) | {"wc_auth_nonce": ""} == query | {"wc_auth_nonce": ""}
    # Deny: return_url?success=0&user_id=..., never the store
    real_deny = urlsplit(real["wc-auth-deny"])
    assert ours["wc-auth-deny"] == f"{query['return_url']}?{real_deny.query}"
    # the Approve hop: the keys POSTed to the callback, then 302 to return_url?success=1
    real_hop = capture["approve"]["response"]
    answer = requests.get(ours["wc-auth-approve"], timeout=30, allow_redirects=False)
    assert answer.status_code == real_hop["status"] == 302
    real_location = dict(real_hop["headers"])["Location"]
    assert answer.headers["Location"] == (f"{query['return_url']}?{urlsplit(real_location).query}")
    [callback] = [r for r in receiver.requests if r["path"] == "/cb/200"]
    [real_callback] = capture["callback_requests"]
    real_headers = dict(real_callback["headers"])
    assert callback["headers"]["Content-Type"] == real_headers["Content-Type"]
    assert callback["headers"]["User-Agent"] == f"WordPress/7.1; {store.url}"
    assert list(json.loads(callback["body"])) == list(real_callback["body_json"])
