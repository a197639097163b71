"""Listing plans from what the database holds: snapshot + profile + rules + schema → mapping.

No network here unless asked (`fetch_schema=True` in jobs); the page calls it for previews. A run
that plans a catalogue keeps one `PlanCache` for its duration.
"""

from __future__ import annotations

from marshmallow import ValidationError

from core.db import db
from core.models import MappingProfile as StoredProfile
from core.models import PriceRule, ProductSnapshot, Shop, TargetMarketplace
from jobs.fx_rates import rates_table
from jobs.schemas import compiled, schema_for, stored_schema
from mapping.canonical import load_product
from mapping.fx import RatesTable
from mapping.listing import ListingPlan, build_listings
from mapping.messages import N_, Message, say
from mapping.problems import Problem
from mapping.profiles import MappingProfile, default_profile
from mapping.schema_validation import ProductTypeSchema

# fulfilment_availability codes for FBA per region (FBM is "DEFAULT")
FBA_CHANNEL_CODES = {"NA": "AMAZON_NA", "EU": "AMAZON_EU", "FE": "AMAZON_JP"}


def product_type_of(shop: Shop, snapshot: ProductSnapshot) -> str | None:
    return snapshot.product_type or (shop.settings or {}).get("default_product_type")


def profile_for(shop: Shop, product_type: str) -> MappingProfile:
    """The seller's profile for the type, with shop-wide rules and marketplace settings merged."""
    row = (
        db.session.query(StoredProfile)
        .filter_by(shop_id=shop.id, product_type=product_type)
        .first()
    )
    profile = default_profile(product_type)
    if row is not None:
        profile = MappingProfile.load(
            {
                "product_type": product_type,
                "attributes": row.attributes or {},
                "overrides": row.overrides or {},
                "settings": row.settings or {},
                "texts": row.texts or {},
                "price_rules": row.price_rules or {},
                "disabled": row.disabled or [],
            }
        )
    shop_rules = {
        r.marketplace_id: r.rule for r in db.session.query(PriceRule).filter_by(shop_id=shop.id)
    }
    for marketplace_id, rule in shop_rules.items():  # the type's own rule wins over the shop's
        profile.price_rules[marketplace_id] = {
            **rule,
            **profile.price_rules.get(marketplace_id, {}),
        }
    default_buffer = int((shop.settings or {}).get("safety_buffer", 0))
    for target in db.session.query(TargetMarketplace).filter_by(shop_id=shop.id):
        local = dict(profile.settings.get(target.marketplace_id) or {})
        local.setdefault(
            "quantity_buffer",
            target.safety_buffer if target.safety_buffer is not None else default_buffer,
        )
        if target.fulfillment_channel == "FBA":
            local["fulfillment_channel_code"] = FBA_CHANNEL_CODES.get(
                target.account.region, "AMAZON_NA"
            )
        profile.settings[target.marketplace_id] = local
    return profile


class PlanCache:
    """What one run reads again and again: the shop's profile per product type, the compiled
    schema per (product type, marketplace), the rates, the product last loaded.

    Made by a run and dropped with it: nothing outlives the run, so the next run sees a seller's
    profile edit. Building a profile costs three queries and a marshmallow load; a catalogue
    run otherwise paid that for every product in every marketplace.
    """

    def __init__(
        self, shop: Shop, *, fetch_schema: bool = False, rates: RatesTable | None = None
    ) -> None:
        self.shop = shop
        self.fetch_schema = fetch_schema
        self._rates = rates
        self._profiles: dict[str, MappingProfile] = {}
        self._schemas: dict[tuple[str, str], ProductTypeSchema | None] = {}
        self._product: tuple[int, dict, dict | None] | None = None  # (snapshot id, data, loaded)

    @property
    def rates(self) -> RatesTable:
        if self._rates is None:
            self._rates = rates_table()
        return self._rates

    def profile(self, product_type: str) -> MappingProfile:
        found = self._profiles.get(product_type)
        if found is None:
            found = self._profiles[product_type] = profile_for(self.shop, product_type)
        return found

    def schema(self, product_type: str, marketplace_id: str) -> ProductTypeSchema | None:
        key = (product_type, marketplace_id)
        if key not in self._schemas:
            if self.fetch_schema:
                found = schema_for(self.shop.id, product_type, marketplace_id)
            else:
                row = stored_schema(product_type, marketplace_id)
                found = compiled(row) if row is not None else None
            self._schemas[key] = found
        return self._schemas[key]

    def product(self, snapshot: ProductSnapshot) -> dict | None:
        """The snapshot's product checked and normalised (None when the data is unusable),
        loaded once for all the marketplaces a run plans it in one after the other."""
        last = self._product
        if last is not None and last[0] == snapshot.id and last[1] is snapshot.data:
            return last[2]
        try:
            loaded = load_product(snapshot.data)
        except ValidationError:
            loaded = None  # build_listings turns the same error into problems
        self._product = (snapshot.id, snapshot.data, loaded)
        return loaded


def plans_for_product(
    shop: Shop,
    snapshot: ProductSnapshot,
    marketplace_id: str,
    *,
    fetch_schema: bool = False,
    rates: RatesTable | None = None,
    asins: dict[str, str] | None = None,
    cache: PlanCache | None = None,
) -> list[ListingPlan]:
    """Every SKU's plan (parent first) of one product in one marketplace.

    A run that plans many products passes one `cache` (which then decides `fetch_schema` and
    the rates); a single preview needs none."""
    if cache is None:
        cache = PlanCache(shop, fetch_schema=fetch_schema, rates=rates)
    product_type = product_type_of(shop, snapshot)
    if not product_type:
        return _blocked(
            snapshot,
            marketplace_id,
            "no_product_type",
            say(N_("No Amazon product type is chosen for this product.")),
            say(N_("Choose a product type on the mapping page.")),
        )
    schema = cache.schema(product_type, marketplace_id)
    if schema is None:
        return _blocked(
            snapshot,
            marketplace_id,
            "no_schema",
            say(
                N_("Amazon's %(product_type)s definition for this marketplace is not loaded."),
                product_type=product_type,
            ),
            say(N_("Run a validation: Crossport fetches the definition from Amazon.")),
        )
    loaded = cache.product(snapshot)
    return build_listings(
        snapshot.data if loaded is None else loaded,
        cache.profile(product_type),
        marketplace_id,
        schema,
        cache.rates,
        asins=asins,
        checked=loaded is not None,
    )


def plan_listing(shop_id: int, snapshot_id: int, marketplace_id: str) -> list[ListingPlan]:
    """Preview for the page: plans from stored data only, never a call to Amazon."""
    shop = db.session.get(Shop, shop_id)
    snapshot = db.session.get(ProductSnapshot, snapshot_id)
    if shop is None or snapshot is None or snapshot.shop_id != shop_id:
        return []
    return plans_for_product(shop, snapshot, marketplace_id)


def _blocked(
    snapshot: ProductSnapshot, marketplace_id: str, code: str, message: Message, fix: Message
) -> list[ListingPlan]:
    """The same blocking problem on every SKU of the product, so each shows why it waits."""
    skus = [v.get("sku", "") for v in (snapshot.data or {}).get("variants", [])] or [""]
    problem = Problem("productType", marketplace_id, code, message, fix)
    return [ListingPlan(sku, marketplace_id, {}, [problem]) for sku in skus]
