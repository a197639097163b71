"""LWA access tokens shared between processes: real RQ work horses (each a fresh fork) ask LWA
once per refresh token, the token sits in Redis only encrypted, and Redis failing or a rotated key
costs a token request, never a call."""

from __future__ import annotations

import hashlib
import threading
import time

import redis
from cryptography.fernet import Fernet
from flask import current_app

from core.crypto import Keyring, active_keyring
from core.redis import get_redis
from integrations.amazon import sellers, tokens
from integrations.amazon.accounts import client_for, limiter, shared_tokens
from integrations.amazon.client import AppConfig, SellerAccount, SpApiClient
from integrations.amazon.shared_tokens import SharedTokens
from jobs.queues import enqueue
from tests.support.servers import free_port
from tests.support.workers import run_burst_worker

JOBS_PER_ACCOUNT = 4
AT_ONCE = 6


def _grants(emulator) -> list[dict]:
    return emulator.calls("lwa:refresh_token")


def _client(account, shared: SharedTokens | None) -> SpApiClient:
    """The production client, with the shared cache given (or none)."""
    seller = SellerAccount(account.shop_id, account.selling_partner_id, account.region,
                           account.refresh_token)  # fmt: skip
    settings = current_app.config["SETTINGS"]
    return SpApiClient(AppConfig.from_settings(settings), seller, limiter(), shared_tokens=shared)


def test_jobs_in_separate_work_horses_share_one_token_per_account(amazon_app, make_account,
                                                                  emulator):  # fmt: skip
    # given three accounts (one per region) and four jobs each, every job in its own fork
    accounts = [make_account(region) for region in ("NA", "EU", "FE")]
    for account in accounts:
        for _ in range(JOBS_PER_ACCOUNT):
            enqueue("tests.support.sample_jobs.read_participations", account.id, queue="orders")
    # when a real worker runs them
    output = run_burst_worker(amazon_app.config["SETTINGS"])
    # then every job made its call, and LWA was asked once per refresh token
    calls = emulator.calls("getMarketplaceParticipations")
    assert len(calls) == 3 * JOBS_PER_ACCOUNT, output[-2000:]
    assert all(c["status"] == 200 for c in calls)
    grants = _grants(emulator)
    assert sorted(g["region"] for g in grants) == ["EU", "FE", "NA"], output[-2000:]


def test_the_shared_token_is_encrypted_and_keyed_by_a_digest(amazon_app, make_account, emulator):
    account = make_account("EU")
    sellers.marketplace_participations(client_for(account))
    keys = get_redis().keys(f"{amazon_app.config['SETTINGS'].queue_prefix}:lwa:*")
    assert len(keys) == 1
    stored = get_redis().get(keys[0]).decode()
    assert "Atza|" not in stored and account.refresh_token not in keys[0].decode()
    assert "Atza|" in active_keyring().decrypt(stored)  # the keyring is what opens it
    digest = keys[0].decode().rsplit(":", 1)[1]
    assert digest != hashlib.sha256(account.refresh_token.encode()).hexdigest()
    # and it expires before Amazon's hour is up (renewed two minutes early)
    assert 0 < get_redis().pttl(keys[0]) <= 3600_000 - 120_000


def test_a_token_sealed_with_a_key_no_longer_given_is_fetched_again(amazon_app, make_account,
                                                                    emulator):  # fmt: skip
    account = make_account("EU")
    old = SharedTokens(get_redis(), Keyring([Fernet.generate_key().decode()]),
                       amazon_app.config["SETTINGS"].queue_prefix)  # fmt: skip
    sellers.marketplace_participations(_client(account, old))
    tokens.forget(account.refresh_token)  # a new process: nothing cached in memory
    sellers.marketplace_participations(_client(account, shared_tokens()))
    assert len(_grants(emulator)) == 2
    assert [c["status"] for c in emulator.calls("getMarketplaceParticipations")] == [200, 200]


def test_without_redis_the_token_is_fetched_and_the_call_made(amazon_app, make_account,
                                                              emulator):  # fmt: skip
    account = make_account("EU")
    dead = redis.Redis(port=free_port(), socket_connect_timeout=0.5, socket_timeout=0.5)
    shared = SharedTokens(dead, active_keyring(), "dead")
    assert sellers.marketplace_participations(_client(account, shared))
    assert len(_grants(emulator)) == 1


def test_a_refused_token_is_dropped_from_the_shared_cache(amazon_app, make_account, emulator):
    # given a token that Amazon will stop honouring after a second
    emulator.control("POST", "options", json={"access_token_seconds": 1})
    account = make_account("EU")
    client = client_for(account)
    assert sellers.marketplace_participations(client)
    time.sleep(1.1)
    # when another process (nothing in memory) calls with the shared, now refused, token
    tokens.forget(account.refresh_token)
    assert sellers.marketplace_participations(client_for(account))
    # then the 403 dropped it everywhere: one more grant, and a third process uses the new one
    tokens.forget(account.refresh_token)
    assert sellers.marketplace_participations(client_for(account))
    statuses = [c["status"] for c in emulator.calls("getMarketplaceParticipations")]
    assert statuses == [200, 403, 200, 200]
    assert len(_grants(emulator)) == 2


def test_processes_starting_together_ask_lwa_once(amazon_app, make_account, emulator):
    """Threads stand in for processes here: each has its own token class and nothing in memory
    when they start, so they meet in Redis."""
    account = make_account("EU")
    clients = [client_for(account) for _ in range(AT_ONCE)]
    start = threading.Barrier(AT_ONCE)
    errors = []

    def call(client):
        start.wait()
        try:
            sellers.marketplace_participations(client)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    tokens.forget(account.refresh_token)
    threads = [threading.Thread(target=call, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(_grants(emulator)) == 1


class _LateStarter(SharedTokens):
    """A process that looks in Redis, finds nothing, and is descheduled while another process
    fetches, shares the token and lets go of the lock (the interleaving CI once hit)."""

    def __init__(self, *args, meanwhile) -> None:
        super().__init__(*args)
        self.meanwhile, self.looks = meanwhile, 0

    def get(self, parts):
        self.looks += 1
        if self.looks == 1:
            found = super().get(parts)
            self.meanwhile()
            return found
        return super().get(parts)


def test_a_process_that_finds_the_lock_free_after_another_fetched_uses_its_token(amazon_app):
    keyring, prefix = active_keyring(), amazon_app.config["SETTINGS"].queue_prefix
    parts = ("https://lwa.example", "client", "Atzr|late", "")
    fetched = []

    def fetch(name):
        def do():
            fetched.append(name)
            return {"access_token": f"Atza|{name}"}, 3000.0

        return do

    other = SharedTokens(get_redis(), keyring, prefix)
    late = _LateStarter(get_redis(), keyring, prefix,
                        meanwhile=lambda: other.fetch_once(parts, fetch("other")))  # fmt: skip
    answer, _ = late.fetch_once(parts, fetch("late"))
    assert fetched == ["other"]
    assert answer == {"access_token": "Atza|other"}
    assert not get_redis().exists(late.redis_key(parts) + ":fetching")
