"""The job of bench/lwa_tokens_bench.py: one SP-API call through the production client, with the
access token shared in Redis or kept only in the work horse (the baseline)."""

from __future__ import annotations

from flask import current_app

from core.db import db
from core.models import AmazonAccount, TargetMarketplace
from integrations.amazon import listings
from integrations.amazon.accounts import api_log_recorder, limiter, shared_tokens
from integrations.amazon.client import AppConfig, SellerAccount, SpApiClient


def search_one(account_id: int, shared: int) -> int:
    account = db.session.get(AmazonAccount, account_id)
    market = db.session.query(TargetMarketplace).filter_by(account_id=account_id).first()
    seller = SellerAccount(account.shop_id, account.selling_partner_id, account.region,
                           account.refresh_token)  # fmt: skip
    client = SpApiClient(AppConfig.from_settings(current_app.config["SETTINGS"]), seller,
                         limiter(), recorder=api_log_recorder(account.shop_id),
                         shared_tokens=shared_tokens() if shared else None)  # fmt: skip
    return len(listings.search_listings(client, market.marketplace_id, ["BENCH-SKU"]))
