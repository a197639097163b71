"""Connecting an Amazon region as the page and the seller's browser do (web/amazon_connect.py):
the page gets a start ticket with its token, a top-level window of Crossport posts it (the
browser sends Crossport's Origin), Crossport sets its browser cookie and sends the window to
Seller Central (the SP-API emulator), whose redirect comes back to /amazon/callback."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def start_consent(client, headers: dict, region: str) -> str:
    """Seller Central's consent URL, the start having set the browser cookie in `client` (a
    Flask test client: one browser, with its cookie jar)."""
    started = client.post(f"/amazon/authorize?region={region}", headers=headers)
    assert started.status_code == 200, started.get_data(as_text=True)
    public_url = client.application.config["SETTINGS"].public_url
    answer = client.post(
        started.json["start_url"],
        data={"ticket": started.json["ticket"]},
        headers={"Origin": origin_of(public_url)},
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return answer.headers["Location"]


def approve(consent_url: str) -> str:
    """What the seller's browser does at Seller Central: approve, follow the redirect back
    (the emulator's consent page answers 302 to redirect_uri: sandbox/amazon/lwa.py)."""
    answer = requests.get(consent_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/amazon/callback"
    return f"{back.path}?{back.query}"


def connect_region(client, headers: dict, region: str):
    """The whole trip in one browser; the callback's answer."""
    return client.get(approve(start_consent(client, headers, region)))


def start_consent_over_http(session: requests.Session, public_url: str, api) -> callable:
    """For tests driving a live server with `requests`: `api(method, path)` is the page's call
    with its token; `session` is the browser (its cookie jar). Returns a function of the region
    giving Seller Central's consent URL."""

    def start(region: str) -> str:
        started = api("POST", f"/amazon/authorize?region={region}")
        assert started.status_code == 200, started.text
        body = started.json()
        answer = session.post(
            public_url.rstrip("/") + body["start_url"],
            data={"ticket": body["ticket"]},
            headers={"Origin": origin_of(public_url)},
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code == 303, answer.text
        return answer.headers["Location"]

    return start
