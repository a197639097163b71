<?php
/**
 * Runs the Crossport plugin under small stand-ins for the WordPress and WooCommerce functions it
 * calls, which behave as WordPress documents them: check_ajax_referer() dies with -1 and status
 * 403, wp_send_json_*() print JSON and exit. Prints what happened as one JSON object.
 *
 * Usage: php run_plugin.php '<scenario JSON>' (see tests/woocommerce/test_plugin_token_bridge.py).
 */

define( 'ABSPATH', '/' );
$scenario = json_decode( $argv[1], true );
$_REQUEST = $scenario['request'];
$hooks    = array();
$scripts  = array();
$headers  = array();

function add_action( $hook, $callback, $priority = 10 ) {
	$GLOBALS['hooks'][] = $hook;
}
function get_option( $name, $default = false ) {
	return $default;
}
function untrailingslashit( $value ) {
	return rtrim( $value, '/\\' );
}
function home_url() {
	return 'https://store.example';
}
function get_current_user_id() {
	return 7;
}
function __( $text, $domain = 'default' ) {
	return $text;
}
function wp_parse_url( $url ) {
	return parse_url( $url );
}
function wp_json_encode( $data ) {
	return json_encode( $data );
}
function admin_url( $path ) {
	return 'https://store.example/wp-admin/' . $path;
}
function plugins_url( $path, $file ) {
	return 'https://store.example/wp-content/plugins/' . basename( dirname( $file ) ) . '/' . $path;
}
function wp_create_nonce( $action ) {
	return 'nonce-of-' . $action;
}
function nocache_headers() {
	$GLOBALS['headers'][] = 'no-cache';
}
function current_user_can( $capability ) {
	return in_array( $capability, $GLOBALS['scenario']['caps'], true );
}
function finish( $status, $body ) {
	echo json_encode(
		array(
			'status'  => $status,
			'body'    => $body,
			'hooks'   => $GLOBALS['hooks'],
			'scripts' => $GLOBALS['scripts'],
			'headers' => $GLOBALS['headers'],
		)
	);
	exit;
}
function check_ajax_referer( $action ) {
	if ( ( $_REQUEST['_ajax_nonce'] ?? '' ) !== 'nonce-of-' . $action ) {
		finish( 403, -1 );
	}
	return 1;
}
function wp_send_json_success( $data = null, $status = null ) {
	finish( $status ? $status : 200, array( 'success' => true, 'data' => $data ) );
}
function wp_send_json_error( $data = null, $status = null ) {
	finish( $status ? $status : 200, array( 'success' => false, 'data' => $data ) );
}
function wp_enqueue_script( $handle, $src, $deps, $version, $footer ) {
	$GLOBALS['scripts'][] = compact( 'handle', 'src', 'version', 'footer' );
}
function wp_add_inline_script( $handle, $code, $position ) {
	$GLOBALS['scripts'][] = compact( 'handle', 'code', 'position' );
}

/** A WooCommerce webhook as wc_get_webhook() returns it. */
class Crossport_Test_Webhook {
	private $url;
	private $secret;
	public function __construct( $url, $secret ) {
		$this->url    = $url;
		$this->secret = $secret;
	}
	public function get_delivery_url() {
		return $this->url;
	}
	public function get_secret() {
		return $this->secret;
	}
}

/** The webhook data store: the scenario's webhooks. */
class WC_Data_Store {
	public static function load( $type ) {
		return new self();
	}
	public function search_webhooks( $args ) {
		return array_keys( $GLOBALS['scenario']['webhooks'] );
	}
}

function wc_get_webhook( $id ) {
	$hook = $GLOBALS['scenario']['webhooks'][ $id ];
	return new Crossport_Test_Webhook( $hook[0], $hook[1] );
}

define( 'CROSSPORT_URL', $scenario['crossport_url'] );
require $scenario['plugin'];
if ( 'ajax' === $scenario['call'] ) {
	crossport_ajax_token();
}
crossport_enqueue_token_bridge();
finish( 0, null );
