"""One guard for the whole app against malformed requests: each becomes a 4xx saying what is
wrong, never a 500.

- JSON nested deeper than Python's recursion limit: the JSON provider (used by every
  `request.get_json`) turns the RecursionError into a 400, so `get_json(silent=True)` cannot
  quietly read it as an empty body; routes that parse the raw body themselves (the signed
  webhooks and the key callback must see the bytes) reach the RecursionError handler instead.
- Ids in the URL larger than a database integer: the `int` converter refuses them, so the
  route does not match (404) rather than the database overflowing.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

log = logging.getLogger("crossport.web")

# The smallest integer column of the supported databases: PostgreSQL's INTEGER (SQLite's is
# 8 bytes). Ids and counts beyond it can name nothing stored.
DB_INT_MAX = 2**31 - 1
DB_INT_MIN = -(2**31)

TOO_DEEP = "the JSON body is nested too deeply to read"


class JsonTooDeep(BadRequest):
    description = TOO_DEEP


class GuardedJSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            # not a ValueError, so get_json(silent=True) does not swallow it into None
            raise JsonTooDeep() from None


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` bounded to what an integer column holds, unless a rule sets its own max."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, DB_INT_MAX if max is None else max, signed)


def install(app: Flask) -> None:
    """Call before the blueprints are registered (their rules bind the converter then)."""
    app.json = GuardedJSONProvider(app)
    app.url_map.converters["int"] = DatabaseIntConverter

    @app.errorhandler(RecursionError)
    def _too_deep(exc):
        # a body parsed by hand (json.loads on the raw bytes) nested past the recursion limit
        log.warning("request refused: recursion limit", extra={"path": request.path})
        return jsonify(error="invalid_body", message=TOO_DEEP), 400

    @app.errorhandler(JsonTooDeep)
    def _too_deep_json(exc):
        return jsonify(error="invalid_body", message=TOO_DEEP), 400
