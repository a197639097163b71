"""Listing attributes for the emulator's demo product types, per marketplace."""

from __future__ import annotations


def shirt(marketplace_id: str, language: str, currency: str, *, title: str = "Organic tee",
          brand: str = "Crossport", price: float = 19.9, quantity: int = 5,
          image: bool = True, gtin: str | None = None) -> dict:  # fmt: skip
    """A complete SHIRT listing (valid in every marketplace of the demo schemas)."""
    text = {"language_tag": language, "marketplace_id": marketplace_id}
    plain = {"marketplace_id": marketplace_id}
    attributes = {
        "item_name": [{"value": title, **text}],
        "brand": [{"value": brand, **text}],
        "product_description": [{"value": f"{title}, soft cotton.", **text}],
        "bullet_point": [{"value": "100 % organic cotton", **text}],
        "condition_type": [{"value": "new_new", **plain}],
        "color": [{"value": "White", **text}],
        "size": [{"value": "M", **text}],
        "department": [{"value": "unisex-adult", **text}],
        "country_of_origin": [{"value": "PT", **plain}],
        "supplier_declared_dg_hz_regulation": [{"value": "not_applicable", **plain}],
        "purchasable_offer": [{"currency": currency, "our_price": [{"schedule": [
            {"value_with_tax": price}]}], **plain}],
        "list_price": [{"currency": currency, "value_with_tax": price, **plain}],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT",
                                      "quantity": quantity}],
        "gpsr_safety_attestation": [{"value": True, **plain}],
    }  # fmt: skip
    if gtin:
        attributes["externally_assigned_product_identifier"] = [
            {"type": "ean", "value": gtin, **plain}]  # fmt: skip
    else:
        attributes["supplier_declared_has_product_identifier_exemption"] = [
            {"value": True, **plain}]  # fmt: skip
    if image:
        attributes["main_product_image_locator"] = [
            {"media_location": "https://cdn.example.com/tee.jpg", **plain}]  # fmt: skip
    return attributes
