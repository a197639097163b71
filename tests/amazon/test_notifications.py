"""Notifications: the emulator keeps the Notifications API contract and publishes ORDER_CHANGE
to SQS in the shape Amazon documents; Crossport subscribes a seller once, however often asked."""

from __future__ import annotations

import json

import pytest
import requests
from jsonschema import Draft7Validator

from integrations.amazon import notifications
from integrations.amazon.order_change import (
    MalformedNotification,
    UnsupportedNotification,
    parse_notification,
)
from sandbox.server import serve_in_thread
from sandbox.sqs import create_sqs
from tests.amazon.conftest import EU_DE, NA_US, SPEEDUP
from tests.support.sqs import SqsQueue

QUEUE = "crossport-notifications"
EU_FR = "A13V1IB3VIYZZH"


@pytest.fixture(scope="module")
def sqs_server():
    server = serve_in_thread(create_sqs([QUEUE]))
    yield server
    server.stop()


@pytest.fixture
def queue(sqs_server, emulator) -> SqsQueue:
    """The queue, empty, and the emulator delivering notifications to it."""
    emulator.control("POST", "options", json={"sqs_url": sqs_server.url})
    return SqsQueue(sqs_server.url, QUEUE)


@pytest.fixture
def order_change_schema(specs_dir) -> Draft7Validator:
    path = specs_dir / "sp-api" / "schemas" / "notifications" / "OrderChangeNotification.json"
    return Draft7Validator(json.loads(path.read_text()))


def _token(emulator, **grant) -> str:
    answer = requests.post(f"{emulator.url}/auth/o2/token", timeout=10,
                           data={"client_id": "c", "client_secret": "s", **grant})  # fmt: skip
    return answer.json()["access_token"]


def _grantless(emulator) -> str:
    return _token(emulator, grant_type="client_credentials",
                  scope="sellingpartnerapi::notifications")  # fmt: skip


def _seller_token(emulator, seller, region: str) -> str:
    return _token(emulator, grant_type="refresh_token",
                  refresh_token=seller["refresh_tokens"][region])  # fmt: skip


def _call(emulator, method, path, token, **kwargs) -> requests.Response:
    return requests.request(method, emulator.url + path, timeout=10,
                            headers={"x-amz-access-token": token}, **kwargs)  # fmt: skip


def _place(emulator, seller, marketplace_id: str, **extra) -> str:
    order = emulator.control("POST", "orders", json={
        "seller_id": seller["seller_id"], "marketplace_id": marketplace_id,
        "items": [{"sku": "MUG-1", "quantity": 2, "price": "12.00"}], **extra})  # fmt: skip
    return order["AmazonOrderId"]


def _subscribe(eu_client, queue) -> dict:
    destination = notifications.ensure_destination(eu_client, "crossport", queue.arn)
    return notifications.ensure_subscription(eu_client, notifications.ORDER_CHANGE, destination)


def test_destinations_are_grantless_regional_and_one_per_queue(emulator, seller, queue):
    body = {"name": "crossport", "resourceSpecification": {"sqs": {"arn": queue.arn}}}
    # a seller's token is refused: createDestination is grantless
    refused = _call(emulator, "POST", "/eu/notifications/v1/destinations",
                    _seller_token(emulator, seller, "EU"), json=body)  # fmt: skip
    assert refused.status_code == 403
    grantless = _grantless(emulator)
    created = _call(emulator, "POST", "/eu/notifications/v1/destinations", grantless, json=body)
    assert created.status_code == 200, created.text
    destination = created.json()["payload"]
    assert destination["resource"] == {"sqs": {"arn": queue.arn}}
    # the same queue twice in a region: 409, as Amazon answers
    again = _call(emulator, "POST", "/eu/notifications/v1/destinations", grantless, json=body)
    assert again.status_code == 409
    assert queue.arn in again.json()["errors"][0]["details"]
    listed = _call(emulator, "GET", "/eu/notifications/v1/destinations", grantless).json()
    assert listed["payload"] == [destination]
    assert _call(emulator, "GET", "/na/notifications/v1/destinations", grantless).json() == {
        "payload": []
    }


