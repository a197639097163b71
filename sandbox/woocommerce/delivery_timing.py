"""When the emulated store's webhook deliveries leave it, as a real WooCommerce 11 store sends them.

A real store delivers through Action Scheduler: at PHP `shutdown` the triggering request queues
one `woocommerce_deliver_webhook_async` action, and the queue runs only when something runs it
(captures/README.md, "Webhook delivery: when and why it arrives"):

* WP-Cron, spawned by any request to the site once the once-a-minute runner is due again: a
  front-page view after 70 s of silence (scenario-product-updated-simple: 0.7 s after the page
  view), or the triggering REST request itself when the runner was already due
  (scenario-async-after-sync-removed: 0.2 s). Nothing arrives without traffic.
* a logged-in wp-admin page view, which dispatches the async queue runner at most once per 60 s
  lock (scenario-product-updated-then-admin-page-view: 0.25 s after the admin page).
* while an action for the same (webhook, resource) is pending no second one is queued, and the
  payload is built when it is sent (scenario-product-updated-twice-quickly: one delivery, final
  state).

With `add_filter('woocommerce_webhook_deliver_async', ...)` returning false the delivery is sent
synchronously at the triggering request's `shutdown`, before its response reaches the client
(scenario-sync-delivery: arrived 0.1 s after the request started, the REST call took 3.1 s with a
receiver answering after 3 s). The Crossport plugin returns false for Crossport's own webhooks
only (wordpress-plugin/crossport/includes/webhook-delivery.php): `plugin_sync` is that plugin.

Modes: "background" (the emulator's default, as before: runners take deliveries at once, like a
store whose runner is always due) and "on_traffic" (held until traffic, as the real store).
"""

from __future__ import annotations

import threading
import time

MODES = ("background", "on_traffic")
# Action Scheduler's WP-Cron schedule (`action_scheduler_run_queue`, every minute) and its async
# request runner's lock (`ActionScheduler_AsyncRequest_QueueRunner`, 60 s).
RUNNER_INTERVAL = 60.0


class DeliveryTiming:
    """The store's delivery mode, its held deliveries and when its queue runners last ran."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.mode = "background"
            self.plugin_sync = False
            self.runner_interval = RUNNER_INTERVAL
            self.held: dict[tuple[int, str, int], dict] = {}
            self.cron_ran = self.async_ran = time.monotonic()

    def configure(self, data: dict) -> None:
        """Apply /_sandbox/config keys: webhook_delivery, plugin_sync_delivery,
        runner_interval_seconds. Switching to on_traffic starts as the captures did: a page view
        just ran whatever was due, so the runner is next due one interval from now."""
        with self.lock:
            if "webhook_delivery" in data:
                mode = data["webhook_delivery"]
                if mode not in MODES:
                    raise ValueError(f"webhook_delivery must be one of {', '.join(MODES)}")
                self.mode = mode
                self.cron_ran = self.async_ran = time.monotonic()
            if "plugin_sync_delivery" in data:
                self.plugin_sync = bool(data["plugin_sync_delivery"])
            if "runner_interval_seconds" in data:
                self.runner_interval = float(data["runner_interval_seconds"])

    def view(self) -> dict:
        with self.lock:
            return {
                "webhook_delivery": self.mode,
                "plugin_sync_delivery": self.plugin_sync,
                "runner_interval_seconds": self.runner_interval,
                "held_deliveries": len(self.held),
            }

    def synchronous(self, delivery_url: str, crossport_url: str) -> bool:
        """The plugin's filter: Crossport's own webhooks are delivered at shutdown."""
        return self.plugin_sync and delivery_url.startswith(crossport_url.rstrip("/") + "/")

    def hold(self, hook_id: int, topic: str, resource_id: int, plan: dict) -> bool:
        """Queue a delivery for the runner; False when one for the same (webhook, resource) is
        already pending (WooCommerce does not queue it twice)."""
        with self.lock:
            key = (hook_id, topic, resource_id)
            if key in self.held:
                return False
            self.held[key] = plan
            return True

    def traffic(self, path: str, *, forced: bool = False) -> list[tuple[tuple, dict, str]]:
        """A request reached the store: the held deliveries a runner takes now, if one runs.
        `forced` is a page view at a moment the runner is due (/_sandbox/traffic)."""
        now = time.monotonic()
        with self.lock:
            if self.mode != "on_traffic" or not self.held:
                return []
            if forced or now - self.cron_ran >= self.runner_interval:
                self.cron_ran, run_by = now, "WP Cron"
            elif path.startswith("/wp-admin") and now - self.async_ran >= self.runner_interval:
                self.async_ran, run_by = now, "Async Request"
            else:
                return []
            taken = [(key, plan, run_by) for key, plan in self.held.items()]
            self.held.clear()
            return taken
