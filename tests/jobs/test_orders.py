"""Amazon orders into the store exactly once, and shipments confirmed back, through real workers."""

from decimal import Decimal

import pytest

from core.db import db
from core.models import AmazonAccount, OrderLink
from jobs.queues import enqueue
from tests.jobs.conftest import MARKETS, wait_for
from tests.jobs.helpers import import_and_map


def _skus(world) -> dict[str, int]:
    """SKU -> store stock, for a few imported variants."""
    from core.models import VariantSnapshot

    return {v.sku: v.quantity for v in db.session.query(VariantSnapshot).limit(10)}


def _place(
    world, country: str, sku: str, channel: str = "MFN", quantity: int = 1, price: str = "20.00"
) -> str:
    order = world.amazon.control(
        "POST",
        "orders",
        json={
            "seller_id": world.seller_id,
            "marketplace_id": MARKETS[country][1],
            "fulfillment_channel": channel,
            "items": [
                {
                    "sku": sku,
                    "quantity": quantity,
                    "price": price,
                    "tax": "1.00",
                    "shipping": "3.00",
                }
            ],
        },
    )
    return order["AmazonOrderId"]


def _poll_all(world, job_suffix: str = "") -> None:
    for account in db.session.query(AmazonAccount).filter_by(shop_id=world.shop_id):
        enqueue(
            "jobs.orders.import_orders",
            account.id,
            queue="orders",
            job_id=f"orders-test-{account.id}{job_suffix}",
            shop_id=world.shop_id,
        )


def _store_orders(world) -> list[dict]:
    return world.store.control("orders", method="GET")


def _by_amazon_id(world) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for order in _store_orders(world):
        meta = {m["key"]: m["value"] for m in order.get("meta_data", [])}
        amazon_id = meta.get("_crossport_amazon_order_id")
        if amazon_id and order.get("status") != "trash":
            found.setdefault(amazon_id, []).append(order)
    return found


def test_fbm_and_fba_orders_in_four_currencies_arrive_once_with_the_right_amounts(world):
    world.start_workers(2)
    import_and_map(world)
    skus = list(_skus(world))
    placed = {
        _place(world, "US", skus[0], price="20.00"): ("USD", "MFN"),
        _place(world, "DE", skus[1], price="18.50"): ("EUR", "MFN"),
        _place(world, "UK", skus[2], "AFN", price="15.00"): ("GBP", "AFN"),
        _place(world, "JP", skus[3], quantity=2, price="3000"): ("JPY", "MFN"),
    }
    _poll_all(world)
    wait_for(
        lambda: db.session.query(OrderLink).filter_by(state="created").count() == 4,
        90,
        message=world.worker_logs,
    )
    in_store = _by_amazon_id(world)
    assert set(in_store) == set(placed)
    for amazon_id, (currency, channel) in placed.items():
        (order,) = in_store[amazon_id]
        assert order["currency"] == currency
        if channel == "AFN":
            assert order["status"] == "completed"  # FBA: already shipped by Amazon
        else:
            assert order["status"] == "processing"
            assert order["shipping"]["address_1"], "the store ships it: it needs the address"
    # the addresses came with the poll's pages (one RDT per region), not three calls per order
    assert world.amazon.calls("getOrderAddress") == []
    assert world.amazon.calls("getOrderBuyerInfo") == []
    assert len(world.amazon.calls("createRestrictedDataToken")) <= 3
    # polling again (the checkpoint overlaps) creates nothing new
    _poll_all(world, "-again")
    wait_for(
        lambda: world.amazon.calls("getOrders") and len(world.amazon.calls("getOrders")) >= 6, 60
    )
    assert {k: len(v) for k, v in _by_amazon_id(world).items()} == {k: 1 for k in placed}


@pytest.mark.parametrize(
    "step",
    [
        "order-after-claim",
        "order-before-store-create",
        "order-after-store-create",
        "order-after-record",
    ],
)
def test_a_worker_killed_at_any_step_of_order_import_leaves_exactly_one_store_order(
    world, tmp_path, step
):
    world.start_workers(1, CROSSPORT_FAILPOINTS=step, CROSSPORT_FAILPOINT_DIR=str(tmp_path))
    import_and_map(world)
    sku = list(_skus(world))[0]
    amazon_id = _place(world, "US", sku)
    _poll_all(world)
    wait_for(lambda: (tmp_path / f"failpoint-{step}").exists(), 60, message=world.worker_logs)

    # the job died with its work horse; RQ retries it at once, and the scheduler's next polls
    # (run here every 2 s instead of every minute) pick up an import left half-way
    def created_after_polling():
        if db.session.query(OrderLink).filter_by(state="created").count() == 1:
            return True
        enqueue("jobs.periodic.poll_all_orders", queue="orders", job_id="periodic-poll-orders")
        return False

    wait_for(created_after_polling, 90, interval=2, message=lambda: world.worker_logs()[-3000:])
    assert len(_by_amazon_id(world).get(amazon_id, [])) == 1


