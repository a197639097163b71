"""The one place Crossport reaches inside python-amazon-sp-api, checked against the installed
release, so an upgrade that moves it fails here, by name, instead of in every SP-API call.

The library has no public hook on its HTTP responses; integrations/amazon/client.py replaces the
client's `_transport` with one whose httpx client records each response (a 429 with an empty body
is otherwise an empty answer, not an exception). pyproject.toml pins the minor release this test
was written against."""

from __future__ import annotations

import inspect

import httpx
from sp_api.base import Client
from sp_api.base._transport_httpx import HttpxTransport


def test_the_client_sends_every_request_through_its_transport_attribute():
    source = inspect.getsource(Client)
    assert "self._transport = HttpxTransport(" in source
    assert "self._transport.request(" in source


def test_the_transport_takes_a_ready_httpx_client_and_sends_through_it():
    seen = []
    handler = httpx.MockTransport(lambda request: httpx.Response(429, content=b""))
    client = httpx.Client(transport=handler, event_hooks={"response": [seen.append]})
    response = HttpxTransport(client=client).request("GET", "https://sellingpartnerapi.test/x")
    assert response.status_code == 429
    assert [r.status_code for r in seen] == [429]
