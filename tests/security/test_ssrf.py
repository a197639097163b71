"""SSRF: no user-supplied URL makes Crossport call an internal address. A local listener on
127.0.0.1 (and ::1 where the machine has it) records every TCP connection it accepts; the
sandbox host list is empty, so no address is an exception. Every route and method of the
url_map gets each attack form in every URL-like parameter (query, form and JSON; an owner's
token so the call gets past the auth check): no 500 and no connection. The known entry points
answer a clear 4xx: the WooCommerce store_url of the key flow, and Shopify's shop domain of
the install (a domain Crossport later calls, so it must be a bare *.myshopify.com host).
A store that answers with a redirect to an internal address is not followed."""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit

import pytest

from integrations.shopify.oauth import valid_shop_domain
from tests.security import routes as R
from tests.web.conftest import make_shop, session_token

URL_PARAMS = ("store_url", "url", "shop", "shop_domain", "domain", "host", "callback_url",
              "return_url", "redirect_uri", "redirect_url", "next", "webhook_url", "endpoint",
              "base_url")  # fmt: skip


class Listener:
    """Accepts TCP connections on one port of 127.0.0.1 (and ::1), records each, and answers
    any request with a redirect to itself (so a client that follows redirects is seen too)."""

    def __init__(self, location: str | None = None):
        self.hits: list[bytes] = []
        self.location = location
        self.sockets = []
        self.running = True
        v4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        v4.bind(("127.0.0.1", 0))
        self.port = v4.getsockname()[1]
        self.sockets.append(v4)
        try:
            v6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            v6.bind(("::1", self.port))
            self.sockets.append(v6)
        except OSError:
            pass
        for sock in self.sockets:
            sock.listen(16)
            sock.settimeout(0.2)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock):
        while self.running:
            try:
                conn, _ = sock.accept()
            except (TimeoutError, OSError):
                if not self.running:
                    return
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.hits.append(conn.recv(4096) or b"<connected>")
                    location = self.location or f"http://127.0.0.1:{self.port}/followed"
                    conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\n"
                                 "Content-Length: 0\r\n\r\n".encode())  # fmt: skip
                except OSError:
                    self.hits.append(b"<connected>")

    def close(self):
        self.running = False
        for sock in self.sockets:
            sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def attack_urls(port: int) -> list[str]:
    """Internal addresses in many spellings, other schemes and userinfo tricks."""
    loopback = ["127.0.0.1", "127.1", "0x7f000001", "2130706433", "0177.0.0.1", "0x7f.0.0.1",
                "[::1]", "localhost", "localhost.", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
                "0", "0.0.0.0", "[::]", "127.000.000.001"]  # fmt: skip
    private = ["10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "169.254.169.254",
               "[fe80::1]", "[fc00::1]", "[::ffff:169.254.169.254]", "[::ffff:10.0.0.1]",
               "[64:ff9b::a9fe:a9fe]", "224.0.0.1"]  # fmt: skip
    urls = []
    for host in loopback:
        urls += [f"https://{host}:{port}", f"http://{host}:{port}", f"{host}:{port}"]
    for host in private:
        urls += [f"https://{host}", f"http://{host}/latest/meta-data/"]
    urls += [
        f"https://shop.example@127.0.0.1:{port}",
        f"https://shop.example:pw@127.0.0.1:{port}",
        f"https://127.0.0.1:{port}#@shop.example",
        f"https://127.0.0.1:{port}\\@shop.example",
        f"https://127.0.0.1:{port}?.shop.example",
        "file:///etc/passwd",
        f"gopher://127.0.0.1:{port}/_GET",
        f"ftp://127.0.0.1:{port}/",
        f"dict://127.0.0.1:{port}/",
        "javascript:alert(1)",
        "data:text/html,hi",
        f"//127.0.0.1:{port}",
        f" https://127.0.0.1:{port}",
        f"HTTPS://127.0.0.1:{port}",
        f"https://127.0.0.1:{port}:443",
    ]
    return urls


def shop_domain_attacks(port: int) -> list[str]:
    """Shop domains that are not a bare *.myshopify.com host (Crossport calls that host)."""
    return [
        "127.0.0.1", f"127.0.0.1:{port}", "localhost", "[::1]", "169.254.169.254",
        "evil.example#.myshopify.com", f"127.0.0.1:{port}/.myshopify.com",
        "alpha.myshopify.com@127.0.0.1", f"alpha.myshopify.com:{port}",
        "alpha.myshopify.com.evil.example", "alpha.myshopify.com/../127.0.0.1",
        "https://alpha.myshopify.com", "alpha.myshopify.com.", "alpha.myshopify.com\n",
        "alpha.myshopify.com%2F@127.0.0.1", "ALPHA.MYSHOPIFY.COM@127.0.0.1", ".myshopify.com",
        "alpha.myshopify.com\\@127.0.0.1", "alpha.myshopify.com?x=127.0.0.1",
    ]  # fmt: skip


@pytest.fixture
def ssrf_app(app_factory):
    app = app_factory(woocommerce_sandbox_hosts=())
    with app.app_context():
        yield app
        from core.db import db

        db.session.remove()
        db.engine.dispose()


def _route_cases():
    return [pytest.param(rule, method, id=f"{method} {rule}") for rule, method, _ in R.routes()]