def test_two_workers_importing_the_same_order_create_it_once(world):
    world.start_workers(2)
    import_and_map(world)
    sku = list(_skus(world))[0]
    amazon_id = _place(world, "DE", sku)
    for suffix in ("-a", "-b", "-c"):  # three polls at once, not coalesced
        _poll_all(world, suffix)
    wait_for(
        lambda: db.session.query(OrderLink).filter_by(state="created").count() == 1,
        90,
        message=world.worker_logs,
    )
    assert len(_by_amazon_id(world)[amazon_id]) == 1


def test_a_store_fulfilment_is_confirmed_on_amazon_once_with_carrier_and_tracking(world):
    world.start_workers(2)
    import_and_map(world)
    sku = list(_skus(world))[0]
    amazon_id = _place(world, "UK", sku, quantity=2)
    _poll_all(world)
    link = wait_for(
        lambda: db.session.query(OrderLink).filter_by(state="created").first(),
        90,
        message=world.worker_logs,
    )
    # when the store ships it with a tracking number (the Shipment Tracking plugin's meta)
    world.store.control(
        f"orders/{link.store_order_id}/tracking",
        {"tracking_provider": "Royal Mail", "tracking_number": "RM123456789GB"},
    )
    world.store.wait()

    # then Amazon has the shipment, with Amazon's carrier code and every item
    def shipped():
        order = world.amazon.control("GET", f"orders/{amazon_id}")
        return order if order.get("shipments") else None

    order = wait_for(shipped, 60, message=world.worker_logs)
    (package,) = order["shipments"]
    assert package["trackingNumber"] == "RM123456789GB"
    assert package["carrierCode"] == "Royal Mail"
    assert sum(i["quantity"] for i in package["orderItems"]) == 2
    wait_for(lambda: db.session.get(OrderLink, link.id).state == "shipped", 30)
    # a second notice of the same fulfilment confirms nothing again
    enqueue(
        "jobs.shipments.sync_store_order",
        world.shop_id,
        link.store_order_id,
        queue="orders",
        job_id="again",
    )
    wait_for(lambda: len(world.amazon.calls("confirmShipment")) >= 1, 30)
    import time

    time.sleep(2)
    assert len(world.amazon.calls("confirmShipment")) == 1


def test_an_order_cancelled_on_amazon_is_cancelled_in_the_store(world):
    world.start_workers(1)
    import_and_map(world)
    sku = list(_skus(world))[0]
    amazon_id = _place(world, "US", sku)
    _poll_all(world)
    link = wait_for(
        lambda: db.session.query(OrderLink).filter_by(state="created").first(),
        90,
        message=world.worker_logs,
    )
    world.amazon.control("POST", f"orders/{amazon_id}/cancel")
    _poll_all(world, "-after-cancel")
    wait_for(
        lambda: db.session.get(OrderLink, link.id).state == "cancelled",
        60,
        message=world.worker_logs,
    )
    (order,) = _by_amazon_id(world)[amazon_id]
    assert order["status"] == "cancelled"


def _second_shop_on_the_same_seller(world, skus: list[str]) -> AmazonAccount:
    """A Shopify shop connected to the world's Amazon seller in NA (US enabled), whose catalogue
    holds `skus` and one SKU of its own. Its store is never reached: orders it does not own
    must not be created there."""
    from core.models import ProductSnapshot, Shop, TargetMarketplace, VariantSnapshot

    woo_account = (
        db.session.query(AmazonAccount).filter_by(shop_id=world.shop_id, region="NA").one()
    )
    shop = Shop(platform="shopify", domain="second-store.myshopify.com", name="Second")
    db.session.add(shop)
    db.session.flush()
    account = AmazonAccount(
        shop_id=shop.id,
        region="NA",
        selling_partner_id=woo_account.selling_partner_id,
        refresh_token=woo_account.refresh_token,
    )
    db.session.add(account)
    db.session.flush()
    db.session.add(
        TargetMarketplace(
            shop_id=shop.id,
            account_id=account.id,
            marketplace_id=MARKETS["US"][1],
            country_code="US",
            currency="USD",
            language="en_US",
            enabled=True,
            fulfillment_channel="FBM",
        )
    )
    product = ProductSnapshot(shop_id=shop.id, external_id="gid://shopify/Product/1", data={})
    db.session.add(product)
    db.session.flush()
    for n, sku in enumerate([*skus, "SHOPIFY-ONLY-1"]):
        db.session.add(
            VariantSnapshot(
                shop_id=shop.id,
                product_id=product.id,
                external_id=f"gid://shopify/ProductVariant/{n + 1}",
                sku=sku,
                quantity=5,
            )
        )
    db.session.commit()
    return account


