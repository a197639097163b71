<?php
/**
 * The token key: how this plugin and Crossport come to share a secret nobody else holds.
 *
 * While connecting, Crossport's key callback (the wc-auth flow) proves the REST keys the store just
 * issued and, with those keys, posts a fresh random token key to the route below, under WooCommerce's
 * own namespace so that WooCommerce's REST authentication applies to it. The plugin keeps the key in
 * an option that is not autoloaded and that no settings screen shows; the route takes a key and never
 * answers one, so staff who can read the webhook secrets or make REST keys still cannot read it.
 *
 * @package Crossport
 */

defined( 'ABSPATH' ) || exit;

const CROSSPORT_KEY_OPTION = 'crossport_token_key';

/**
 * The token key Crossport handed this store, or null when the store is not connected (yet).
 */
function crossport_token_key(): ?string {
	$key = get_option( CROSSPORT_KEY_OPTION, '' );
	return is_string( $key ) && '' !== $key ? $key : null;
}

/**
 * Which of the capabilities the token vouches for the current user has.
 */
function crossport_current_caps(): array {
	return array_values( array_filter( CROSSPORT_VOUCHED_CAPS, 'current_user_can' ) );
}

/**
 * Who may hand the plugin a key: the REST key of a store manager (Crossport's, from the key flow).
 */
function crossport_rest_can_save_token_key(): bool {
	return current_user_can( 'manage_woocommerce' );
}

/**
 * POST wc/v3/crossport/token-key {key}: keep Crossport's token key; the answer never carries it.
 *
 * @param WP_REST_Request $request The request.
 * @return array|WP_Error
 */
function crossport_rest_save_token_key( $request ) {
	$key = $request->get_param( 'key' );
	if ( ! is_string( $key ) || ! preg_match( '/^[A-Za-z0-9_-]{43,128}$/', $key ) ) {
		return new WP_Error(
			'crossport_invalid_token_key',
			__( 'The token key must be 43 to 128 base64url characters.', 'crossport' ),
			array( 'status' => 400 )
		);
	}
	update_option( CROSSPORT_KEY_OPTION, $key, false );
	return array( 'saved' => true );
}

add_action(
	'rest_api_init',
	static function () {
		register_rest_route(
			'wc/v3',
			'/crossport/token-key',
			array(
				'methods'             => 'POST',
				'callback'            => 'crossport_rest_save_token_key',
				'permission_callback' => 'crossport_rest_can_save_token_key',
			)
		);
	}
);