def test_a_malformed_queue_arn_is_refused_by_the_model(emulator, specs_dir):
    # The emulator checks requests against Amazon's Notifications model (its SqsResource arn
    # pattern, sp-api/models/notifications-api-model) only when the official contracts are there.
    wrong = {"name": "x", "resourceSpecification": {"sqs": {"arn": "my-queue"}}}
    assert _call(emulator, "POST", "/na/notifications/v1/destinations", _grantless(emulator),
                 json=wrong).status_code == 400  # fmt: skip
    emulator.control("DELETE", "violations")  # that request broke the model on purpose


def test_crossport_subscribes_a_seller_once_however_often_asked(emulator, eu_client, queue):
    first = _subscribe(eu_client, queue)
    second = _subscribe(eu_client, queue)
    assert second == first
    assert first["payloadVersion"] == "1.0"
    assert len(emulator.calls("createDestination")) == 1
    assert len(emulator.calls("createSubscription")) == 1
    # the destination came from a grantless token, the subscription from the seller's
    assert {c["caller"] for c in emulator.calls("getDestinations")} == {"grantless"}
    assert {c["caller"] for c in emulator.calls("getSubscription")} == {
        eu_client.account.selling_partner_id
    }


def test_a_subscription_to_an_earlier_queue_is_moved_to_ours(emulator, eu_client, queue):
    earlier = notifications.ensure_destination(
        eu_client, "earlier", "arn:aws:sqs:eu-west-1:000000000000:earlier-queue"
    )
    old = notifications.ensure_subscription(eu_client, notifications.ORDER_CHANGE, earlier)
    moved = _subscribe(eu_client, queue)
    assert moved["destinationId"] != earlier
    assert moved["subscriptionId"] != old["subscriptionId"]
    assert len(emulator.calls("deleteSubscriptionById")) == 1
    current = notifications.get_subscription(eu_client, notifications.ORDER_CHANGE)
    assert current == moved


def test_a_subscription_is_deleted_by_id_with_a_grantless_token_in_its_region(
    emulator, seller, eu_client, queue
):
    subscription = _subscribe(eu_client, queue)
    path = f"/notifications/v1/subscriptions/ORDER_CHANGE/{subscription['subscriptionId']}"
    grantless = _grantless(emulator)
    # another region's endpoint does not know it: subscriptions are regional
    assert _call(emulator, "DELETE", "/na" + path, grantless).status_code == 404
    # the model says grantless: the application's token deletes any of its subscriptions
    deleted = _call(emulator, "DELETE", "/eu" + path, grantless)
    assert (deleted.status_code, deleted.json()) == (200, {})
    assert notifications.get_subscription(eu_client, notifications.ORDER_CHANGE) is None
    assert _call(emulator, "DELETE", "/eu" + path, grantless).status_code == 404
    # and Amazon stops notifying for the seller
    _place(emulator, seller, EU_DE)
    assert queue.take(1, timeout=1.5) == []


def test_crossport_deletes_a_subscription_without_the_sellers_token(
    amazon_app, emulator, seller, eu_client, queue
):
    from integrations.amazon.accounts import app_client

    subscription = _subscribe(eu_client, queue)
    # given the seller revoked Crossport
    emulator.control("POST", "revoke", json={"seller_id": seller["seller_id"]})
    # when Crossport deletes the subscription with the application's client for the region
    client = app_client(None, "EU")
    deleted = notifications.delete_subscription(
        client, notifications.ORDER_CHANGE, subscription["subscriptionId"]
    )
    again = notifications.delete_subscription(
        client, notifications.ORDER_CHANGE, subscription["subscriptionId"]
    )
    # then it is gone, a second deletion finds nothing, and both went grantless to the EU
    assert (deleted, again) == (True, False)
    calls = emulator.calls("deleteSubscriptionById")
    assert [(c["caller"], c["region"], c["status"]) for c in calls] == [
        ("grantless", "EU", 200), ("grantless", "EU", 404)]  # fmt: skip
    _place(emulator, seller, EU_DE)
    assert queue.take(1, timeout=1.5) == []


