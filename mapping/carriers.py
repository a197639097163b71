"""Store carrier names to the carrier codes Amazon's confirmShipment expects.

Shopify and WooCommerce carry free-text carrier names ("UPS", "DHL Express", "Deutsche Post",
"ヤマト運輸"); Amazon wants its own carrier code, or "Other" with the name spelled out. Codes are
Amazon's CarrierCode values as used in shipment confirmations.
"""

from __future__ import annotations

import re

# Normalised store names (lower case, letters and digits only) -> Amazon carrier code.
_CARRIERS = {
    "ups": "UPS",
    "upsmailinnovations": "UPS Mail Innovations",
    "usps": "USPS",
    "fedex": "FedEx",
    "fedexsmartpost": "FedEx SmartPost",
    "dhl": "DHL",
    "dhlexpress": "DHL",
    "dhlecommerce": "DHL eCommerce",
    "dhlparcel": "DHL",
    "deutschepost": "Deutsche Post",
    "dpd": "DPD",
    "gls": "GLS",
    "hermes": "Hermes",
    "evri": "Evri",
    "royalmail": "Royal Mail",
    "parcelforce": "Parcelforce",
    "yodel": "Yodel",
    "colissimo": "Colissimo",
    "chronopost": "Chronopost",
    "laposte": "La Poste",
    "postnl": "PostNL",
    "bpost": "bpost",
    "correos": "Correos",
    "seur": "SEUR",
    "mrw": "MRW",
    "brt": "BRT",
    "posteitaliane": "Poste Italiane",
    "sda": "SDA",
    "inpost": "InPost",
    "postnord": "PostNord",
    "canadapost": "Canada Post",
    "purolator": "Purolator",
    "australiapost": "Australia Post",
    "ontrac": "OnTrac",
    "lasership": "Lasership",
    "yamato": "Yamato Transport",
    "yamatotransport": "Yamato Transport",
    "ヤマト運輸": "Yamato Transport",
    "sagawa": "Sagawa Express",
    "sagawaexpress": "Sagawa Express",
    "佐川急便": "Sagawa Express",
    "japanpost": "Japan Post",
    "日本郵便": "Japan Post",
    "ems": "EMS",
    "tnt": "TNT",
    "aramex": "Aramex",
    "bluedart": "Blue Dart",
    "delhivery": "Delhivery",
    "chinapost": "China Post",
    "yanwen": "Yanwen",
    "4px": "4PX",
    "cainiao": "Cainiao",
    "sfexpress": "SF Express",
    "顺丰": "SF Express",
}


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-_.]+", "", name.strip().lower())


def amazon_carrier(store_carrier: str | None) -> tuple[str, str | None]:
    """(carrierCode, carrierName): a known code with no name, or ("Other", the store's name)."""
    name = (store_carrier or "").strip()
    key = _normalise(name)
    if key in _CARRIERS:
        return _CARRIERS[key], None
    for known, code in _CARRIERS.items():  # "DHL Paket", "UPS Ground", "FedEx Home"...
        if len(known) >= 3 and key.startswith(known):
            return code, None
    return "Other", name or "Other"
