"""Store carrier names → Amazon carrier codes for confirmShipment, with a named fallback."""

from __future__ import annotations

import re

# Amazon's CarrierCode values (Orders API v0 confirmShipment / the carrier code list), keyed by
# the names stores and tracking plugins commonly write.
_CODES = {
    "usps": "USPS",
    "ups": "UPS",
    "fedex": "FedEx",
    "dhl": "DHL",
    "dhl express": "DHL",
    "dhl ecommerce": "DHL eCommerce",
    "dpd": "DPD",
    "gls": "GLS",
    "hermes": "Hermes",
    "evri": "Evri",
    "royal mail": "Royal Mail",
    "parcelforce": "Parcelforce",
    "deutsche post": "Deutsche Post",
    "colissimo": "Colissimo",
    "chronopost": "Chronopost",
    "la poste": "La Poste",
    "poste italiane": "Poste Italiane",
    "brt": "BRT",
    "correos": "Correos",
    "seur": "SEUR",
    "postnl": "PostNL",
    "postnord": "PostNord",
    "inpost": "InPost",
    "poczta polska": "Poczta Polska",
    "canada post": "Canada Post",
    "purolator": "Purolator",
    "australia post": "Australia Post",
    "japan post": "Japan Post",
    "yamato": "Yamato Transport",
    "yamato transport": "Yamato Transport",
    "sagawa": "Sagawa Express",
    "china post": "China Post",
    "yanwen": "Yanwen",
    "4px": "4PX",
    "yunexpress": "YunExpress",
    "sf express": "SF Express",
    "cainiao": "Cainiao",
}


def amazon_carrier(store_carrier: str | None) -> tuple[str, str | None]:
    """(carrierCode, carrierName): a known carrier by its code, anything else as "Other" + name."""
    name = (store_carrier or "").strip()
    key = re.sub(r"[\s_\-]+", " ", name.lower()).strip()
    if key in _CODES:
        return _CODES[key], None
    for known, code in _CODES.items():
        if key.startswith(known + " "):
            return code, None
    return "Other", name or "Other"