def test_order_changes_reach_the_queue_in_amazons_documented_shape(
    emulator, seller, eu_client, queue, order_change_schema
):
    _subscribe(eu_client, queue)
    # given orders in the subscribed region and one in another region
    german = _place(emulator, seller, EU_DE)
    _place(emulator, seller, NA_US)
    emulator.control("POST", f"orders/{german}/cancel")
    # then the subscribed region's changes arrive, in order, and nothing else
    received = queue.take(2)
    assert queue.take(1, timeout=1.5) == []
    for body in received:
        problems = [e.message for e in order_change_schema.iter_errors(body)]
        assert problems == [], problems
    changes = [b["Payload"]["OrderChangeNotification"] for b in received]
    assert [c["AmazonOrderId"] for c in changes] == [german, german]
    assert [c["Summary"]["OrderStatus"] for c in changes] == ["Unshipped", "Canceled"]
    assert {c["SellerId"] for c in changes} == {seller["seller_id"]}
    assert changes[0]["Summary"]["OrderItems"][0]["Quantity"] == 2
    assert (
        received[0]["NotificationMetadata"]["NotificationId"]
        != (received[1]["NotificationMetadata"]["NotificationId"])
    )


def test_payment_clearing_is_notified_without_anyone_reading_the_order(
    emulator, seller, eu_client, queue
):
    _subscribe(eu_client, queue)
    order_id = _place(emulator, seller, EU_DE, status="Pending", pending_seconds=SPEEDUP * 0.5)
    received = queue.take(2)
    statuses = [b["Payload"]["OrderChangeNotification"]["Summary"]["OrderStatus"] for b in received]
    assert statuses == ["Pending", "Unshipped"]
    trigger = received[1]["Payload"]["OrderChangeNotification"]["OrderChangeTrigger"]
    assert trigger["ChangeReason"] == "Payment cleared"
    assert emulator.calls("getOrders") == [] and emulator.calls("getOrder") == []
    assert emulator.control("GET", f"orders/{order_id}")["OrderStatus"] == "Unshipped"


def test_a_marketplace_filter_narrows_the_subscription(emulator, seller, queue):
    grantless, token = _grantless(emulator), _seller_token(emulator, seller, "EU")
    body = {"name": "crossport", "resourceSpecification": {"sqs": {"arn": queue.arn}}}
    destination = _call(emulator, "POST", "/eu/notifications/v1/destinations", grantless,
                        json=body).json()["payload"]["destinationId"]  # fmt: skip
    directive = {"eventFilter": {"eventFilterType": "ORDER_CHANGE", "marketplaceIds": [EU_FR]}}
    created = _call(emulator, "POST", "/eu/notifications/v1/subscriptions/ORDER_CHANGE", token,
                    json={"destinationId": destination, "payloadVersion": "1.0",
                          "processingDirective": directive})  # fmt: skip
    assert created.status_code == 200, created.text
    _place(emulator, seller, EU_DE)
    french = _place(emulator, seller, EU_FR)
    (only,) = queue.take(1)
    assert queue.take(1, timeout=1.5) == []
    assert only["Payload"]["OrderChangeNotification"]["AmazonOrderId"] == french


def test_a_redelivered_notification_keeps_its_notification_id(emulator, seller, eu_client, queue):
    _subscribe(eu_client, queue)
    _place(emulator, seller, EU_DE)
    (first,) = queue.take(1)
    notification_id = first["NotificationMetadata"]["NotificationId"]
    emulator.control("POST", "notifications/redeliver",
                     json={"notification_id": notification_id, "times": 2})  # fmt: skip
    copies = queue.take(2)
    assert [c["NotificationMetadata"]["NotificationId"] for c in copies] == [notification_id] * 2
    outbox = emulator.control("GET", "notifications")["notifications"]
    assert [e["status"] for e in outbox] == ["delivered"] * 3


def test_the_schema_check_catches_a_wrong_notification(order_change_schema):
    # the check above can fail: a status Amazon does not send, a missing seller
    body = {"NotificationVersion": "1.0", "NotificationType": "ORDER_CHANGE",
            "PayloadVersion": "1.0", "EventTime": "2026-01-01T00:00:00.000Z",
            "NotificationMetadata": {"ApplicationId": "a", "SubscriptionId": "s",
                                     "PublishTime": "2026-01-01T00:00:00.000Z",
                                     "NotificationId": "n"},
            "Payload": {"OrderChangeNotification": {
                "NotificationLevel": "OrderLevel", "AmazonOrderId": "1",
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {"TimeOfOrderChange": None, "ChangeReason": "x"},
                "Summary": {"MarketplaceId": EU_DE, "OrderStatus": "Lost", "PurchaseDate": None,
                            "DestinationPostalCode": None, "FulfillmentType": "MFN",
                            "OrderType": "StandardOrder", "OrderItems": []}}}}  # fmt: skip
    problems = " ".join(e.message for e in order_change_schema.iter_errors(body))
    assert "'SellerId' is a required property" in problems
    assert "'Lost' is not one of" in problems


