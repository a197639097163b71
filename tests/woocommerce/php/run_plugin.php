<?php
/**
 * Runs the Crossport plugin under small stand-ins for the WordPress and WooCommerce functions it
 * calls, which behave as WordPress documents them: check_ajax_referer() dies with -1 and status
 * 403, wp_send_json_*() print JSON and exit, the REST server refuses a route whose
 * permission_callback says no with rest_forbidden (403) and answers a WP_Error with its status.
 * Prints what happened as one JSON object.
 *
 * Usage: php run_plugin.php '<scenario JSON>' (see tests/woocommerce/test_plugin_token_bridge.py).
 */

define( 'ABSPATH', '/' );
$scenario = json_decode( $argv[1], true );
$_REQUEST = $scenario['request'];
$hooks    = array();
$scripts  = array();
$headers  = array();
$actions  = array();
$routes   = array();
$options  = $scenario['options'] ?? array();

function add_action( $hook, $callback, $priority = 10 ) {
	$GLOBALS['hooks'][]            = $hook;
	$GLOBALS['actions'][ $hook ][] = $callback;
}
function add_filter( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	add_action( $hook, $callback, $priority );
}
function do_action( $hook ) {
	foreach ( $GLOBALS['actions'][ $hook ] ?? array() as $callback ) {
		$callback();
	}
}
function get_option( $name, $default = false ) {
	return array_key_exists( $name, $GLOBALS['options'] ) ? $GLOBALS['options'][ $name ] : $default;
}
function update_option( $name, $value, $autoload = null ) {
	$GLOBALS['options'][ $name ]              = $value;
	$GLOBALS['options_autoload'][ $name ]     = $autoload;
	return true;
}
function register_rest_route( $route_namespace, $route, $args ) {
	$GLOBALS['routes'][ '/' . $route_namespace . $route ] = $args;
}

/** WordPress's error object, as a REST callback returns it. */
class WP_Error {
	public $code;
	public $message;
	public $data;
	public function __construct( $code, $message, $data = null ) {
		$this->code    = $code;
		$this->message = $message;
		$this->data    = $data;
	}
}

/** A REST request: the JSON body's parameters. */
class WP_REST_Request {
	private $params;
	public function __construct( $params ) {
		$this->params = $params;
	}
	public function get_param( $key ) {
		return $this->params[ $key ] ?? null;
	}
}

/** WP_REST_Server::dispatch() for one POST: permission check, then the callback. */
function rest_dispatch( $path, $params ) {
	do_action( 'rest_api_init' );
	$route = $GLOBALS['routes'][ $path ] ?? null;
	if ( null === $route || 'POST' !== $route['methods'] ) {
		finish( 404, array( 'code' => 'rest_no_route' ) );
	}
	if ( true !== call_user_func( $route['permission_callback'] ) ) {
		finish( 403, array( 'code' => 'rest_forbidden' ) );
	}
	$answer = call_user_func( $route['callback'], new WP_REST_Request( $params ) );
	if ( $answer instanceof WP_Error ) {
		finish( $answer->data['status'], array( 'code' => $answer->code, 'message' => $answer->message ) );
	}
	finish( 200, $answer );
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
			'options' => $GLOBALS['options'],
			'autoload' => $GLOBALS['options_autoload'] ?? array(),
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
if ( 'rest' === $scenario['call'] ) {
	rest_dispatch( $scenario['rest']['path'], $scenario['rest']['params'] );
}
crossport_enqueue_token_bridge();
finish( 0, null );
