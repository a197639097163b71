"""LWA access tokens shared by every process through Redis, encrypted at rest.

Each RQ job runs in a freshly forked work horse, so a per-process cache dies with the job: without
this, every job that calls Amazon first spends one Login with Amazon round trip (and a burst of
jobs sends a burst of token requests). An access token is a bearer credential for an hour, so it is
stored encrypted with the app's keyring (MultiFernet: rotation works as for the database), under a
key that is a digest of (token URL, client id, refresh token, scope) and never the refresh token
itself. Redis expires it when it should be renewed.

Redis is a cache here, never needed: when it fails, or a value cannot be decrypted (a key rotated
out), the token is fetched from Amazon as if nothing were shared.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable

import redis

from core.crypto import Keyring, SecretError

log = logging.getLogger("crossport.amazon")

FETCH_LOCK_MS = 10_000  # longer than a slow LWA answer; a crashed fetcher's lock lapses by then
WAIT_FOR_FETCHER_SECONDS = 5.0  # then fetch anyway: a token late is worse than one fetched twice
POLL_SECONDS = 0.05


class SharedTokens:
    """Access tokens in Redis for all processes: `get`, `put`, `drop`, and `fetch_once`."""

    def __init__(self, client: redis.Redis, keyring: Keyring, prefix: str = "crossport") -> None:
        self.redis, self.keyring = client, keyring
        self.prefix = f"{prefix}:lwa"

    def redis_key(self, parts: tuple) -> str:
        digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
        return f"{self.prefix}:{digest}"

    def get(self, parts: tuple) -> tuple[dict, float] | None:
        """(token answer, seconds it stays usable), or None when none is shared."""
        key = self.redis_key(parts)
        try:
            with self.redis.pipeline(transaction=False) as pipe:
                value, ttl_ms = pipe.get(key).pttl(key).execute()
        except redis.RedisError as exc:
            log.warning("shared LWA tokens unavailable (%s): fetching", exc)
            return None
        if value is None or ttl_ms <= 0:
            return None
        try:
            return json.loads(self.keyring.decrypt(value.decode())), ttl_ms / 1000
        except (SecretError, ValueError):
            return None  # encrypted with a key no longer given, or damaged: fetch a new one

    def put(self, parts: tuple, answer: dict, lifetime: float) -> None:
        try:
            sealed = self.keyring.encrypt(json.dumps(answer))
            self.redis.set(self.redis_key(parts), sealed, px=max(1, int(lifetime * 1000)))
        except redis.RedisError as exc:
            log.warning("could not share an LWA token (%s)", exc)

    def _held(self, lock: str) -> bool:
        try:
            return bool(self.redis.exists(lock))
        except redis.RedisError:
            return False

    def drop(self, parts: tuple) -> None:
        try:
            self.redis.delete(self.redis_key(parts))
        except redis.RedisError as exc:
            log.warning("could not drop a shared LWA token (%s)", exc)

    def fetch_once(
        self, parts: tuple, fetch: Callable[[], tuple[dict, float]]
    ) -> tuple[dict, float]:
        """The shared token, else one fetched by this process while the others wait for it
        (so a burst of jobs starting together asks Amazon once)."""
        found = self.get(parts)
        if found:
            return found
        lock = self.redis_key(parts) + ":fetching"
        try:
            mine = bool(self.redis.set(lock, "1", nx=True, px=FETCH_LOCK_MS))
        except redis.RedisError:
            mine = True
        if mine:
            # Another process may have fetched, shared and let go of the lock between our first
            # look and taking the lock: look again before asking Amazon.
            found = self.get(parts)
            if found:
                self._release(lock)
                return found
        else:
            deadline = time.monotonic() + WAIT_FOR_FETCHER_SECONDS
            while time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
                # Lock first, token second: the fetcher shares the token before letting go, so a
                # lock gone and still no token means it failed (LWA refused it).
                held = self._held(lock)
                found = self.get(parts)
                if found:
                    return found
                if not held:
                    break  # try for ourselves
        try:
            answer, lifetime = fetch()
            self.put(parts, answer, lifetime)
            return answer, lifetime
        finally:
            if mine:
                self._release(lock)

    def _release(self, lock: str) -> None:
        try:
            self.redis.delete(lock)
        except redis.RedisError:
            pass