def test_connecting_an_account_subscribes_it_to_order_changes(app_factory, emulator, seller, queue):
    from core.db import db
    from core.models import AmazonAccount, Shop
    from jobs.queues import get_queue, safe_job_id
    from tests.amazon.test_authorization import _approve, _consent
    from tests.support.workers import run_burst_worker

    app = app_factory(spapi_endpoints=emulator.endpoints(),
                      lwa_token_url=f"{emulator.url}/auth/o2/token",
                      amazon_consent_url=f"{emulator.url}/{{region}}/apps/authorize/consent",
                      spapi_rate_speedup=SPEEDUP, **queue.settings())  # fmt: skip
    with app.app_context():
        shop = Shop(platform="shopify", domain="notified.myshopify.com", name="Notified")
        db.session.add(shop)
        db.session.commit()
        emulator.control("POST", "consent", json={"region": "EU", "seller_id": seller["seller_id"]})
        # when the seller connects Europe
        browser = app.test_client()
        answer = browser.get(_approve(_consent(browser, app, shop, "EU")))
        assert answer.status_code == 200, answer.get_data(as_text=True)
        account = db.session.query(AmazonAccount).one()
        assert get_queue("sync").job_ids == [safe_job_id(f"notifications:{account.id}")]
        logs = run_burst_worker(app.config["SETTINGS"])
        # then the seller is subscribed to ORDER_CHANGE, and Amazon's orders reach our queue
        subscribed = emulator.calls("createSubscription")
        assert [c["caller"] for c in subscribed] == [seller["seller_id"]], logs[-2000:]
        german = _place(emulator, seller, EU_DE)
        (body,) = queue.take(1)
        assert body["Payload"]["OrderChangeNotification"]["AmazonOrderId"] == german
        db.session.remove()
        db.engine.dispose()


# Crossport's reading of a notification ------------------------------------------------------


def test_an_emulator_notification_reads_as_an_order_change(emulator, seller, eu_client, queue):
    _subscribe(eu_client, queue)
    order_id = _place(emulator, seller, EU_DE)
    (body,) = queue.take(1)
    change = parse_notification(json.dumps(body))
    assert (change.seller_id, change.amazon_order_id, change.marketplace_id) == (
        seller["seller_id"],
        order_id,
        EU_DE,
    )
    assert change.order_status == "Unshipped"
    assert change.notification_id == body["NotificationMetadata"]["NotificationId"]


@pytest.mark.parametrize(
    "body, where",
    [
        ("not json at all", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"NotificationType": "ORDER_CHANGE", "PayloadVersion": "1.0", "Payload": '
         '{"OrderChangeNotification": {"AmazonOrderId": "1", "OrderChangeType": "x", '
         '"Summary": {"MarketplaceId": "M", "OrderStatus": "Unshipped"}}}, '
         '"NotificationMetadata": {"NotificationId": "n"}}',
         "Payload.OrderChangeNotification.SellerId: Missing data for required field."),
        ('{"NotificationType": "ORDER_CHANGE", "PayloadVersion": "2.0"}', "PayloadVersion"),
        ("{}", "NotificationType: Missing data"),
    ],
)  # fmt: skip
def test_a_malformed_notification_is_refused_saying_where(body, where):
    with pytest.raises(MalformedNotification) as caught:
        parse_notification(body)
    assert where in str(caught.value)


def test_another_notification_type_is_unsupported_not_malformed():
    with pytest.raises(UnsupportedNotification) as caught:
        parse_notification('{"NotificationType": "ANY_OFFER_CHANGED"}')
    assert caught.value.notification_type == "ANY_OFFER_CHANGED"
