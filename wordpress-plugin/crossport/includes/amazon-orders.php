<?php
/**
 * No store e-mail to an Amazon buyer.
 *
 * Amazon buyers may be contacted only through Amazon's Buyer-Seller Messaging. Crossport
 * creates Amazon orders without a billing e-mail, so WooCommerce has no one to send its
 * customer e-mails to; this filter is the second guard, for an order someone gave an e-mail
 * later: every customer e-mail of an order Crossport created gets no recipient, and
 * WC_Email::trigger() sends nothing without one. The admin's own e-mails are untouched.
 *
 * @package Crossport
 */

defined( 'ABSPATH' ) || exit;

/** WooCommerce's customer e-mail ids (the `woocommerce_email_recipient_{id}` filters). */
const CROSSPORT_CUSTOMER_EMAILS = array(
	'customer_processing_order',
	'customer_completed_order',
	'customer_on_hold_order',
	'customer_note',
	'customer_invoice',
	'customer_refunded_order',
	'customer_partially_refunded_order',
	'customer_failed_order',
	'customer_cancelled_order',
);

/**
 * No recipient for a customer e-mail about an order Crossport imported from Amazon.
 *
 * @param string $recipient The recipient WooCommerce chose.
 * @param mixed  $order     The e-mail's object (an order for these e-mails).
 */
function crossport_no_email_to_amazon_buyer( $recipient, $order = null ) {
	if ( is_object( $order ) && method_exists( $order, 'get_meta' )
		&& '' !== (string) $order->get_meta( '_crossport_amazon_order_id' ) ) {
		return '';
	}
	return $recipient;
}

foreach ( CROSSPORT_CUSTOMER_EMAILS as $crossport_email_id ) {
	add_filter( 'woocommerce_email_recipient_' . $crossport_email_id, 'crossport_no_email_to_amazon_buyer', 10, 2 );
}
