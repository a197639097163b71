"""Amazon marketplaces as the mapper needs them: id, site name, currency, language, VAT."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Marketplace:
    """One Amazon storefront; `vat_rate` is the standard rate when prices are shown incl. VAT."""

    id: str
    country: str
    site: str
    region: str
    currency: str
    language_tag: str
    vat_inclusive: bool = False
    vat_rate: Decimal = Decimal("0")

    @property
    def language(self) -> str:
        """The two-letter language of the marketplace's default language tag ("de")."""
        return self.language_tag.split("_")[0]


def _m(mid, country, site, region, currency, tag, vat=None) -> Marketplace:
    inclusive = vat is not None
    return Marketplace(mid, country, site, region, currency, tag, inclusive, Decimal(vat or "0"))


# Prices on European, British, Japanese, Australian, Indian, Turkish, Middle-Eastern and
# Mexican storefronts are shown tax-inclusive; US and Canada add sales tax at checkout.
MARKETPLACES: dict[str, Marketplace] = {
    m.id: m
    for m in (
        _m("ATVPDKIKX0DER", "US", "Amazon.com", "NA", "USD", "en_US"),
        _m("A2EUQ1WTGCTBG2", "CA", "Amazon.ca", "NA", "CAD", "en_CA"),
        _m("A1AM78C64UM0Y8", "MX", "Amazon.com.mx", "NA", "MXN", "es_MX", "16"),
        _m("A2Q3Y263D00KWC", "BR", "Amazon.com.br", "NA", "BRL", "pt_BR"),
        _m("A1F83G8C2ARO7P", "GB", "Amazon.co.uk", "EU", "GBP", "en_GB", "20"),
        _m("A1PA6795UKMFR9", "DE", "Amazon.de", "EU", "EUR", "de_DE", "19"),
        _m("A13V1IB3VIYZZH", "FR", "Amazon.fr", "EU", "EUR", "fr_FR", "20"),
        _m("APJ6JRA9NG5V4", "IT", "Amazon.it", "EU", "EUR", "it_IT", "22"),
        _m("A1RKKUPIHCS9HS", "ES", "Amazon.es", "EU", "EUR", "es_ES", "21"),
        _m("A1805IZSGTT6HS", "NL", "Amazon.nl", "EU", "EUR", "nl_NL", "21"),
        _m("AMEN7PMS3EDWL", "BE", "Amazon.com.be", "EU", "EUR", "fr_BE", "21"),
        _m("A28R8C7NBKEWEA", "IE", "Amazon.ie", "EU", "EUR", "en_IE", "23"),
        _m("A2NODRKZP88ZB9", "SE", "Amazon.se", "EU", "SEK", "sv_SE", "25"),
        _m("A1C3SOZRARQ6R3", "PL", "Amazon.pl", "EU", "PLN", "pl_PL", "23"),
        _m("A33AVAJ2PDY3EV", "TR", "Amazon.com.tr", "EU", "TRY", "tr_TR", "20"),
        _m("A2VIGQ35RCS4UG", "AE", "Amazon.ae", "EU", "AED", "en_AE", "5"),
        _m("A17E79C6D8DWNP", "SA", "Amazon.sa", "EU", "SAR", "ar_AE", "15"),
        _m("A21TJRUUN4KGV", "IN", "Amazon.in", "EU", "INR", "en_IN", "18"),
        _m("A1VC38T7YXB528", "JP", "Amazon.co.jp", "FE", "JPY", "ja_JP", "10"),
        _m("A39IBJ37TRP1C6", "AU", "Amazon.com.au", "FE", "AUD", "en_AU", "10"),
        _m("A19VAU5U5O7RUS", "SG", "Amazon.sg", "FE", "SGD", "en_SG", "9"),
    )
}


def marketplace(marketplace_id: str) -> Marketplace:
    """The marketplace for an id; an unknown id becomes a neutral placeholder, never an error."""
    found = MARKETPLACES.get(marketplace_id)
    if found is not None:
        return found
    return Marketplace(marketplace_id, "", f"Amazon ({marketplace_id})", "", "USD", "en_US")


def site_name(marketplace_id: str | None) -> str:
    """ "Amazon.de" for a marketplace id; "Amazon" when none is known."""
    return marketplace(marketplace_id).site if marketplace_id else "Amazon"
