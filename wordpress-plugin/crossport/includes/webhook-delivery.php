<?php
/**
 * Crossport's webhooks arrive within seconds, even on a store nobody is visiting.
 *
 * WooCommerce queues each delivery for Action Scheduler, which runs on WP-Cron, which runs only
 * when the site gets a request: on a quiet store a stock change can wait minutes to reach
 * Crossport, and Amazon keeps selling what the store no longer has. WooCommerce decides per
 * delivery, at the end of the request that changed something (wc_webhook_execute_queue() on
 * `shutdown`, includes/wc-webhook-functions.php), through the filter
 * `woocommerce_webhook_deliver_async` ( $deliver_async, $webhook, $arg ): false delivers at once,
 * inside that request. The plugin says false for Crossport's own webhooks only (the ones whose
 * delivery URL is under the Crossport URL), so other apps' webhooks stay in the background.
 * Crossport's webhook endpoint only verifies, records and queues, so the request waits for it
 * briefly. Stores without the plugin rely on Crossport's reconciliation sweep.
 *
 * @package Crossport
 */

defined( 'ABSPATH' ) || exit;

/**
 * Whether a webhook is one of Crossport's: its delivery URL is under the Crossport URL.
 *
 * @param mixed $webhook The WC_Webhook WooCommerce passes (other callers pass null).
 */
function crossport_is_own_webhook( $webhook ): bool {
	if ( ! is_object( $webhook ) || ! method_exists( $webhook, 'get_delivery_url' ) ) {
		return false;
	}
	$url = (string) $webhook->get_delivery_url();
	return 0 === strpos( $url, crossport_service_url() . '/' );
}

/**
 * Filter woocommerce_webhook_deliver_async: deliver Crossport's webhooks synchronously.
 *
 * @param bool  $deliver_async What WooCommerce or another filter decided.
 * @param mixed $webhook       The WC_Webhook being delivered.
 * @param mixed $arg           The hook argument (the resource id).
 */
function crossport_deliver_async( $deliver_async, $webhook = null, $arg = null ) {
	return crossport_is_own_webhook( $webhook ) ? false : $deliver_async;
}

add_filter( 'woocommerce_webhook_deliver_async', 'crossport_deliver_async', 10, 3 );
