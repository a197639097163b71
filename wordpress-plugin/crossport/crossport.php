<?php
/**
 * Plugin Name:       Crossport for WooCommerce
 * Description:       Sell your WooCommerce catalogue on Amazon's international marketplaces. Adds WooCommerce → Crossport.
 * Version:           0.3.0
 * Requires at least: 6.3
 * Requires PHP:      7.4
 * Requires Plugins:  woocommerce
 * WC requires at least: 8.0
 * License:           MIT
 * Text Domain:       crossport
 *
 * @package Crossport
 */

defined( 'ABSPATH' ) || exit;

const CROSSPORT_VERSION     = '0.3.0';
const CROSSPORT_PLUGIN_FILE = __FILE__;

require_once __DIR__ . '/includes/token.php';
require_once __DIR__ . '/includes/connection.php';
require_once __DIR__ . '/includes/token-bridge.php';
require_once __DIR__ . '/includes/amazon-orders.php';
require_once __DIR__ . '/includes/webhook-delivery.php';
require_once __DIR__ . '/includes/order-tracking.php';

/**
 * Crossport's base URL: the `crossport_url` option, else the CROSSPORT_URL constant.
 */
function crossport_service_url(): string {
	$default = defined( 'CROSSPORT_URL' ) ? CROSSPORT_URL : 'https://app.crossport.io';
	return untrailingslashit( (string) get_option( 'crossport_url', $default ) );
}

/**
 * The URL that starts the key flow for this store.
 */
function crossport_connect_url(): string {
	return crossport_service_url() . '/woocommerce/connect?store_url=' . rawurlencode( home_url() );
}

/**
 * The iframe URL of Crossport's page, authenticated by a fresh 5-minute token.
 *
 * @param string $key The token key Crossport handed this store.
 */
function crossport_app_url( string $key ): string {
	return crossport_service_url() . '/app?wc_token=' . rawurlencode( crossport_plugin_token( $key ) );
}

/**
 * Save the Crossport URL setting (administrators only, nonce checked).
 */
function crossport_save_settings(): void {
	if ( ! isset( $_POST['crossport_url'] ) || ! current_user_can( 'manage_options' ) ) {
		return;
	}
	check_admin_referer( 'crossport_settings' );
	$url = esc_url_raw( wp_unslash( $_POST['crossport_url'] ) );
	if ( $url ) {
		update_option( 'crossport_url', untrailingslashit( $url ) );
	}
}

/**
 * WooCommerce → Crossport: the connect button, or Crossport's page in an iframe.
 */
function crossport_render_page(): void {
	if ( ! current_user_can( 'manage_woocommerce' ) ) {
		wp_die( esc_html__( 'You do not have permission to open Crossport.', 'crossport' ) );
	}
	crossport_save_settings();
	$key = crossport_token_key();
	echo '<div class="wrap"><h1>' . esc_html__( 'Crossport', 'crossport' ) . '</h1>';
	if ( null === $key ) {
		// Never connected, or connected by a plugin older than the token key: connect (again).
		echo '<p>' . esc_html__( 'Sell this store\'s products on Amazon\'s international marketplaces.', 'crossport' ) . '</p>';
		echo '<p><a class="button button-primary" id="crossport-connect" href="' . esc_url( crossport_connect_url() ) . '">'
			. esc_html__( 'Connect to Crossport', 'crossport' ) . '</a></p>';
	} else {
		echo '<iframe id="crossport-app" src="' . esc_url( crossport_app_url( $key ) ) . '" '
			. 'style="width:100%;height:calc(100vh - 160px);border:0;background:#fff"></iframe>';
		echo '<p><a href="' . esc_url( crossport_connect_url() ) . '">' . esc_html__( 'Reconnect', 'crossport' ) . '</a></p>';
		crossport_enqueue_token_bridge(); // the page renews its session through this page
	}
	if ( current_user_can( 'manage_options' ) ) {
		echo '<form method="post"><p><label>' . esc_html__( 'Crossport URL', 'crossport' ) . ' ';
		echo '<input type="url" name="crossport_url" class="regular-text" value="' . esc_attr( crossport_service_url() ) . '"></label> ';
		wp_nonce_field( 'crossport_settings' );
		submit_button( __( 'Save', 'crossport' ), 'secondary', 'submit', false );
		echo '</p></form>';
	}
	echo '</div>';
}

add_action(
	'admin_menu',
	static function () {
		add_submenu_page(
			'woocommerce',
			__( 'Crossport', 'crossport' ),
			__( 'Crossport', 'crossport' ),
			'manage_woocommerce',
			'crossport',
			'crossport_render_page'
		);
	},
	99
);

// Declare compatibility with WooCommerce's order tables (HPOS): the tracking box (includes/
// order-tracking.php) reads and writes order meta through WC_Order only.
add_action(
	'before_woocommerce_init',
	static function () {
		if ( class_exists( \Automattic\WooCommerce\Utilities\FeaturesUtil::class ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', __FILE__, true );
		}
	}
);
