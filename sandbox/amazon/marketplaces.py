"""The Amazon marketplaces the emulator knows: id, region, country, currency, language, domain."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Marketplace:
    """One Amazon store as getMarketplaceParticipations describes it."""

    id: str
    region: str  # "NA" | "EU" | "FE"
    country: str
    name: str
    currency: str
    language: str
    domain: str


MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("ATVPDKIKX0DER", "NA", "US", "Amazon.com", "USD", "en_US", "www.amazon.com"),
    Marketplace("A2EUQ1WTGCTBG2", "NA", "CA", "Amazon.ca", "CAD", "en_CA", "www.amazon.ca"),
    Marketplace("A1AM78C64UM0Y8", "NA", "MX", "Amazon.com.mx", "MXN", "es_MX", "www.amazon.com.mx"),
    Marketplace("A2Q3Y263D00KWC", "NA", "BR", "Amazon.com.br", "BRL", "pt_BR", "www.amazon.com.br"),
    Marketplace("A1F83G8C2ARO7P", "EU", "GB", "Amazon.co.uk", "GBP", "en_GB", "www.amazon.co.uk"),
    Marketplace("A1PA6795UKMFR9", "EU", "DE", "Amazon.de", "EUR", "de_DE", "www.amazon.de"),
    Marketplace("A13V1IB3VIYZZH", "EU", "FR", "Amazon.fr", "EUR", "fr_FR", "www.amazon.fr"),
    Marketplace("APJ6JRA9NG5V4", "EU", "IT", "Amazon.it", "EUR", "it_IT", "www.amazon.it"),
    Marketplace("A1RKKUPIHCS9HS", "EU", "ES", "Amazon.es", "EUR", "es_ES", "www.amazon.es"),
    Marketplace("A1805IZSGTT6HS", "EU", "NL", "Amazon.nl", "EUR", "nl_NL", "www.amazon.nl"),
    Marketplace("A2NODRKZP88ZB9", "EU", "SE", "Amazon.se", "SEK", "sv_SE", "www.amazon.se"),
    Marketplace("A1C3SOZRARQ6R3", "EU", "PL", "Amazon.pl", "PLN", "pl_PL", "www.amazon.pl"),
    Marketplace("AMEN7PMS3EDWL", "EU", "BE", "Amazon.com.be", "EUR", "fr_BE", "www.amazon.com.be"),
    Marketplace("A28R8C7NBKEWEA", "EU", "IE", "Amazon.ie", "EUR", "en_IE", "www.amazon.ie"),
    Marketplace("A1VC38T7YXB528", "FE", "JP", "Amazon.co.jp", "JPY", "ja_JP", "www.amazon.co.jp"),
    Marketplace("A39IBJ37TRP1C6", "FE", "AU", "Amazon.com.au", "AUD", "en_AU", "www.amazon.com.au"),
    Marketplace("A19VAU5U5O7RUS", "FE", "SG", "Amazon.sg", "SGD", "en_SG", "www.amazon.sg"),
)

BY_ID: dict[str, Marketplace] = {m.id: m for m in MARKETPLACES}
BY_COUNTRY: dict[str, Marketplace] = {m.country: m for m in MARKETPLACES}
REGIONS = ("NA", "EU", "FE")


def in_region(region: str | None) -> list[Marketplace]:
    """The marketplaces served by one regional endpoint (all of them when region is None)."""
    return [m for m in MARKETPLACES if region is None or m.region == region]


def get(marketplace_id: str) -> Marketplace | None:
    """The marketplace with this id, or None for an unknown id."""
    return BY_ID.get(marketplace_id)
