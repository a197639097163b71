"""Product-type schemas: fetched once per (type, marketplace, locale, version), kept in the
database for every process, compiled once per process, refreshed when Amazon's version moves."""

from __future__ import annotations

from datetime import timedelta

from core.db import db, utcnow
from core.models import SchemaCache as StoredSchema
from integrations.amazon import definitions
from jobs.amazon import seller_for
from mapping.marketplaces import marketplace
from mapping.schema_validation import ProductTypeSchema, SchemaCache

RECHECK_AFTER = timedelta(hours=24)  # how often Amazon's current version is asked for
_compiled = SchemaCache(max_entries=256)  # per process: compiling costs far more than reading


def stored_schema(product_type: str, marketplace_id: str) -> StoredSchema | None:
    """The newest stored schema of a product type in a marketplace, without any network call."""
    return (
        db.session.query(StoredSchema)
        .filter_by(
            product_type=product_type,
            marketplace_id=marketplace_id,
            locale=marketplace(marketplace_id).language_tag,
        )
        .order_by(StoredSchema.fetched_at.desc())
        .first()
    )


def compiled(row: StoredSchema) -> ProductTypeSchema:
    found = _compiled.get(row.product_type, row.marketplace_id, row.locale, row.version)
    if found is None:
        found = _compiled.put(
            row.schema, row.product_type, row.marketplace_id, row.locale, row.version
        )
    return found


def schema_for(
    shop_id: int, product_type: str, marketplace_id: str, *, fetch: bool = True
) -> ProductTypeSchema | None:
    """The compiled schema, fetching it from Amazon when missing or due for a version check."""
    row = stored_schema(product_type, marketplace_id)
    if fetch and (row is None or utcnow() - row.fetched_at > RECHECK_AFTER):
        row = fetch_schema(shop_id, product_type, marketplace_id) or row
    return compiled(row) if row is not None else None


def fetch_schema(shop_id: int, product_type: str, marketplace_id: str) -> StoredSchema | None:
    """Ask Amazon for the current definition; download the schema only if its version is new."""
    locale = marketplace(marketplace_id).language_tag
    client = seller_for(shop_id, marketplace_id).client
    envelope = definitions.get_definition(client, marketplace_id, product_type, locale=locale)
    version = str((envelope.get("productTypeVersion") or {}).get("version", "unknown"))
    row = (
        db.session.query(StoredSchema)
        .filter_by(
            product_type=product_type, marketplace_id=marketplace_id, locale=locale, version=version
        )
        .first()
    )
    if row is None:
        schema = definitions.download_schema(client, envelope)
        meta = {k: v for k, v in envelope.items() if k != "schema"}
        row = StoredSchema(
            product_type=product_type,
            marketplace_id=marketplace_id,
            locale=locale,
            version=version,
            envelope=meta,
            schema=schema,
        )
        db.session.add(row)
    row.fetched_at = utcnow()
    db.session.commit()
    return row


def suggest_product_types(shop_id: int, marketplace_id: str, item_name: str) -> list[dict]:
    """Amazon's product-type suggestions for a product title."""
    client = seller_for(shop_id, marketplace_id).client
    return definitions.search_product_types(client, marketplace_id, item_name=item_name[:200])
