"""Store URL safety: Crossport only calls https stores on public addresses (no SSRF into our net).

A store URL is accepted when its scheme is https and every address its host resolves to is a
public (globally routable) one: private, loopback, link-local, shared (CGNAT), reserved,
multicast and unspecified addresses are refused. Hosts listed in
`Settings.woocommerce_sandbox_hosts` ("host:port") are the exception: they may use plain http and
private addresses (the local emulator). Redirects are followed by hand, each hop checked again.
Residual risk: DNS may change between the check and the call, so the API client checks again
before its calls (see client.py) and never follows redirects.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

Resolver = Callable[[str], Iterable[str]]
MAX_REDIRECTS = 5


class UnsafeStoreUrl(ValueError):
    """The store URL may not be called; the message says why, in words for the seller."""


def resolve_addresses(host: str) -> list[str]:
    """Every IPv4/IPv6 address `host` resolves to (the system resolver)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeStoreUrl(f"the store's host name {host!r} does not resolve") from exc
    return sorted({info[4][0] for info in infos})


def normalize_store_url(raw: str) -> str:
    """scheme://host[:port][/path] lower-cased host, no trailing slash, query or fragment."""
    parts = urlsplit((raw or "").strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UnsafeStoreUrl("the store URL must look like https://your-store.example")
    if parts.username or parts.password:
        raise UnsafeStoreUrl("the store URL may not carry a user name or password")
    try:
        port = parts.port
    except ValueError:  # "host:8103:8655", "host:http", a port past 65535
        raise UnsafeStoreUrl("the store URL's port must be a number from 1 to 65535") from None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))


def _netloc_key(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local)


def check_store_url(
    raw: str, sandbox_hosts: Iterable[str] = (), resolver: Resolver = resolve_addresses
) -> str:
    """The normalized store URL if Crossport may call it, else UnsafeStoreUrl."""
    url = normalize_store_url(raw)
    if _netloc_key(url) in {h.lower() for h in sandbox_hosts}:
        return url
    if urlsplit(url).scheme != "https":
        raise UnsafeStoreUrl("the store must be reached over https")
    host = urlsplit(url).hostname or ""
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = list(resolver(host))
    if not addresses:
        raise UnsafeStoreUrl(f"the store's host name {host!r} does not resolve")
    for address in addresses:
        if not is_public_address(address):
            raise UnsafeStoreUrl(f"the store's address {address} is not a public address")
    return url


def follow_store_redirects(
    url: str,
    sandbox_hosts: Iterable[str] = (),
    resolver: Resolver = resolve_addresses,
    timeout: float = 10.0,
) -> str:
    """Probe the store's REST index, following redirects by hand and checking every hop.

    Returns the store URL after redirects (e.g. http->https or a www host). Any hop that points
    at an unsafe address raises UnsafeStoreUrl before anything is sent to it.
    """
    hosts = tuple(sandbox_hosts)
    current = check_store_url(url, hosts, resolver)
    for _ in range(MAX_REDIRECTS + 1):
        probe = current + "/wp-json/"
        try:
            answer = requests.get(
                probe,
                timeout=timeout,
                allow_redirects=False,
                headers={"Accept": "application/json"},
            )
        except requests.RequestException as exc:
            raise UnsafeStoreUrl(f"the store did not answer at {current}") from exc
        if answer.status_code not in (301, 302, 303, 307, 308):
            return current
        location = urljoin(probe, answer.headers.get("Location", ""))
        if location.rstrip("/").endswith("/wp-json"):
            location = location.rstrip("/")[: -len("/wp-json")]
        current = check_store_url(location, hosts, resolver)
    raise UnsafeStoreUrl("the store redirects too many times")
