<?php
/**
 * A carrier and tracking-number box on the order edit screen, for stores without a tracking plugin.
 *
 * Crossport confirms an Amazon order's shipment from the order's tracking: the Shipment Tracking
 * (and Advanced Shipment Tracking) meta `_wc_shipment_tracking_items`, else its own meta
 * `_crossport_tracking`. wp-admin refuses custom fields whose key starts with "_" (protected
 * meta), so without this box the fallback could only be set over REST. The box saves
 * `_crossport_tracking` as a list of one {carrier, tracking_number, shipped_at}; the order save
 * then sends order.updated, which brings it to Crossport. It is shown on the order screen of both
 * order storages (HPOS: wc_get_page_screen_id( 'shop-order' ); posts: 'shop_order') and saved on
 * woocommerce_process_shop_order_meta, which both fire, with a nonce and the edit_shop_orders
 * capability checked.
 *
 * @package Crossport
 */

defined( 'ABSPATH' ) || exit;

const CROSSPORT_TRACKING_META  = '_crossport_tracking';
const CROSSPORT_TRACKING_NONCE = 'crossport_tracking_nonce';

/**
 * The nonce action of one order's box.
 *
 * @param int $order_id The order id.
 */
function crossport_tracking_nonce_action( int $order_id ): string {
	return 'crossport_tracking_' . $order_id;
}

/**
 * The order edit screen's id: HPOS's page when order tables are on, else the post type.
 */
function crossport_order_screen(): string {
	return function_exists( 'wc_get_page_screen_id' ) ? wc_get_page_screen_id( 'shop-order' ) : 'shop_order';
}

/**
 * The tracking Crossport's box saved on an order, as one entry (empty values when none).
 *
 * @param WC_Order $order The order.
 */
function crossport_saved_tracking( $order ): array {
	$saved = $order->get_meta( CROSSPORT_TRACKING_META );
	if ( is_string( $saved ) ) {
		$saved = json_decode( $saved, true );
	}
	if ( is_array( $saved ) && isset( $saved['tracking_number'] ) ) {
		$saved = array( $saved ); // one object is allowed too
	}
	$first = is_array( $saved ) && isset( $saved[0] ) && is_array( $saved[0] ) ? $saved[0] : array();
	return array(
		'carrier'         => (string) ( $first['carrier'] ?? '' ),
		'tracking_number' => (string) ( $first['tracking_number'] ?? '' ),
		'shipped_at'      => (string) ( $first['shipped_at'] ?? '' ),
	);
}

/**
 * Render the box.
 *
 * @param WP_Post|WC_Order $post_or_order The post (posts storage) or the order (HPOS).
 */
function crossport_render_tracking_box( $post_or_order ): void {
	$order = $post_or_order instanceof WC_Order ? $post_or_order : wc_get_order( $post_or_order->ID );
	if ( ! $order ) {
		return;
	}
	$saved = crossport_saved_tracking( $order );
	wp_nonce_field( crossport_tracking_nonce_action( $order->get_id() ), CROSSPORT_TRACKING_NONCE );
	echo '<p><label for="crossport_carrier">' . esc_html__( 'Carrier', 'crossport' ) . '</label><br>';
	echo '<input type="text" class="widefat" id="crossport_carrier" name="crossport_carrier" value="' . esc_attr( $saved['carrier'] ) . '" placeholder="DHL"></p>';
	echo '<p><label for="crossport_tracking_number">' . esc_html__( 'Tracking number', 'crossport' ) . '</label><br>';
	echo '<input type="text" class="widefat" id="crossport_tracking_number" name="crossport_tracking_number" value="' . esc_attr( $saved['tracking_number'] ) . '"></p>';
	echo '<p class="description">' . esc_html__( 'Crossport confirms the shipment on Amazon with this tracking when no tracking plugin holds one.', 'crossport' ) . '</p>';
}

/**
 * Add the box to the order edit screen.
 */
function crossport_add_tracking_box(): void {
	add_meta_box(
		'crossport-tracking',
		__( 'Shipment tracking (Crossport)', 'crossport' ),
		'crossport_render_tracking_box',
		crossport_order_screen(),
		'side',
		'default'
	);
}

/**
 * Save the box: nonce and capability checked, then `_crossport_tracking` set or removed.
 *
 * @param int $order_id The order being saved.
 */
function crossport_save_tracking_box( $order_id ): void {
	$order_id = (int) $order_id;
	if ( ! isset( $_POST[ CROSSPORT_TRACKING_NONCE ], $_POST['crossport_tracking_number'] ) ) {
		return; // not saved from the order screen (REST, another form): leave the meta alone
	}
	$nonce = sanitize_text_field( wp_unslash( $_POST[ CROSSPORT_TRACKING_NONCE ] ) );
	if ( ! wp_verify_nonce( $nonce, crossport_tracking_nonce_action( $order_id ) ) ) {
		return;
	}
	if ( ! current_user_can( 'edit_shop_orders', $order_id ) ) {
		return;
	}
	$order = wc_get_order( $order_id );
	if ( ! $order ) {
		return;
	}
	$carrier = sanitize_text_field( wp_unslash( $_POST['crossport_carrier'] ?? '' ) );
	$number  = sanitize_text_field( wp_unslash( $_POST['crossport_tracking_number'] ) );
	$saved   = crossport_saved_tracking( $order );
	if ( '' === $number ) {
		$order->delete_meta_data( CROSSPORT_TRACKING_META );
	} elseif ( $number !== $saved['tracking_number'] || $carrier !== $saved['carrier'] ) {
		$shipped = $number === $saved['tracking_number'] && '' !== $saved['shipped_at'] ? $saved['shipped_at'] : gmdate( 'Y-m-d\TH:i:s\Z' );
		$order->update_meta_data(
			CROSSPORT_TRACKING_META,
			array(
				array(
					'carrier'         => $carrier,
					'tracking_number' => $number,
					'shipped_at'      => $shipped,
				),
			)
		);
	} else {
		return; // unchanged
	}
	$order->save();
}

add_action( 'add_meta_boxes', 'crossport_add_tracking_box' );
add_action( 'woocommerce_process_shop_order_meta', 'crossport_save_tracking_box', 10, 1 );
