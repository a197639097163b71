<?php
/**
 * Crossport plugin token: a short-lived HS256 JWT that lets wp-admin open Crossport's page.
 *
 * Key: the random token key Crossport handed this plugin over the store's authenticated REST API
 * while connecting (includes/connection.php). It is kept in an option that no settings screen
 * shows, so store staff cannot read it; it is not derived from the webhook secret, which anyone
 * with manage_woocommerce can read in WooCommerce > Settings > Advanced > Webhooks.
 * Claims: iss = home_url(), aud = "crossport", sub = WordPress user id, caps = which of
 * CROSSPORT_VOUCHED_CAPS the user has (Crossport takes the highest role it may give from them),
 * iat, exp = iat + 300, jti = random. Crossport verifies it in integrations/woocommerce/plugin_token.py.
 *
 * Pure functions without WordPress calls, so the PHP CLI can test them.
 *
 * @package Crossport
 */

if ( ! defined( 'ABSPATH' ) && 'cli' !== PHP_SAPI ) {
	exit;
}

const CROSSPORT_TOKEN_LIFETIME = 300;

/** The capabilities the token vouches for: manage_options makes an owner, manage_woocommerce staff. */
const CROSSPORT_VOUCHED_CAPS = array( 'manage_options', 'manage_woocommerce' );

/**
 * Base64url without padding, as JWT uses it.
 *
 * @param string $data Raw bytes.
 */
function crossport_base64url( string $data ): string {
	return rtrim( strtr( base64_encode( $data ), '+/', '-_' ), '=' );
}

/**
 * The claims of a token for one WordPress user.
 *
 * @param string   $store_url The store's home URL (the issuer).
 * @param int      $user_id   WordPress user id.
 * @param string[] $caps      Which of CROSSPORT_VOUCHED_CAPS the user has.
 * @param int|null $now       Unix time (tests pass it).
 */
function crossport_token_claims( string $store_url, int $user_id, array $caps, ?int $now = null ): array {
	$now = null === $now ? time() : $now;
	return array(
		'iss'  => $store_url,
		'aud'  => 'crossport',
		'sub'  => (string) $user_id,
		'caps' => array_values( array_intersect( CROSSPORT_VOUCHED_CAPS, $caps ) ),
		'iat'  => $now,
		'exp'  => $now + CROSSPORT_TOKEN_LIFETIME,
		'jti'  => bin2hex( random_bytes( 16 ) ),
	);
}

/**
 * Sign claims as an HS256 JWT.
 *
 * @param array  $claims Token claims.
 * @param string $key    The token key Crossport handed the plugin.
 */
function crossport_sign_token( array $claims, string $key ): string {
	$header   = array(
		'alg' => 'HS256',
		'typ' => 'JWT',
	);
	$segments = array(
		crossport_base64url( json_encode( $header ) ),
		crossport_base64url( json_encode( $claims, JSON_UNESCAPED_SLASHES ) ),
	);
	$segments[] = crossport_base64url( hash_hmac( 'sha256', implode( '.', $segments ), $key, true ) );
	return implode( '.', $segments );
}