def _place_lines(world, skus: list[str]) -> str:
    items = [{"sku": s, "quantity": 1, "price": "20.00", "shipping": "3.00"} for s in skus]
    order = world.amazon.control(
        "POST",
        "orders",
        json={"seller_id": world.seller_id, "marketplace_id": MARKETS["US"][1], "items": items},
    )
    return order["AmazonOrderId"]


def test_two_shops_on_one_seller_each_order_goes_to_the_shop_owning_its_skus(world):
    from core.models import Alert

    world.start_workers(1)
    import_and_map(world)
    woo_sku, shared_sku = list(_skus(world))[:2]
    other = _second_shop_on_the_same_seller(world, [shared_sku])
    woo_order = _place_lines(world, [woo_sku])
    mixed_order = _place_lines(world, [woo_sku, "SHOPIFY-ONLY-1"])
    ambiguous_order = _place_lines(world, [shared_sku])
    # the second shop polls first: it sees (and claims) every order of the seller
    enqueue("jobs.orders.import_orders", other.id, queue="orders", job_id="poll-second-shop")

    def settled():
        links = db.session.query(OrderLink).all()
        return len(links) == 3 and all(link.state in ("created", "failed") for link in links)

    wait_for(settled, 90, message=world.worker_logs)
    links = {link.amazon_order_id: link for link in db.session.query(OrderLink)}
    assert (links[woo_order].state, links[woo_order].shop_id) == ("created", world.shop_id)
    for amazon_id in (mixed_order, ambiguous_order):
        assert links[amazon_id].state == "failed" and "more than one shop" in links[amazon_id].error
        assert links[amazon_id].attempts >= 10  # not retried on its own: the seller decides
    alerts = db.session.query(Alert).filter_by(kind="order_unrouted").all()
    assert sorted(a.message.split()[2] for a in alerts) == sorted([mixed_order, ambiguous_order])
    # the store's own poll afterwards creates nothing more
    from core.models import JobRun

    _poll_all(world, "-woo")
    wait_for(
        lambda: (
            db.session.query(JobRun)
            .filter_by(kind="order_import", shop_id=world.shop_id, status="done")
            .count()
            == 3
        ),
        60,
        message=world.worker_logs,
    )
    assert {link.state for link in db.session.query(OrderLink)} == {"created", "failed"}
    assert {k: len(v) for k, v in _by_amazon_id(world).items()} == {woo_order: 1}


def test_on_a_store_with_taxes_on_imported_orders_total_what_amazon_charged(world):
    """The real store added CA sales tax to an order whose tax Amazon had collected, and 19 %
    on top of German VAT-inclusive prices; the emulator taxes as it does (captures)."""
    world.store.control("config", {"taxes": {"enabled": True, "rates": "capture"}})
    world.start_workers(1)
    import_and_map(world)
    sku = list(_skus(world))[0]
    line = {"sku": sku, "quantity": 3, "price": "19.99", "shipping": "4.99", "discount": "2.00"}
    placed = {}
    for country, tax, shipping_tax, address in (
        ("US", "4.20", "0.36", {"City": "Sacramento", "StateOrRegion": "CA"}),
        ("DE", "9.26", "0.80", None),
    ):
        order = world.amazon.control(
            "POST",
            "orders",
            json={
                "seller_id": world.seller_id,
                "marketplace_id": MARKETS[country][1],
                "items": [{**line, "tax": tax, "shipping_tax": shipping_tax}],
                "address": address,
            },
        )
        placed[order["AmazonOrderId"]] = (order["OrderTotal"]["Amount"], tax, shipping_tax)
    _poll_all(world)
    wait_for(
        lambda: db.session.query(OrderLink).filter_by(state="created").count() == 2,
        90,
        message=world.worker_logs,
    )
    in_store = _by_amazon_id(world)
    for amazon_id, (amazon_total, tax, shipping_tax) in placed.items():
        (order,) = in_store[amazon_id]
        assert order["total"] == amazon_total, amazon_id
        assert order["total_tax"] == "0.00"  # the store added none of its own
        fees = sum(Decimal(f["total"]) for f in order["fee_lines"])
        assert fees == Decimal(tax) + Decimal(shipping_tax)  # Amazon's, as Amazon reports it
    assert {e["email_id"] for e in world.store.control("emails", method="GET")} == {"new_order"}
