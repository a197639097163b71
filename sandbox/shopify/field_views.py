"""Small shared views: money, money bags, metafields, plain text."""

from __future__ import annotations

from sandbox.shopify.connections import connection
from sandbox.shopify.state import gid


def money(amount: str | None, currency: str) -> dict | None:
    if amount is None:
        return None
    return {"amount": amount, "currencyCode": currency}


def money_bag(amount: str, currency: str) -> dict:
    return {"shopMoney": money(amount, currency), "presentmentMoney": money(amount, currency)}


def metafield_views(owner: dict, owner_gid: str):
    def view(mf):
        return {
            "__typename": "Metafield",
            "id": gid("Metafield", mf["id"]),
            "namespace": mf["namespace"],
            "key": mf["key"],
            "type": mf["type"],
            "value": mf["value"],
            "jsonValue": mf["value"],
            "ownerType": owner_gid.split("/")[3].upper(),
            "createdAt": owner["createdAt"],
            "updatedAt": owner["updatedAt"],
        }

    def metafields(info, namespace=None, keys=None, **page):
        chosen = [
            mf
            for mf in owner.get("metafields", [])
            if (namespace is None or mf["namespace"] == namespace)
            and (keys is None or f"{mf['namespace']}.{mf['key']}" in keys)
        ]
        return connection(chosen, view, info, key=lambda mf: mf["id"], **page)

    def metafield(info, key, namespace=None):
        if namespace is None and "." in key:
            namespace, key = key.split(".", 1)
        for mf in owner.get("metafields", []):
            if mf["key"] == key and (namespace is None or mf["namespace"] == namespace):
                return view(mf)
        return None

    return metafields, metafield


def plain_text(html: str, truncate: int | None) -> str:
    import re

    text = re.sub(r"<[^>]+>", "", html or "")
    return text[:truncate] if truncate else text
