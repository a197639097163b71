<?php
/**
 * Loads the whole Crossport plugin under small stand-ins for the WordPress and WooCommerce
 * functions it calls, then runs one of its hooks as WordPress would and prints what happened as
 * JSON. Stand-ins behave as documented: apply_filters() passes the value through each callback
 * with its accepted_args, wp_verify_nonce() accepts the nonce wp_create_nonce() made for the same
 * action, current_user_can() answers from the scenario's caps, WC_Order keeps meta in memory and
 * counts save() calls, wc_get_page_screen_id( 'shop-order' ) is HPOS's page id when the scenario
 * says HPOS is on.
 *
 * Usage: php run_hooks.php '<scenario JSON>' (see tests/woocommerce/test_plugin_hooks.py).
 */

define( 'ABSPATH', '/' );
$scenario = json_decode( $argv[1], true );
$filters  = array();
$boxes    = array();
$options  = $scenario['options'] ?? array();
$_POST    = $scenario['post'] ?? array();

function add_filter( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	$GLOBALS['filters'][ $hook ][] = array( $callback, $accepted_args );
}
function add_action( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	add_filter( $hook, $callback, $priority, $accepted_args );
}
function apply_filters( $hook, $value, ...$args ) {
	foreach ( $GLOBALS['filters'][ $hook ] ?? array() as list( $callback, $accepted ) ) {
		$value = $callback( ...array_slice( array_merge( array( $value ), $args ), 0, $accepted ) );
	}
	return $value;
}
function do_action( $hook, ...$args ) {
	foreach ( $GLOBALS['filters'][ $hook ] ?? array() as list( $callback, $accepted ) ) {
		$callback( ...array_slice( $args, 0, $accepted ) );
	}
}
function get_option( $name, $default = false ) {
	return array_key_exists( $name, $GLOBALS['options'] ) ? $GLOBALS['options'][ $name ] : $default;
}
function untrailingslashit( $value ) {
	return rtrim( $value, '/\\' );
}
function __( $text, $domain = 'default' ) {
	return $text;
}
function esc_html__( $text, $domain = 'default' ) {
	return htmlspecialchars( $text, ENT_QUOTES );
}
function esc_attr( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES );
}
function wp_unslash( $value ) {
	return is_string( $value ) ? stripslashes( $value ) : $value;
}
function sanitize_text_field( $value ) {
	return trim( preg_replace( '/[\r\n\t ]+/', ' ', wp_strip_all_tags( (string) $value ) ) );
}
function wp_strip_all_tags( $text ) {
	return strip_tags( $text );
}
function wp_create_nonce( $action ) {
	return 'nonce-of-' . $action;
}
function wp_verify_nonce( $nonce, $action ) {
	return wp_create_nonce( $action ) === $nonce ? 1 : false;
}
function wp_nonce_field( $action, $name ) {
	echo '<input type="hidden" name="' . esc_attr( $name ) . '" value="' . esc_attr( wp_create_nonce( $action ) ) . '">';
}
function current_user_can( $capability, ...$args ) {
	return in_array( $capability, $GLOBALS['scenario']['caps'] ?? array(), true );
}
function wc_get_page_screen_id( $for ) {
	return ! empty( $GLOBALS['scenario']['hpos'] ) && 'shop-order' === $for ? 'woocommerce_page_wc-orders' : 'shop_order';
}
function add_meta_box( $id, $title, $callback, $screen, $context, $priority ) {
	$GLOBALS['boxes'][] = compact( 'id', 'title', 'callback', 'screen', 'context' );
}

/** A WordPress post (the posts storage hands the box one). */
class WP_Post {
	public $ID;
	public function __construct( $id ) {
		$this->ID = $id;
	}
}

/** A WooCommerce order: meta in memory, saves counted. */
class WC_Order {
	public $id;
	public $meta;
	public $saves = 0;
	public function __construct( $id, $meta ) {
		$this->id   = $id;
		$this->meta = $meta;
	}
	public function get_id() {
		return $this->id;
	}
	public function get_meta( $key ) {
		return $this->meta[ $key ] ?? '';
	}
	public function update_meta_data( $key, $value ) {
		$this->meta[ $key ] = $value;
	}
	public function delete_meta_data( $key ) {
		unset( $this->meta[ $key ] );
	}
	public function save() {
		++$this->saves;
		return $this->id;
	}
}

$orders = array();
foreach ( $scenario['orders'] ?? array() as $id => $meta ) {
	$orders[ (int) $id ] = new WC_Order( (int) $id, $meta );
}
function wc_get_order( $id ) {
	return $GLOBALS['orders'][ (int) $id ] ?? false;
}

/** WC_Webhook as WooCommerce passes it to woocommerce_webhook_deliver_async. */
class WC_Webhook {
	private $url;
	public function __construct( $url ) {
		$this->url = $url;
	}
	public function get_delivery_url() {
		return $this->url;
	}
}

define( 'CROSSPORT_URL', 'https://app.crossport.io' );
require $scenario['plugin'];

$out = array();
if ( 'deliver_async' === $scenario['call'] ) {
	foreach ( $scenario['webhooks'] as $url ) {
		$webhook = null === $url ? null : new WC_Webhook( $url );
		// wc_webhook_execute_queue(): apply_filters( 'woocommerce_webhook_deliver_async', true, $webhook, $arg )
		$out[] = apply_filters( 'woocommerce_webhook_deliver_async', $scenario['default'] ?? true, $webhook, 38 );
	}
}
if ( 'boxes' === $scenario['call'] ) {
	do_action( 'add_meta_boxes', wc_get_page_screen_id( 'shop-order' ), null );
	foreach ( $boxes as $box ) {
		$subject = empty( $scenario['hpos'] ) ? new WP_Post( 51 ) : wc_get_order( 51 );
		ob_start();
		call_user_func( $box['callback'], $subject );
		$box['html'] = ob_get_clean();
		unset( $box['callback'] );
		$out[] = $box;
	}
}
if ( 'save' === $scenario['call'] ) {
	// WC_Meta_Box_Order_Data / the HPOS edit screen: do_action( 'woocommerce_process_shop_order_meta', $id, $order )
	do_action( 'woocommerce_process_shop_order_meta', 51, wc_get_order( 51 ) );
	$out = array(
		'meta'  => wc_get_order( 51 )->meta,
		'saves' => wc_get_order( 51 )->saves,
	);
}
echo json_encode( $out );
