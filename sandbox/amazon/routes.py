"""The SP-API operations the emulator serves: HTTP method, path template, operationId, model."""

from __future__ import annotations

import re
from dataclasses import dataclass

# model key -> file under specs_dir()/sp-api/models/
MODEL_FILES: dict[str, str] = {
    "sellers": "sellers-api-model/sellers.json",
    "definitions": "product-type-definitions-api-model/definitionsProductTypes_2020-09-01.json",
    "listings": "listings-items-api-model/listingsItems_2021-08-01.json",
    "restrictions": "listings-restrictions-api-model/listingsRestrictions_2021-08-01.json",
    "feeds": "feeds-api-model/feeds_2021-06-30.json",
    "catalog": "catalog-items-api-model/catalogItems_2022-04-01.json",
    "orders": "orders-api-model/ordersV0.json",
    "tokens": "tokens-api-model/tokens_2021-03-01.json",
    "fba": "fba-inventory-api-model/fbaInventory.json",
    "notifications": "notifications-api-model/notifications.json",
    "reports": "reports-api-model/reports_2021-06-30.json",
}

_TABLE = """
sellers       GET    /sellers/v1/marketplaceParticipations              getMarketplaceParticipations
definitions  GET    /definitions/2020-09-01/productTypes searchDefinitionsProductTypes
definitions   GET    /definitions/2020-09-01/productTypes/{productType} getDefinitionsProductType
listings      GET    /listings/2021-08-01/items/{sellerId}              searchListingsItems
listings      GET    /listings/2021-08-01/items/{sellerId}/{sku}        getListingsItem
listings      PUT    /listings/2021-08-01/items/{sellerId}/{sku}        putListingsItem
listings      PATCH  /listings/2021-08-01/items/{sellerId}/{sku}        patchListingsItem
listings      DELETE /listings/2021-08-01/items/{sellerId}/{sku}        deleteListingsItem
restrictions  GET    /listings/2021-08-01/restrictions                  getListingsRestrictions
feeds         POST   /feeds/2021-06-30/documents                        createFeedDocument
feeds         GET    /feeds/2021-06-30/documents/{feedDocumentId}       getFeedDocument
feeds         POST   /feeds/2021-06-30/feeds                            createFeed
feeds         GET    /feeds/2021-06-30/feeds                            getFeeds
feeds         GET    /feeds/2021-06-30/feeds/{feedId}                   getFeed
feeds         DELETE /feeds/2021-06-30/feeds/{feedId}                   cancelFeed
catalog       GET    /catalog/2022-04-01/items                          searchCatalogItems
catalog       GET    /catalog/2022-04-01/items/{asin}                   getCatalogItem
orders        GET    /orders/v0/orders                                  getOrders
orders        GET    /orders/v0/orders/{orderId}                        getOrder
orders        GET    /orders/v0/orders/{orderId}/orderItems             getOrderItems
orders        GET    /orders/v0/orders/{orderId}/address                getOrderAddress
orders        GET    /orders/v0/orders/{orderId}/buyerInfo              getOrderBuyerInfo
orders        POST   /orders/v0/orders/{orderId}/shipmentConfirmation   confirmShipment
tokens        POST   /tokens/2021-03-01/restrictedDataToken             createRestrictedDataToken
fba           GET    /fba/inventory/v1/summaries                        getInventorySummaries
notifications GET    /notifications/v1/destinations                     getDestinations
notifications POST   /notifications/v1/destinations                     createDestination
notifications GET    /notifications/v1/subscriptions/{notificationType} getSubscription
notifications POST   /notifications/v1/subscriptions/{notificationType} createSubscription
reports       POST   /reports/2021-06-30/reports                        createReport
reports       GET    /reports/2021-06-30/reports                        getReports
reports       GET    /reports/2021-06-30/reports/{reportId}             getReport
reports       GET    /reports/2021-06-30/documents/{reportDocumentId}   getReportDocument
"""

# Rows too long for the table's columns.
_LONG_ROWS = (
    (
        "notifications",
        "DELETE",
        "/notifications/v1/subscriptions/{notificationType}/{subscriptionId}",
        "deleteSubscriptionById",
    ),
)

# Grantless operations take an LWA client_credentials token instead of a seller's token.
GRANTLESS = {"createDestination", "getDestinations"}
# deleteSubscriptionById is documented grantless (any subscription of the application), yet
# python-amazon-sp-api sends the seller's token for it: the emulator takes either.
GRANTLESS_OR_SELLER = {"deleteSubscriptionById"}


@dataclass(frozen=True)
class Route:
    """One served operation and the regex that matches its path."""

    model: str
    method: str
    template: str
    operation: str
    regex: re.Pattern


def compile_template(template: str) -> re.Pattern:
    """A regex matching a path template such as /orders/v0/orders/{orderId}."""
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{pattern}$")


ROUTES: tuple[Route, ...] = tuple(
    Route(model, method, template, op, compile_template(template))
    for model, method, template, op in (
        *(line.split() for line in _TABLE.strip().splitlines()),
        *_LONG_ROWS,
    )
)
BY_OPERATION: dict[str, Route] = {r.operation: r for r in ROUTES}


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for a request and its (URL-decoded) path parameters, or None."""
    from urllib.parse import unquote

    for route in ROUTES:
        if route.method != method:
            continue
        found = route.regex.match(path)
        if found:
            return route, {k: unquote(v) for k, v in found.groupdict().items()}
    return None
