<?php
/**
 * Renewing Crossport's session inside wp-admin without reloading its page.
 *
 * Crossport's page token lives an hour. When it expires, the page in the iframe asks this page
 * (assets/token-bridge.js, by postMessage) for a fresh plugin token, which the script fetches from
 * the AJAX action below and posts back to Crossport's origin only; Crossport swaps it for a new
 * page token. The token key never reaches the browser: only signed 5-minute tokens do.
 *
 * @package Crossport
 */

defined( 'ABSPATH' ) || exit;

const CROSSPORT_TOKEN_NONCE = 'crossport_token';

/**
 * The origin (scheme://host[:port]) of a URL, as a browser reports it in MessageEvent.origin.
 *
 * @param string $url An absolute URL.
 */
function crossport_url_origin( string $url ): string {
	$parts = wp_parse_url( $url );
	if ( empty( $parts['scheme'] ) || empty( $parts['host'] ) ) {
		return '';
	}
	$origin = strtolower( $parts['scheme'] ) . '://' . strtolower( $parts['host'] );
	return empty( $parts['port'] ) ? $origin : $origin . ':' . (int) $parts['port'];
}

/**
 * A fresh plugin token for the current user and the capabilities it vouches for.
 *
 * @param string $key The token key Crossport handed this store.
 */
function crossport_plugin_token( string $key ): string {
	$claims = crossport_token_claims( home_url(), get_current_user_id(), crossport_current_caps() );
	return crossport_sign_token( $claims, $key );
}

/**
 * AJAX action crossport_token: a fresh plugin token for the logged-in seller, as JSON.
 *
 * Logged-in users only (no wp_ajax_nopriv_ hook); the nonce ties the call to this user's
 * session and to the Crossport page that printed it.
 */
function crossport_ajax_token(): void {
	check_ajax_referer( CROSSPORT_TOKEN_NONCE ); // answers -1 with status 403 on a bad nonce
	if ( ! current_user_can( 'manage_woocommerce' ) ) {
		wp_send_json_error(
			array( 'message' => __( 'You do not have permission to open Crossport.', 'crossport' ) ),
			403
		);
	}
	$key = crossport_token_key();
	if ( null === $key ) {
		wp_send_json_error(
			array( 'message' => __( 'This store is not connected to Crossport.', 'crossport' ) ),
			409
		);
	}
	nocache_headers();
	wp_send_json_success( array( 'token' => crossport_plugin_token( $key ) ) );
}

add_action( 'wp_ajax_crossport_token', 'crossport_ajax_token' );

/**
 * Print the bridge script in the Crossport page's footer, with where to ask and whom to answer.
 */
function crossport_enqueue_token_bridge(): void {
	wp_enqueue_script(
		'crossport-token-bridge',
		plugins_url( 'assets/token-bridge.js', CROSSPORT_PLUGIN_FILE ),
		array(),
		CROSSPORT_VERSION,
		true
	);
	$config = array(
		'origin'  => crossport_url_origin( crossport_service_url() ),
		'ajaxUrl' => admin_url( 'admin-ajax.php' ),
		'nonce'   => wp_create_nonce( CROSSPORT_TOKEN_NONCE ),
	);
	wp_add_inline_script(
		'crossport-token-bridge',
		'window.crossportTokenBridge = ' . wp_json_encode( $config ) . ';',
		'before'
	);
}
