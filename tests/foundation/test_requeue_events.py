"""The sweep re-queues webhook events recorded but never queued (Redis was away): under the same
job id as the intake's, so an event whose job is still waiting is not queued twice."""

from datetime import timedelta

from core.db import db, utcnow
from core.models import Shop, WebhookEvent
from jobs.maintenance import requeue_unprocessed_events
from jobs.queues import get_queue
from jobs.webhooks import enqueue_event


def _event(shop: Shop, minutes_ago: int) -> WebhookEvent:
    event = WebhookEvent(shop_id=shop.id, platform="woocommerce", topic="product.updated",
                         event_key=f"product:1:{minutes_ago}", resource_id="1",
                         received_at=utcnow() - timedelta(minutes=minutes_ago))  # fmt: skip
    db.session.add(event)
    db.session.commit()
    return event


def test_an_event_still_waiting_in_its_queue_is_not_queued_twice(app):
    shop = Shop(platform="woocommerce", domain="shop.test", name="shop")
    db.session.add(shop)
    db.session.commit()
    waiting, lost, recent = _event(shop, 10), _event(shop, 9), _event(shop, 0)
    enqueue_event(waiting.id, "Process a webhook", shop.id)  # the intake queued this one
    # when the sweep runs, it queues the events left unprocessed for 2 minutes
    assert requeue_unprocessed_events() == 2
    # then each is queued once: the waiting one kept its job, the lost one got one, not the new
    queued = sorted(job.args[0] for job in get_queue("webhooks").get_jobs())
    assert queued == [waiting.id, lost.id] and recent.id not in queued
