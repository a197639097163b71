<?php
/**
 * Crossport plugin token: a short-lived HS256 JWT that lets wp-admin open Crossport's page.
 *
 * Key: HMAC-SHA256(key = the secret of Crossport's webhooks in this store,
 * message = "crossport-plugin-token"), so no extra secret has to travel to the store.
 * Claims: iss = home_url(), aud = "crossport", sub = WordPress user id, iat, exp = iat + 300,
 * jti = random. Crossport verifies it in integrations/woocommerce/plugin_token.py.
 *
 * Pure functions without WordPress calls, so the PHP CLI can test them.
 *
 * @package Crossport
 */

if ( ! defined( 'ABSPATH' ) && 'cli' !== PHP_SAPI ) {
	exit;
}

const CROSSPORT_TOKEN_LIFETIME = 300;

/**
 * Base64url without padding, as JWT uses it.
 *
 * @param string $data Raw bytes.
 */
function crossport_base64url( string $data ): string {
	return rtrim( strtr( base64_encode( $data ), '+/', '-_' ), '=' );
}

/**
 * The signing key derived from the connection's webhook secret.
 *
 * @param string $webhook_secret Secret of Crossport's webhooks in this store.
 */
function crossport_token_key( string $webhook_secret ): string {
	return hash_hmac( 'sha256', 'crossport-plugin-token', $webhook_secret, true );
}

/**
 * The claims of a token for one WordPress user.
 *
 * @param string   $store_url The store's home URL (the issuer).
 * @param int      $user_id   WordPress user id.
 * @param int|null $now       Unix time (tests pass it).
 */
function crossport_token_claims( string $store_url, int $user_id, ?int $now = null ): array {
	$now = null === $now ? time() : $now;
	return array(
		'iss' => $store_url,
		'aud' => 'crossport',
		'sub' => (string) $user_id,
		'iat' => $now,
		'exp' => $now + CROSSPORT_TOKEN_LIFETIME,
		'jti' => bin2hex( random_bytes( 16 ) ),
	);
}

/**
 * Sign claims as an HS256 JWT.
 *
 * @param array  $claims Token claims.
 * @param string $key    Signing key from crossport_token_key().
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
