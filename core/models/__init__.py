"""Every table of Crossport; import models from here."""

from core.models.activity import Alert, ApiCall, Checkpoint, JobRun, WebhookEvent
from core.models.amazon import AmazonAccount, TargetMarketplace
from core.models.catalog import (
    FxRate,
    Listing,
    MappingProfile,
    PriceRule,
    ProductSnapshot,
    SchemaCache,
    Submission,
    VariantSnapshot,
)
from core.models.health import AccountHealth
from core.models.orders import OrderLink
from core.models.tenants import AuthState, Shop, StoreConnection, User

__all__ = [
    "AccountHealth",
    "Alert",
    "AmazonAccount",
    "ApiCall",
    "AuthState",
    "Checkpoint",
    "FxRate",
    "JobRun",
    "Listing",
    "MappingProfile",
    "OrderLink",
    "PriceRule",
    "ProductSnapshot",
    "SchemaCache",
    "Shop",
    "StoreConnection",
    "Submission",
    "TargetMarketplace",
    "User",
    "VariantSnapshot",
    "WebhookEvent",
]