@pytest.mark.parametrize(("rule", "method"), _route_cases())
def test_no_route_calls_an_internal_address(ssrf_app, listener, rule, method):
    client = ssrf_app.test_client()
    shop = make_shop("alpha.myshopify.com", users={"1": "owner"})
    headers = {"Authorization": f"Bearer {session_token(ssrf_app, shop.domain, '1')}"}
    path = R.fill(rule, {name: ("1" if kind == "int" else "x") for kind, name in R.params(rule)})
    for url in attack_urls(listener.port) + shop_domain_attacks(listener.port):
        fields = {name: url for name in URL_PARAMS}
        query = client.open(path, method=method, headers=headers, query_string=fields)
        # an unhandled error is a 500; a 502 is an upstream Crossport called on its own behalf
        # (e.g. /shopify/session exchanging the token of the shop the token names)
        assert query.status_code != 500, f"{method} {path}?…={url!r}: {query.status_code}"
        if method != "GET":
            form = client.open(path, method=method, headers=headers, data=fields)
            as_json = client.open(path, method=method, headers=headers, json=fields)
            assert form.status_code != 500 and as_json.status_code != 500, url
        assert not listener.hits, (
            f"{method} {path} with {url!r} reached the listener: {listener.hits[0][:60]!r}"
        )


def test_store_url_forms_are_refused_before_any_call(ssrf_app, listener):
    client = ssrf_app.test_client()
    for url in attack_urls(listener.port):
        answer = client.get("/woocommerce/connect", query_string={"store_url": url})
        assert answer.status_code == 400, f"{url!r}: {answer.status_code}"
        assert b"cannot be connected" in answer.data
        assert not listener.hits, f"{url!r} reached the listener: {listener.hits[0][:60]!r}"


def test_shop_domain_forms_are_refused(ssrf_app, listener):
    client = ssrf_app.test_client()
    for shop in shop_domain_attacks(listener.port):
        answer = client.get("/shopify/install", query_string={"shop": shop})
        assert answer.status_code == 400, f"{shop!r}: {answer.status_code}"
        assert b"myshopify.com" in answer.data
        assert "Location" not in answer.headers
    assert not listener.hits


def test_a_store_redirecting_inward_is_not_followed(app_factory, listener):
    """The store itself is allowed (a sandbox host), but it answers 302 to an internal address
    (the listener on another port): the key flow refuses and never connects there."""
    # the store: every request answers 302 to the listener, in https so that only the
    # address check (not the scheme) can refuse it
    inner = Listener(location=f"https://127.0.0.1:{listener.port}/wp-json/")
    try:
        store = f"127.0.0.1:{inner.port}"
        app = app_factory(woocommerce_sandbox_hosts=(store,))
        with app.app_context():
            answer = app.test_client().get(
                "/woocommerce/connect", query_string={"store_url": f"http://{store}"}
            )
            from core.db import db

            db.session.remove()
            db.engine.dispose()
        assert answer.status_code == 400, answer.status_code
        assert b"not a public address" in answer.data
        assert inner.hits, "the store was probed (its redirect is what is refused)"
        assert not listener.hits
    finally:
        inner.close()


@pytest.mark.parametrize(
    "stored", ["https://127.0.0.1:{port}", "https://[::1]:{port}", "http://localhost:{port}"]
)
def test_a_stored_internal_store_url_is_refused_by_the_client(listener, stored):
    """A store URL stored before a rule tightened (or changed by hand) is checked again when
    the API client is built: no call goes out."""
    from integrations.woocommerce.client import WooClient
    from integrations.woocommerce.urlcheck import UnsafeStoreUrl

    with pytest.raises(UnsafeStoreUrl):
        WooClient(stored.format(port=listener.port), "ck_x", "cs_x", retries=0)
    assert not listener.hits


def test_the_store_api_client_does_not_follow_a_redirect_inward(listener):
    """The store's API answers 302 to an internal address: the client reports the failure
    and never connects there (allow_redirects=False in WooClient._send)."""
    from integrations.woocommerce.client import WooApiError, WooClient

    store = Listener(location=f"http://127.0.0.1:{listener.port}/wp-json/wc/v3/products")
    try:
        address = f"127.0.0.1:{store.port}"
        client = WooClient(f"http://{address}", "ck_x", "cs_x", sandbox_hosts=(address,),
                           retries=0, recorder=lambda **_: None)  # fmt: skip
        with pytest.raises(WooApiError):
            client.get("products")
        assert store.hits, "the store was called"
        assert not listener.hits
    finally:
        store.close()


def test_a_signed_callback_for_a_foreign_shop_domain_calls_nobody(ssrf_app, listener):
    """Shopify's OAuth callback names the shop whose token endpoint Crossport then calls: even
    correctly signed (the app secret is not what guards this), a shop that is not a bare
    *.myshopify.com host is refused before the code exchange."""
    import time

    from integrations.shopify import oauth

    client = ssrf_app.test_client()
    secret = ssrf_app.config["SETTINGS"].shopify_api_secret
    for shop in shop_domain_attacks(listener.port):
        params = {"code": "c0de", "shop": shop, "state": "s", "timestamp": str(int(time.time()))}
        params["hmac"] = oauth.callback_hmac(params, secret)
        answer = client.get("/shopify/callback", query_string=params)
        assert answer.status_code == 400, f"{shop!r}: {answer.status_code}"
    assert not listener.hits


def test_a_session_token_for_a_foreign_shop_domain_calls_nobody(ssrf_app, listener):
    """/shopify/session exchanges the token with the shop its `dest` names: a signed token
    naming an internal host is refused, and nothing is called."""
    client = ssrf_app.test_client()
    for shop in shop_domain_attacks(listener.port):
        token = session_token(ssrf_app, shop, "1")
        answer = client.post("/shopify/session", headers={"Authorization": f"Bearer {token}"})
        # a path or query after a real myshopify host leaves that host the token's shop (the
        # exchange with it is tried, and fails here with a 502: no Shopify in the tests)
        host = urlsplit(f"https://{shop}").netloc.lower()
        refused = 400 <= answer.status_code < 500
        assert refused or (answer.status_code == 502 and valid_shop_domain(host)), shop
    assert not listener.hits
